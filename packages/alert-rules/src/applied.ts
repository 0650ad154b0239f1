/**
 * The settings currently applied in Grafana, read back from a plan's view of Grafana, so the
 * plugin page starts from what is deployed (and re-applying does not undo earlier edits).
 */
import type { Plan } from './apply.js';
import { RULE_KEY_LABEL } from './build.js';
import { diffValues, findOwnRoute, normalizeExistingRule, normalizeMuteTiming } from './diff.js';
import { formatDuration, normalizeDuration } from './duration.js';
import type { MaintenanceWindow } from './maintenance.js';
import { isRuleKey, PRESET_NAMES, PRESETS, RULE_KEYS, type PresetName, type RuleKey, type RuleTuning, type Tuning } from './presets.js';

export interface AppliedSettings {
  /** The preset whose numbers the applied critical/high/drift-rate rules match, if any. */
  preset?: PresetName;
  tuning: Partial<Record<RuleKey, Partial<RuleTuning>>>;
  team?: string;
  productionAccounts: string[];
  contactPoint?: string;
  maintenanceWindows: MaintenanceWindow[];
}

function unescapeRegex(value: string): string {
  return value.replace(/\\(.)/g, '$1');
}

/** Undefined when none of TFDrift's rules exist in Grafana. */
export function appliedSettings(plan: Plan): AppliedSettings | undefined {
  const rules = (plan.current.group?.rules ?? [])
    .map((r) => normalizeExistingRule(r as unknown as Record<string, unknown>))
    .filter((r) => isRuleKey(r.labels[RULE_KEY_LABEL]) && Object.values(plan.built.allRuleUids).includes(r.uid));
  if (rules.length === 0) {
    return undefined;
  }
  const tuning: Partial<Record<RuleKey, Partial<RuleTuning>>> = {};
  let team: string | undefined;
  let productionAccounts: string[] = [];
  for (const key of RULE_KEYS) {
    tuning[key] = { enabled: false };
  }
  for (const rule of rules) {
    const key = rule.labels[RULE_KEY_LABEL] as RuleKey;
    const source = rule.data.find((q) => q.refId === 'A');
    const condition = rule.data.find((q) => q.refId === rule.condition)?.model as { conditions?: Array<{ evaluator?: { params?: number[] } }> } | undefined;
    const expr = String(source?.model.expr ?? '');
    const range = /\[([0-9a-z]+)\]\)\)$/.exec(expr);
    const threshold = condition?.conditions?.[0]?.evaluator?.params?.[0];
    tuning[key] = {
      enabled: true,
      window: range ? normalizeDuration(range[1]) : formatDuration(source?.relativeTimeRange.from ?? 0),
      for: normalizeDuration(rule.for),
      ...(typeof threshold === 'number' ? { threshold } : {}),
      ...(rule.labels.severity ? { severity: rule.labels.severity as RuleTuning['severity'] } : {}),
    };
    team ??= rule.labels.team;
    if (key === 'unmanaged_production') {
      const accounts = /account_id=~"((?:[^"\\]|\\.)*)"/.exec(expr);
      // Undo the LogQL string escaping, then split on unescaped `|` and undo the regex escaping.
      const pattern = accounts ? accounts[1].replace(/\\(["\\])/g, '$1') : '';
      productionAccounts = pattern ? pattern.split(/(?<!\\)\|/).map(unescapeRegex) : [];
    }
  }
  const matches = (preset: PresetName) =>
    (['critical', 'high', 'drift_rate'] as const).every((k) => {
      const t = tuning[k] as Partial<Tuning[typeof k]>;
      return t.enabled && diffValues({ threshold: t.threshold, window: t.window }, { threshold: PRESETS[preset][k].threshold, window: PRESETS[preset][k].window }).length === 0;
    });
  const index = findOwnRoute(plan.current.policyTree, plan.built.route);
  const route = index >= 0 ? plan.current.policyTree.routes?.[index] : undefined;
  const mute = plan.current.muteTiming ? normalizeMuteTiming(plan.current.muteTiming as unknown as Record<string, unknown>) : undefined;
  return {
    preset: PRESET_NAMES.find(matches),
    tuning,
    team,
    productionAccounts,
    contactPoint: route?.receiver,
    maintenanceWindows: (mute?.time_intervals ?? []).map((interval) => ({ kind: 'interval', interval })),
  };
}

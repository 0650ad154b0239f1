import React, { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { config, getBackendSrv, PluginPage } from '@grafana/runtime';
import { Alert, Button, Field, Input, RadioButtonGroup, Select, Stack } from '@grafana/ui';
import {
  ApplyFailedError,
  appliedSettings,
  applyPlan,
  buildAlerting,
  GrafanaClient,
  planAlerting,
  PreflightError,
  readAlerting,
  runPreflight,
  type PreflightCheck,
  PRESET_NAMES,
  resolveTuning,
  type BuiltAlerting,
  type ContactPoint,
  type MaintenanceWindow,
  type Plan,
  type PresetName,
  type RuleState,
  type RuleKey,
  type RuleTuning,
  type Tuning,
} from '@tfdrift/alert-rules';
import { type AppSettings, useAppSettings } from '../../utils/settings';
import { ApplyReport, PreflightList, type ApplyOutcome } from './ApplyReport';
import { backendSrvFetch } from './backendSrvFetch';
import { MaintenanceWindowsEditor } from './MaintenanceWindowsEditor';
import { PlanView } from './PlanView';
import { RulePreview } from './RulePreview';
import { Runbooks } from './Runbooks';
import { ThresholdsEditor } from './ThresholdsEditor';

const PRESET_OPTIONS = PRESET_NAMES.map((p) => ({
  value: p,
  label: p === 'small' ? 'Small (~10 applies/month)' : 'Large (100+ applies/month)',
}));
const DEFAULT_CONTACT = '';

type Busy = 'idle' | 'checking' | 'applying';

/**
 * Grafana's public URL (root_url) for absolute links in notifications: the same whichever
 * hostname the page was opened with, so links never show up as a diff. Includes any sub-path.
 */
export function grafanaBaseUrl(): string {
  const fromConfig = config.appUrl || `${window.location.origin}${config.appSubUrl ?? ''}`;
  return fromConfig.replace(/\/+$/, '');
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Two builds write the same thing (the plan of one is the plan of the other). */
function sameBuild(a: BuiltAlerting | undefined, b: BuiltAlerting | undefined): boolean {
  const key = (x: BuiltAlerting) => JSON.stringify([x.folder, x.group, x.muteTiming ?? null, x.route]);
  return a === b || (a !== undefined && b !== undefined && key(a) === key(b));
}

/** What the form edits. */
interface FormState {
  preset: PresetName;
  tuning: Tuning;
  team: string;
  accounts: string;
  windows: MaintenanceWindow[];
  contactPoint: string;
}

function buildFrom(form: FormState, settings: AppSettings): { built?: BuiltAlerting; buildError?: string } {
  try {
    const built = buildAlerting({
      preset: form.preset,
      tuning: form.tuning,
      lokiDatasourceUid: settings.lokiDatasourceUid,
      prometheusDatasourceUid: settings.prometheusDatasourceUid,
      jobLabel: settings.jobLabel,
      team: form.team,
      productionAccounts: form.accounts.split(/[\s,]+/).filter(Boolean),
      maintenanceWindows: form.windows,
      contactPoint: form.contactPoint || undefined,
      grafanaUrl: grafanaBaseUrl(),
    });
    return { built };
  } catch (err) {
    return { buildError: errorText(err) };
  }
}

/**
 * Alert rules: choose a preset, edit thresholds, maintenance windows and contact point, preview
 * the Grafana-managed rules, compare them with what Grafana holds, and apply — all through
 * Grafana's provisioning API with X-Disable-Provenance, so the rules stay editable in the UI.
 */
export function AlertRulesPage() {
  const settings = useAppSettings();
  const [preset, setPreset] = useState<PresetName>('small');
  const [tuning, setTuning] = useState<Tuning>(() => resolveTuning('small'));
  const [team, setTeam] = useState('platform');
  const [accounts, setAccounts] = useState('');
  const [windows, setWindows] = useState<MaintenanceWindow[]>([]);
  const [contactPoint, setContactPoint] = useState(DEFAULT_CONTACT);
  const [contactPoints, setContactPoints] = useState<string[] | undefined>();
  const [contactError, setContactError] = useState<string | undefined>();
  const [plan, setPlan] = useState<Plan | undefined>();
  const [states, setStates] = useState<Map<string, RuleState> | undefined>();
  const [planFor, setPlanFor] = useState<BuiltAlerting | undefined>();
  // The page starts by reading Grafana (the effect below).
  const [busy, setBusy] = useState<Busy>('checking');
  const [error, setError] = useState<string | undefined>();
  const [preflight, setPreflight] = useState<PreflightCheck[] | undefined>();
  const [outcome, setOutcome] = useState<ApplyOutcome | undefined>();
  const [loadedFromGrafana, setLoadedFromGrafana] = useState(false);
  // A ref, not state: the first comparison's callback must see edits made while it was running.
  const edited = useRef(false);

  const client = useMemo(() => new GrafanaClient({ baseUrl: '', fetch: backendSrvFetch }), []);

  const { built, buildError } = useMemo(
    () => buildFrom({ preset, tuning, team, accounts, windows, contactPoint }, settings),
    [preset, tuning, settings, team, accounts, windows, contactPoint],
  );

  useEffect(() => {
    getBackendSrv()
      .get<ContactPoint[]>('/api/v1/provisioning/contact-points')
      .then((list) => setContactPoints(Array.from(new Set((list ?? []).map((c) => c.name))).sort()))
      .catch((err: { data?: { message?: string }; status?: number }) =>
        setContactError(
          `cannot list contact points (${err?.status ?? '?'}): ${err?.data?.message ?? 'request failed'}`,
        ),
      );
  }, []);

  // Evaluation state is a bonus: a Grafana that does not answer it still gets the diff.
  const refreshStates = useCallback(() => {
    client
      .getRuleStates()
      .then(setStates)
      .catch(() => setStates(undefined));
  }, [client]);

  /** Preflight and comparison, reads only: what Apply would find and change. */
  const compare = useCallback(
    async (target: BuiltAlerting): Promise<Plan> => {
      const { checks, reads } = await runPreflight(client, target);
      setPreflight(checks);
      const current = await readAlerting(client, target, reads);
      setPlan(current);
      setPlanFor(target);
      refreshStates();
      return current;
    },
    [client, refreshStates],
  );

  const check = useCallback(
    async (target: BuiltAlerting | undefined) => {
      if (!target) {
        return;
      }
      setBusy('checking');
      setError(undefined);
      setOutcome(undefined);
      try {
        await compare(target);
      } catch (err) {
        setError(errorText(err));
      } finally {
        setBusy('idle');
      }
    },
    [compare],
  );

  // Status of what exists, once on load (later checks are explicit: each one is several API calls).
  // What is applied becomes the starting point, so re-applying never undoes earlier edits.
  useEffect(() => {
    let cancelled = false;
    // Started from a resolved promise: every state change happens once Grafana answers.
    Promise.resolve(built)
      .then((target) => (target ? compare(target) : undefined))
      .then(async (plan) => {
        const current = plan && appliedSettings(plan);
        if (cancelled || !current || edited.current) {
          return;
        }
        const loaded: FormState = {
          preset: current.preset ?? 'small',
          tuning: resolveTuning(current.preset ?? 'small', current.tuning),
          team: current.team ?? 'platform',
          accounts: current.productionAccounts.join(', '),
          contactPoint: current.contactPoint ?? DEFAULT_CONTACT,
          windows: current.maintenanceWindows,
        };
        setPreset(loaded.preset);
        setTuning(loaded.tuning);
        setTeam(loaded.team);
        setAccounts(loaded.accounts);
        setContactPoint(loaded.contactPoint);
        setWindows(loaded.windows);
        setLoadedFromGrafana(true);
        // Compare again with the loaded settings, so the status reflects them.
        const reloaded = buildFrom(loaded, settings).built;
        if (reloaded) {
          await compare(reloaded);
        }
      })
      .catch((err) => !cancelled && setError(errorText(err)))
      .finally(() => !cancelled && setBusy('idle'));
    return () => {
      cancelled = true;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [client]);

  const apply = async () => {
    if (!built) {
      return;
    }
    setBusy('applying');
    setError(undefined);
    setOutcome(undefined);
    try {
      // planAlerting runs the preflight again: Grafana may have changed since the comparison.
      const fresh = await planAlerting(client, built);
      setPreflight(fresh.preflight);
      const result = await applyPlan(client, fresh);
      setOutcome({ kind: 'applied', count: result.applied.length });
      await compare(built);
    } catch (err) {
      if (err instanceof PreflightError) {
        setPreflight(err.checks);
        setOutcome({ kind: 'preflight', checks: err.checks });
      } else if (err instanceof ApplyFailedError) {
        setOutcome({ kind: 'failed', error: err });
        if (err.state) {
          // Show Grafana as it is now, not as the plan hoped.
          setPlan(err.state);
          setPlanFor(built);
          refreshStates();
        }
      } else {
        setError(errorText(err));
      }
    } finally {
      setBusy('idle');
    }
  };

  const choosePreset = (next: PresetName) => {
    edited.current = true;
    setPreset(next);
    setTuning(resolveTuning(next));
  };
  const editRule = (key: RuleKey, patch: Partial<RuleTuning>) => {
    edited.current = true;
    setTuning((t) => ({ ...t, [key]: { ...t[key], ...patch } }));
  };
  const edit =
    <T,>(setter: (value: T) => void) =>
    (value: T) => {
      edited.current = true;
      setter(value);
    };

  const tuningMatchesPreset = JSON.stringify(tuning) === JSON.stringify(resolveTuning(preset));
  const contactOptions = [
    { value: DEFAULT_CONTACT, label: 'Default policy receiver' },
    ...(contactPoints ?? []).map((name) => ({ value: name, label: name })),
  ];
  const failedChecks = preflight?.filter((c) => !c.ok) ?? [];
  const planIsCurrent = useMemo(() => sameBuild(planFor, built), [planFor, built]);
  const afterFailure = outcome?.kind === 'failed' && planIsCurrent;

  return (
    <PluginPage>
      <Stack direction="column" gap={2}>
        <p>
          Grafana-managed alert rules on TFDrift&apos;s Loki drift records (datasource{' '}
          <code>{settings.lokiDatasourceUid}</code>, job <code>{settings.jobLabel}</code>) and Prometheus
          metrics (<code>{settings.prometheusDatasourceUid}</code>), in folder{' '}
          <code>{built?.folder.title ?? 'TFDrift'}</code>. Applied through the provisioning API with
          X-Disable-Provenance: the rules stay editable in Grafana&apos;s alerting UI. Every Apply first checks,
          reading only, that Grafana will accept every write; if a write still fails, Grafana is read again
          and shown as it is.
        </p>

        {loadedFromGrafana && (
          <Alert severity="info" title="Loaded the settings applied in Grafana">
            Thresholds, team, production accounts, contact point and maintenance windows below are read from the
            rules in Grafana{preset && tuningMatchesPreset ? ` (preset ${preset})` : ' (custom thresholds)'}.
          </Alert>
        )}
        <Field label="Preset" description="Thresholds from operators' tuning guides; edit them below." noMargin>
          <RadioButtonGroup
            options={PRESET_OPTIONS}
            value={preset}
            onChange={(v) => choosePreset(v as PresetName)}
          />
        </Field>

        <Field label="Thresholds" noMargin>
          <ThresholdsEditor tuning={tuning} onChange={editRule} />
        </Field>

        <Stack direction="row" gap={2} wrap="wrap">
          <Field label="Team label" noMargin>
            <Input
              aria-label="team"
              width={20}
              value={team}
              onChange={(e) => edit(setTeam)(e.currentTarget.value)}
            />
          </Field>
          <Field
            label="Production accounts"
            description="AWS accounts, GCP projects, Azure subscriptions; comma-separated. Empty: all."
            noMargin
          >
            <Input
              aria-label="production accounts"
              width={50}
              value={accounts}
              onChange={(e) => edit(setAccounts)(e.currentTarget.value)}
            />
          </Field>
        </Stack>

        <Field label="Maintenance windows" noMargin>
          <MaintenanceWindowsEditor windows={windows} onChange={edit(setWindows)} />
        </Field>

        <Field
          label="Contact point"
          description="Existing contact points in this Grafana."
          error={contactError}
          invalid={!!contactError}
          noMargin
        >
          <Select
            inputId="tfdrift-contact-point"
            aria-label="contact point"
            width={40}
            options={contactOptions}
            value={contactPoint}
            isLoading={contactPoints === undefined && !contactError}
            onChange={(v) => edit(setContactPoint)(v?.value ?? DEFAULT_CONTACT)}
          />
        </Field>

        {buildError && (
          <Alert severity="error" title="Invalid settings">
            {buildError}
          </Alert>
        )}
        {built?.warnings.map((w) => <Alert key={w} severity="info" title={w} />)}

        {built && <RulePreview built={built} />}

        {preflight && failedChecks.length > 0 && outcome?.kind !== 'preflight' && (
          <Alert severity="warning" title="Apply would be refused: preflight found a problem" data-testid="preflight-warning">
            <PreflightList checks={preflight} />
          </Alert>
        )}

        <Stack direction="row" gap={1}>
          <Button
            variant="secondary"
            icon="sync"
            disabled={!built || busy !== 'idle'}
            onClick={() => check(built)}
          >
            {busy === 'checking' ? 'Comparing…' : 'Compare with Grafana'}
          </Button>
          <Button variant="primary" icon="bell" disabled={!built || busy !== 'idle'} onClick={apply}>
            {busy === 'applying' ? 'Applying…' : 'Apply'}
          </Button>
        </Stack>

        {error && (
          <Alert severity="error" title="Grafana API error">
            {error}
          </Alert>
        )}
        {outcome && <ApplyReport outcome={outcome} onRetry={apply} busy={busy !== 'idle'} />}

        <h3>{afterFailure ? 'In Grafana (read again after the failure)' : 'In Grafana'}</h3>
        {plan ? (
          <>
            {!planIsCurrent && <p>Settings changed since this comparison: compare again to see the diff.</p>}
            <PlanView plan={plan} states={states} afterFailure={afterFailure} />
          </>
        ) : (
          <p>{busy === 'checking' && built ? 'Reading rules from Grafana…' : 'Not compared yet.'}</p>
        )}

        <h3>Runbooks</h3>
        <Runbooks />
      </Stack>
    </PluginPage>
  );
}

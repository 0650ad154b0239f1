/** Human-readable plans: one line per change, field diffs indented under updates. */
import type { Change, Plan } from './apply.js';
import type { PreflightCheck } from './preflight.js';

const SYMBOL: Record<Change['action'], string> = { create: '+', update: '~', delete: '-', unchanged: '=' };

function show(value: unknown): string {
  const text = value === undefined ? '(absent)' : JSON.stringify(value);
  return text.length > 160 ? `${text.slice(0, 157)}...` : text;
}

export function formatChanges(changes: Change[], opts: { includeUnchanged?: boolean } = {}): string {
  const lines: string[] = [];
  for (const change of changes) {
    if (change.action === 'unchanged' && !opts.includeUnchanged) {
      continue;
    }
    lines.push(`${SYMBOL[change.action]} ${change.kind} ${change.title} (${change.id}): ${change.action}`);
    for (const f of change.fields) {
      lines.push(`    ${f.path}: ${show(f.before)} → ${show(f.after)}`);
    }
  }
  return lines.join('\n');
}

export function summarizeChanges(changes: Change[]): string {
  const count = (action: Change['action']) => changes.filter((c) => c.action === action).length;
  return `${count('create')} to create, ${count('update')} to update, ${count('delete')} to delete, ${count('unchanged')} unchanged`;
}

/** One line per preflight check: `ok`/`FAIL`, what was checked, what was found. */
export function formatPreflight(checks: PreflightCheck[]): string {
  return checks.map((c) => `${c.ok ? '  ok  ' : '  FAIL'} ${c.subject} ${c.target}: ${c.message}`).join('\n');
}

/** The state Grafana was re-read in after a failed write: each resource applied or not. */
export function formatAppliedState(state: Plan): string {
  return state.changes
    .map((c) => {
      const status = c.action === 'unchanged' ? 'applied' : c.action === 'create' ? 'NOT applied (missing)' : c.action === 'delete' ? 'NOT applied (still present)' : 'NOT applied (differs)';
      return `  ${status.padEnd(27)} ${c.kind} ${c.title} (${c.id})`;
    })
    .join('\n');
}

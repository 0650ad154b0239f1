/** Human-readable plans: one line per change, field diffs indented under updates. */
import type { Change } from './apply.js';

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

import type { DriftRecord } from '../model/drift.js';

const COLOURS: Record<string, string> = { critical: '\x1b[1;31m', high: '\x1b[31m', medium: '\x1b[33m', low: '\x1b[36m', info: '\x1b[2m' };

function short(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > 160 ? `${text.slice(0, 157)}...` : text;
}

/** Human-readable rendering for terminals; pure. */
export function formatPretty(r: DriftRecord, colour = false): string {
  const c = (code: string, s: string): string => (colour ? `${code}${s}\x1b[0m` : s);
  const who = r.user.original_user ?? r.user.name ?? r.user.arn ?? 'unknown principal';
  const head = `${c(COLOURS[r.severity] ?? '', r.severity.toUpperCase().padEnd(8))} ${r.event_type === 'terraform_drift_resolved' ? 'RESOLVED ' : ''}${r.change_type.padEnd(9)} ${r.resource_type} ${r.resource_id ?? ''}`;
  const lines = [
    head,
    `         ${r.resource_address ? `${r.resource_address} (${r.state_source})` : 'not in any loaded state'}`,
    `         by ${who} via ${r.event.name} from ${r.source_ip ?? '?'} (${r.user_agent ?? '?'}) at ${r.event.time ?? '?'} in ${r.account_id ?? '?'}/${r.region ?? '?'}`,
  ];
  for (const ch of r.changes) lines.push(`         ${c('\x1b[1m', ch.attribute)}: ${short(ch.expected)} -> ${short(ch.actual)}`);
  return lines.join('\n');
}

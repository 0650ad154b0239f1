import type { ProviderId } from '../model/event.js';
import { parseProviderRef } from './parse.js';
import { isRecord } from '../util/paths.js';

/**
 * For `replay --state FILE` without a config: which cloud and account a state speaks for,
 * from its provider references and the account IDs inside ARNs / project / subscription IDs.
 */
export function inferStateScope(text: string): { provider: ProviderId | null; accountId: string | null } {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return { provider: null, accountId: null };
  }
  if (!isRecord(doc) || !Array.isArray(doc.resources)) return { provider: null, accountId: null };
  const providers = new Map<string, number>();
  const accounts = new Map<string, number>();
  const bump = (m: Map<string, number>, k: string): void => void m.set(k, (m.get(k) ?? 0) + 1);
  for (const res of doc.resources) {
    if (!isRecord(res) || res.mode !== 'managed') continue;
    const p = parseProviderRef(res.provider).name;
    bump(providers, p);
    for (const inst of Array.isArray(res.instances) ? res.instances : []) {
      const a = isRecord(inst) && isRecord(inst.attributes) ? inst.attributes : {};
      if (p === 'aws' && typeof a.arn === 'string') {
        const acct = a.arn.split(':')[4];
        if (/^\d{12}$/.test(acct)) bump(accounts, acct);
      } else if (p === 'gcp' && typeof a.project === 'string') bump(accounts, a.project);
      else if (p === 'azure' && typeof a.id === 'string') {
        const m = /^\/subscriptions\/([^/]+)/i.exec(a.id);
        if (m) bump(accounts, m[1].toLowerCase());
      }
    }
  }
  const top = (m: Map<string, number>): string | null => [...m.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? null;
  const provider = top(new Map([...providers].filter(([k]) => ['aws', 'gcp', 'azure'].includes(k))));
  // Several accounts in one state (cross-account providers): match any rather than guess.
  return { provider: provider as ProviderId | null, accountId: accounts.size === 1 ? top(accounts) : null };
}

import { z } from 'zod';
import type { StateSourceConfig } from '../state/config.js';
import { sourceAccount } from '../state/config.js';

/**
 * One exporter of a fleet sharded by account. Every shard may receive every alert (one
 * central bus, one Falco); each reports only the accounts it owns and counts the rest as
 * `tfdrift_events_skipped_total{reason="not_owned"}`, never as unmanaged noise.
 */
export const fleetConfigSchema = z
  .strictObject({
    /** true: this exporter is one shard and skips events of accounts it does not own. */
    shard: z.boolean().default(false),
    /** Accounts / projects / subscriptions this shard owns; empty means those its states name. */
    owned_accounts: z.array(z.string().min(1)).default([]),
  })
  .prefault({});
export type FleetConfig = z.infer<typeof fleetConfigSchema>;

/** provider → owned accounts; null when this exporter is not a shard (it owns every account). */
export function ownedAccounts(fleet: FleetConfig, states: readonly StateSourceConfig[]): Map<string, Set<string>> | null {
  if (!fleet.shard) return null;
  const owned = new Map<string, Set<string>>();
  const add = (provider: string, account: string): void => {
    const set = owned.get(provider) ?? new Set<string>();
    set.add(provider === 'azure' ? account.toLowerCase() : account);
    owned.set(provider, set);
  };
  if (fleet.owned_accounts.length > 0) {
    // Explicit: the same list applies whatever the provider (account IDs, project IDs and GUIDs do not collide).
    for (const provider of ['aws', 'gcp', 'azure']) for (const a of fleet.owned_accounts) add(provider, a);
  } else {
    for (const s of states) {
      const account = sourceAccount(s);
      if (account !== null) add(s.provider, account);
    }
  }
  return owned;
}

/** True when a shard owns the event's account (events without an account are kept: they cannot be routed). */
export function ownsAccount(owned: Map<string, Set<string>> | null, provider: string, accountId: string | null): boolean {
  if (owned === null || accountId === null) return true;
  return owned.get(provider)?.has(provider === 'azure' ? accountId.toLowerCase() : accountId) ?? false;
}

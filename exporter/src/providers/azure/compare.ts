import { COMPARATORS } from '../../detect/compare.js';
import { isRecord } from '../../util/paths.js';

/**
 * Azure comparators, registered into the shared comparator table (additive: new names only).
 * Both sides (state attribute and activity-record value) pass through the same normaliser.
 */

function list(v: unknown): string[] {
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string');
  return typeof v === 'string' && v !== '' ? [v] : [];
}

/**
 * NSG rules as comparable strings. The provider's `security_rule` blocks and ARM's
 * `securityRules[].properties` (or one rule's properties) give
 * `name: Allow Inbound Tcp 22 from * to * (priority 100)`; a rule known only by its name
 * (an activity record without request body) gives its name alone.
 */
export function normaliseNsgRules(value: unknown): string[] {
  const out = new Set<string>();
  const rules = Array.isArray(value) ? value : value === null || value === undefined ? [] : [value];
  for (const raw of rules) {
    if (typeof raw === 'string') {
      out.add(raw);
      continue;
    }
    if (!isRecord(raw)) continue;
    const p = isRecord(raw.properties) ? { ...raw.properties, name: raw.name } : raw;
    const name = typeof p.name === 'string' ? p.name : '';
    const access = p.access;
    if (access === undefined) {
      if (name) out.add(name);
      continue;
    }
    const ports = [...list(p.destination_port_range ?? p.destinationPortRange), ...list(p.destination_port_ranges ?? p.destinationPortRanges)].join(',') || '*';
    const sources = [...list(p.source_address_prefix ?? p.sourceAddressPrefix), ...list(p.source_address_prefixes ?? p.sourceAddressPrefixes)].join(',') || '*';
    const dests = [...list(p.destination_address_prefix ?? p.destinationAddressPrefix), ...list(p.destination_address_prefixes ?? p.destinationAddressPrefixes)].join(',') || '*';
    out.add(`${name}: ${String(access)} ${String(p.direction)} ${String(p.protocol)} ${ports} from ${sources} to ${dests} (priority ${String(p.priority)})`);
  }
  return [...out].sort();
}

/** ARM `Enabled`/`Disabled` strings vs the provider's booleans. */
export function enabledValue(value: unknown): unknown {
  if (value === 'Enabled' || value === 'enabled' || value === true || value === 'true') return true;
  if (value === 'Disabled' || value === 'disabled' || value === false || value === 'false') return false;
  return value ?? null;
}

/** ARM IDs compared by their last segment, case-insensitively (`/providers/.../roleDefinitions/G` vs `/subscriptions/S/providers/.../roleDefinitions/G`). */
export function idTail(value: unknown): unknown {
  if (typeof value !== 'string') return value ?? null;
  return (value.replace(/\/+$/, '').split('/').pop() ?? value).toLowerCase();
}

export function registerAzureComparators(): void {
  COMPARATORS.azure_id_tail ??= { normalise: idTail };
  COMPARATORS.azure_nsg_rules ??= { normalise: normaliseNsgRules };
  COMPARATORS.azure_enabled ??= { normalise: enabledValue };
}

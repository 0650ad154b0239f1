import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { detect, type DriftDraft } from '../../src/detect/detector.js';
import { expandPaths, readInputFile } from '../../src/ingest/records.js';
import type { AuditEvent } from '../../src/model/event.js';
import { resolveAzure, indexAzureTables } from '../../src/providers/azure/adapter.js';
import { CorrelationDeduper } from '../../src/providers/azure/dedup.js';
import { indexGcpTables, resolveGcp } from '../../src/providers/gcp/adapter.js';
import { loadMappingTables } from '../../src/providers/mapping/load.js';
import { applyEventSpec } from '../../src/providers/mapping/resolve.js';
import type { EventSpec } from '../../src/providers/mapping/schema.js';
import { getProvider } from '../../src/providers/registry.js';
import type { Resolution } from '../../src/providers/types.js';
import type { ResourceLookup, StateIndex } from '../../src/state/index.js';
import type { StateResource } from '../../src/state/model.js';
import { CORPUS } from '../helpers/cli.js';

type Provider = 'aws' | 'gcp' | 'azure';

/** A state that manages whatever is looked up: every candidate resolves, so every `modify` becomes a `modified`. */
function everythingManaged(provider: Provider): StateIndex {
  const resource = (type: string, lookup: ResourceLookup): StateResource => ({
    address: `${type}.managed`, type, name: 'managed', module: null, indexKey: null, provider, providerAlias: null,
    attributes: { [lookup.field]: lookup.value, ...(lookup.also ?? {}) }, sensitivePaths: [],
    source: { name: 'all', location: 'memory://all', provider, accountId: null, region: null },
  });
  return { find: (_p: string, _a: string | null, types: readonly string[], lookup: ResourceLookup) => [resource(types[0], lookup)], coversAccount: () => true } as unknown as StateIndex;
}

interface Row {
  source: string;
  name: string;
  spec: EventSpec;
}

function rows(provider: Provider): Row[] {
  return loadMappingTables(provider).services.flatMap((s) => Object.entries(s.events).map(([name, spec]) => ({ source: s.event_source, name, spec })));
}

/** Resolution of `event` as if it were `row`'s call (the provider's own resolution path). */
function resolverFor(provider: Provider): (event: AuditEvent, row: Row) => Resolution {
  if (provider === 'aws') return (event, row) => ({ status: 'mapped', changes: applyEventSpec(event, row.spec) });
  if (provider === 'gcp') {
    const t = indexGcpTables(loadMappingTables('gcp'));
    return (event) => resolveGcp(event, t);
  }
  const t = indexAzureTables(loadMappingTables('azure'));
  return (event) => resolveAzure(event, t, new CorrelationDeduper());
}

function asRow(event: AuditEvent, row: Row): AuditEvent {
  return {
    ...event, eventSource: row.source, eventName: row.name, readOnly: false, errorCode: null,
    extra: { ...event.extra, status: 'succeeded', category: 'Administrative', operation_id: null },
  };
}

async function corpusEvents(provider: Provider): Promise<AuditEvent[]> {
  const dir = { aws: 'cloudtrail', gcp: 'gcp', azure: 'azure' }[provider];
  const adapter = getProvider(provider)!;
  const out: AuditEvent[] = [];
  for (const file of (await expandPaths([path.join(CORPUS, dir)])).filter((f) => !f.endsWith('.index.json')))
    for (const item of await readInputFile(file, 'auto')) {
      if (item.kind !== 'record' || item.provider !== provider) continue;
      try {
        out.push(adapter.fromRecord(item.value));
      } catch {
        /* records the adapter rejects are counted by the coverage tests */
      }
    }
  return out;
}

/** Sets `value` at a mapping path, creating lists for `*` (one element). */
function seed(root: Record<string, unknown>, p: string, value: string): void {
  const keys = p.split('.');
  let node: Record<string, unknown> | unknown[] = root;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    const last = i === keys.length - 1;
    if (key === '*') {
      const arr = node as unknown as unknown[];
      if (last) arr.push(value);
      else {
        if (arr.length === 0) arr.push(keys[i + 1] === '*' ? [] : {});
        node = arr[0] as Record<string, unknown>;
      }
      continue;
    }
    const obj = node as Record<string, unknown>;
    if (last) obj[key] = value;
    else {
      obj[key] ??= keys[i + 1] === '*' ? [] : {};
      node = obj[key] as Record<string, unknown>;
    }
  }
}

/** An event naming the row's resource by its first ID path (every placeholder of a template), nothing else. */
function seededEvent(provider: Provider, row: Row): AuditEvent {
  const prefix = Object.keys(row.spec.type_by_id_prefix ?? {})[0] ?? '';
  const arnPrefix = Object.keys(row.spec.type_by_arn ?? {}).find((k) => !k.startsWith('^'));
  const value = arnPrefix !== undefined ? `arn:aws:svc:us-east-1:123456789012:${arnPrefix}${/[:/]$/.test(arnPrefix) ? '' : '/'}seeded` : `${prefix}seeded`;
  const root: Record<string, unknown> = { request: {}, response: {}, resources: [], event: {}, extra: {} };
  const idPath = row.spec.id[0];
  const paths = idPath.includes('{') ? [...idPath.matchAll(/\{([^}:]+)/g)].map((m) => m[1]) : [idPath];
  for (const p of paths) seed(root, p, value);
  return {
    provider, accountId: '123456789012', region: 'us-east-1', eventName: row.name, eventSource: row.source, eventId: 'seeded', eventTime: null,
    principal: { name: null, arn: null, type: null, principalId: null, originalUser: null }, sourceIp: null, userAgent: null,
    request: root.request, response: root.response, resources: root.resources as AuditEvent['resources'], readOnly: false, errorCode: null, errorMessage: null,
    extra: { ...(root.extra as Record<string, unknown>), status: 'succeeded', category: 'Administrative' }, falco: null,
  };
}

/** True when the row can turn a record into attribute changes (change specs, or IAM binding deltas / metadata keys on GCP). */
function hasChangeSpecs(row: Row): boolean {
  const s = row.spec;
  return s.changes.length > 0 || (s.targets ?? []).some((t) => t.changes.length > 0 || t.match !== undefined) || /iam|metadata/i.test(row.name);
}

/** Cheap pre-check: the event has the member the row's ID paths start with (or the row reads extras / templates). */
const firstMembers = new Map<Row, [string, string][] | null>();
function mayApply(event: AuditEvent, row: Row): boolean {
  let need = firstMembers.get(row);
  if (need === undefined) {
    const parts = row.spec.id.map((p) => /^(request|response)\.([^.{}]+)/.exec(p));
    need = parts.every((m) => m !== null) ? parts.map((m) => [m![1], m![2]] as [string, string]) : null;
    firstMembers.set(row, need);
  }
  if (need === null) return true;
  return need.some(([root, key]) => {
    const doc = (root === 'request' ? event.request : event.response) as Record<string, unknown> | null;
    return doc !== null && typeof doc === 'object' && key in doc;
  });
}

function emptyModified(drafts: DriftDraft[]): DriftDraft[] {
  return drafts.filter((d) => d.changeType === 'modified' && (d.changes.length === 0 || d.changes.some((c) => !c.attribute)));
}

describe('a modified record always says what changed (every mapping × every corpus record)', () => {
  for (const provider of ['aws', 'gcp', 'azure'] as const) {
    it(`${provider}: no modified draft with empty changes, for any row applied to any corpus record`, async () => {
      const index = everythingManaged(provider);
      const resolve = resolverFor(provider);
      const all = rows(provider);
      const events = await corpusEvents(provider);
      let modified = 0;
      let pairs = 0;
      const bad: string[] = [];
      // A row whose candidates carry no attribute changes yields the same draft shape (the call entry)
      // whatever the record: once checked for a row, further records of that shape are only resolved.
      const callOnlyChecked = new Set<Row>();
      // Rows without any change spec (and not IAM-delta rows) cannot produce attribute changes from
      // any record: after three resolved records their outcome is known, the rest are skipped (counted).
      const staticSeen = new Map<Row, number>();
      let skipped = 0;
      for (const event of events)
        for (const row of all) {
          if (provider === 'aws' && !mayApply(event, row)) continue;
          const fixed = !hasChangeSpecs(row);
          if (fixed && (staticSeen.get(row) ?? 0) >= 3) {
            skipped++;
            continue;
          }
          const forced = asRow(event, row);
          const res = resolve(forced, row);
          if (res.status !== 'mapped' || res.changes.length === 0) continue;
          pairs++;
          if (fixed) staticSeen.set(row, (staticSeen.get(row) ?? 0) + 1);
          const callOnly = res.changes.every((c) => c.candidates.every((x) => x.changes.length === 0));
          if (callOnly && callOnlyChecked.has(row)) continue;
          if (callOnly) callOnlyChecked.add(row);
          const drafts = detect(forced, res, index).drifts;
          modified += drafts.filter((d) => d.changeType === 'modified').length;
          for (const d of emptyModified(drafts)) bad.push(`${row.source} ${row.name} on ${event.eventName} ${event.eventId}: ${d.resourceType}`);
        }
      process.stdout.write(`${provider}: ${all.length} rows × ${events.length} corpus records → ${pairs} resolved pairs (${skipped} more of rows without change specs, already seen 3 times), ${modified} modified drafts, ${bad.length} with empty changes\n`);
      expect(bad.slice(0, 20)).toEqual([]);
      expect(modified).toBeGreaterThan(0);
    });

    it(`${provider}: every row, given only its resource ID, yields modified drafts that name a change`, () => {
      const index = everythingManaged(provider);
      const resolve = resolverFor(provider);
      const all = rows(provider);
      let exercised = 0;
      const bad: string[] = [];
      for (const row of all) {
        const event = seededEvent(provider, row);
        const res = resolve(event, row);
        if (res.status !== 'mapped' || res.changes.length === 0) continue;
        exercised++;
        for (const d of emptyModified(detect(event, res, index).drifts)) bad.push(`${row.source} ${row.name}: ${d.resourceType}`);
      }
      process.stdout.write(`${provider}: ${exercised} of ${all.length} rows resolved from a seeded ID\n`);
      expect(bad).toEqual([]);
      expect(exercised / all.length).toBeGreaterThan(0.8);
    });
  }
});

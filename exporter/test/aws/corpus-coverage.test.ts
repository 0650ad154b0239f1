import { describe, expect, it } from 'vitest';
import { loadMappingTables, eventKey } from '../../src/providers/mapping/load.js';
import { resolveAws } from '../../src/providers/aws/adapter.js';
import { readFileSync } from 'node:fs';
import { carriesNoIdentifiers, cloudTrailCorpus, isWrite, lacksIdParameters } from './corpus.js';

const tables = loadMappingTables('aws');
const { records, bad } = await cloudTrailCorpus();

interface Tally {
  records: number;
  writes: number;
  mapped: number;
  idResolved: number;
  attributes: number;
  excluded: number;
  readOnly: number;
  failed: number;
}

describe('AWS coverage of the real CloudTrail corpus (every record, every container shape)', () => {
  const tally: Tally = { records: records.length, writes: 0, mapped: 0, idResolved: 0, attributes: 0, excluded: 0, readOnly: 0, failed: 0 };
  const noReason = new Map<string, string>();
  const byName = new Map<string, { records: number; resolved: number; noIds: number; where: string }>();
  for (const { event, where } of records) {
    const r = resolveAws(event, tables);
    if (event.errorCode) tally.failed++;
    else if (event.readOnly) tally.readOnly++;
    if (!isWrite(event)) {
      expect(r.status).toBe('ignored'); // read-only and failed calls never reach detection
      continue;
    }
    tally.writes++;
    const key = `${event.eventSource} ${event.eventName}`;
    const row = tables.byEvent.get(eventKey(event.eventSource, event.eventName));
    if (!row) {
      if (r.status === 'ignored' && r.reason === 'not_mutating') tally.excluded++;
      else noReason.set(key, where);
      continue;
    }
    tally.mapped++;
    const stat = byName.get(key) ?? { records: 0, resolved: 0, noIds: 0, where };
    stat.records++;
    if (r.status === 'mapped') {
      stat.resolved++;
      tally.idResolved++;
      if (r.changes.some((c) => c.candidates.some((cand) => cand.changes.length > 0))) tally.attributes++;
    } else if (carriesNoIdentifiers(event) || lacksIdParameters(event, [...row.spec.id, ...(row.spec.targets ?? []).flatMap((t) => t.id ?? [])])) stat.noIds++;
    byName.set(key, stat);
  }

  it('reads every record of every file (the only rejects are test logs without eventName or eventSource)', () => {
    for (const b of bad) {
      const m = /^(.*): record (\d+): not a recognised audit record/.exec(b);
      expect(m, b).not.toBeNull();
      const doc = JSON.parse(readFileSync(m![1], 'utf8')) as { Records: Record<string, unknown>[] };
      const rec = doc.Records[Number(m![2]) - 1];
      expect(rec.eventName === undefined || rec.eventSource === undefined, b).toBe(true);
    }
    expect(bad.length).toBeLessThan(5);
    expect(records.length).toBeGreaterThan(790);
  });

  it('prints write events seen, mapped, ID resolved, attributes extracted', () => {
    const withoutIds = [...byName.entries()].filter(([, s]) => s.resolved === 0).map(([k]) => k);
    console.log(
      [
        `corpus: ${tally.records} CloudTrail records; ${tally.readOnly} read-only and ${tally.failed} failed (never drift)`,
        `write events seen: ${tally.writes} (${new Set(records.filter((x) => isWrite(x.event)).map((x) => `${x.event.eventSource} ${x.event.eventName}`)).size} distinct)`,
        `  mapped: ${tally.mapped}, ID resolved: ${tally.idResolved}, attributes extracted: ${tally.attributes}`,
        `  deliberately unmapped (reason in the table): ${tally.excluded}`,
        `  mapped event names whose records name no resource (identifier stripped): ${withoutIds.join(', ') || 'none'}`,
      ].join('\n'),
    );
    expect(tally.mapped + tally.excluded).toBe(tally.writes);
    expect(tally.idResolved / tally.mapped).toBeGreaterThan(0.85);
  });

  it('has no unmapped write event without a reason in its table', () => {
    expect(Object.fromEntries(noReason)).toEqual({});
  });

  it('resolves the resource ID of every mapped event name on a real record, unless no record of it names any resource', () => {
    const unresolved = [...byName.entries()].filter(([, s]) => s.resolved === 0 && s.noIds < s.records).map(([k, s]) => `${k} (${s.where})`);
    expect(unresolved).toEqual([]);
  });
});

describe('hand-written fixtures for events the corpus lacks', () => {
  it('every fixture is a write the tables map, with its resource ID resolved', async () => {
    const { records: fixtures, bad: unreadable } = await cloudTrailCorpus(new URL('../fixtures/aws/records', import.meta.url).pathname);
    expect(unreadable).toEqual([]);
    expect(fixtures.map((f) => f.event.eventName).sort()).toEqual([
      'CreatePolicyVersion', 'CreateTags', 'DeleteBucketPolicy', 'DeleteRole', 'DeleteSecurityGroup', 'DeleteTags',
      'DetachRolePolicy', 'ModifySecurityGroupRules', 'PutRolePolicy', 'RevokeSecurityGroupEgress', 'RevokeSecurityGroupIngress',
    ]);
    for (const { event, where } of fixtures) {
      const r = resolveAws(event, tables);
      expect(r.status, where).toBe('mapped');
    }
  });
});

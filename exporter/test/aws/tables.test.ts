import { readFileSync } from 'node:fs';
import { checkTemplate, isTemplate } from '../../src/providers/mapping/ids.js';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadMappingTables } from '../../src/providers/mapping/load.js';
import { COMPARATORS } from '../../src/detect/compare.js';
import { INDEXED_FIELDS } from '../../src/state/index.js';
import { awsCoverage, attributeLevelEvents } from '../../src/coverage/count.js';
import { EXPORTER_DIR } from '../helpers/cli.js';

const tables = loadMappingTables('aws');
const known = new Set(
  readFileSync(path.join(EXPORTER_DIR, 'data/aws-provider-resource-types.txt'), 'utf8')
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith('#')),
);
const rows = tables.services.flatMap((s) => Object.entries(s.events).map(([name, spec]) => ({ service: s, name, spec })));
const PLAIN = /^(request|response|resources|event|extra|item)(\.([A-Za-z0-9_$-]+|\*))*$/;
/** A mapping path, or an ID template whose placeholders are paths (`{request.hostedZoneId:last}_…`). */
const PATH = { test: (p: string): boolean => (isTemplate(p) ? checkTemplate(p).length === 0 && [...p.matchAll(/\{([^}:]+)/g)].every((m) => PLAIN.test(m[1])) : PLAIN.test(p)) };

describe('AWS mapping tables', () => {
  it('reach the issue targets: ≥600 write events, ≥250 Terraform types, ≥60 services, ≥120 with attribute-level changes', () => {
    const cov = awsCoverage(tables);
    const attr = attributeLevelEvents(tables);
    console.log(`aws tables: ${cov.events} events, ${cov.resource_types} resource types, ${Object.keys(cov.services).length} services, ${attr} events with attribute-level changes`);
    expect(cov.events).toBeGreaterThanOrEqual(600);
    expect(cov.resource_types).toBeGreaterThanOrEqual(250);
    expect(Object.keys(cov.services).length).toBeGreaterThanOrEqual(60);
    expect(attr).toBeGreaterThanOrEqual(120);
  });

  it('name only Terraform types the AWS provider has (recorded resource list)', () => {
    expect(known.size).toBeGreaterThan(1000);
    const unknown: string[] = [];
    for (const { service, name, spec } of rows) {
      const types = [spec.resource_type, spec.unmanaged_type, ...(spec.targets ?? []).map((t) => t.type), ...Object.values(spec.type_by_id_prefix ?? {}), ...Object.values(spec.type_by_arn ?? {})];
      for (const t of types) if (t !== undefined && !known.has(t)) unknown.push(`${service.service}.${name}: ${t}`);
    }
    expect(unknown).toEqual([]);
  });

  it('every row has syntactically valid ID and value paths, indexed lookups and known comparators', () => {
    const problems: string[] = [];
    for (const { service, name, spec } of rows) {
      const where = `${service.service}.${name}`;
      const ids = [...spec.id, ...(spec.targets ?? []).flatMap((t) => [...(t.id ?? []), ...(t.unmanaged_id ?? [])]), ...(spec.kind_by ? [spec.kind_by.path] : [])];
      for (const p of ids) if (!PATH.test(p)) problems.push(`${where}: id path ${p}`);
      const lookups = [...(spec.targets ? spec.targets.map((t) => t.lookup) : [spec.lookup]), ...(spec.arn_lookup ? [spec.arn_lookup] : [])];
      for (const l of lookups) if (!INDEXED_FIELDS.has(l)) problems.push(`${where}: lookup ${l} is not an indexed state attribute`);
      const changes = [...spec.changes, ...(spec.targets ?? []).flatMap((t) => t.changes)];
      for (const c of changes) {
        if (typeof c.value === 'string' && !PATH.test(c.value)) problems.push(`${where}: value path ${c.value}`);
        if (!(c.compare in COMPARATORS)) problems.push(`${where}: comparator ${c.compare}`);
      }
      for (const t of spec.targets ?? []) {
        for (const p of Object.values(t.also ?? {})) if (!PATH.test(p)) problems.push(`${where}: also path ${p}`);
        if (t.match && !(t.match.compare in COMPARATORS)) problems.push(`${where}: match comparator ${t.match.compare}`);
        if (t.match && !PATH.test(t.match.value)) problems.push(`${where}: match path ${t.match.value}`);
      }
      for (const key of Object.keys(spec.type_by_arn ?? {})) if (key.startsWith('^')) expect(() => new RegExp(key)).not.toThrow();
    }
    expect(problems).toEqual([]);
  });

  it('resolve same-named events by event source (CreateCluster, TagResource, CreateAlias)', () => {
    const typeOf = (source: string, name: string): string | undefined => {
      const row = [...tables.byEvent.values()].find((r) => r.service.event_source === source && r.service.events[name] !== undefined);
      return row?.service.events[name].resource_type ?? row?.service.events[name].targets?.[0]?.type;
    };
    expect(typeOf('eks.amazonaws.com', 'CreateCluster')).toBe('aws_eks_cluster');
    expect(typeOf('ecs.amazonaws.com', 'CreateCluster')).toBe('aws_ecs_cluster');
    expect(typeOf('redshift.amazonaws.com', 'CreateCluster')).toBe('aws_redshift_cluster');
    expect(typeOf('cloudhsm.amazonaws.com', 'CreateCluster')).toBe('aws_cloudhsm_v2_cluster');
    expect(typeOf('kms.amazonaws.com', 'CreateAlias')).toBe('aws_kms_alias');
    expect(typeOf('lambda.amazonaws.com', 'CreateAlias20150331')).toBe('aws_lambda_alias');
    expect(typeOf('sns.amazonaws.com', 'TagResource')).toBe('aws_sns_topic');
    expect(typeOf('dynamodb.amazonaws.com', 'TagResource')).toBe('aws_dynamodb_table');
  });

  it('give every deliberately unmapped write event a reason, and never map and exclude the same event', () => {
    for (const s of tables.services) {
      for (const [name, reason] of Object.entries(s.unmapped)) {
        expect(reason.length, `${s.service}.${name}`).toBeGreaterThan(10);
        expect(s.events[name], `${s.service}.${name} is both mapped and unmapped`).toBeUndefined();
      }
    }
  });
});

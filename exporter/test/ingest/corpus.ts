import path from 'node:path';
import { expandPaths, readInputFile } from '../../src/ingest/records.js';
import { falcoFieldsFromCloudTrail } from '../../src/providers/aws/falco-fields.js';
import type { FalcoResponse } from '../../src/ingest/proto.js';
import { CORPUS } from '../helpers/cli.js';

/**
 * The corpus's real CloudTrail records (every source: Stratus Red Team, cloud-custodian,
 * trailscraper, plaso, panther), keeping those with a unique eventID so that "processed once"
 * is well defined.
 */
export async function corpusCloudTrail(): Promise<Record<string, unknown>[]> {
  const files = await expandPaths([path.join(CORPUS, 'cloudtrail')]);
  const all: Record<string, unknown>[] = [];
  for (const f of files.filter((x) => /\.(json|jsonl|gz)$/.test(x))) {
    for (const item of await readInputFile(f, 'cloudtrail')) {
      const v = item.kind === 'record' ? (item.value as Record<string, unknown>) : null;
      if (v && typeof v.eventID === 'string' && typeof v.eventName === 'string' && typeof v.eventSource === 'string') all.push(v);
    }
  }
  const counts = new Map<string, number>();
  for (const r of all) counts.set(r.eventID as string, (counts.get(r.eventID as string) ?? 0) + 1);
  return all.filter((r) => counts.get(r.eventID as string) === 1);
}

/** A gRPC `response` as Falco 0.43 sends it for a cloudtrail-plugin alert: every field a string. */
export function responseFromCloudTrail(r: Record<string, unknown>): FalcoResponse {
  const fields = Object.fromEntries(Object.entries(falcoFieldsFromCloudTrail(r)).map(([k, v]) => [k, String(v)]));
  const ms = Date.parse(String(r.eventTime)) || Date.now();
  return {
    time: { seconds: String(Math.floor(ms / 1000)), nanos: (ms % 1000) * 1e6 },
    priority: 4,
    source_deprecated: 3,
    rule: 'Terraform drift: AWS write',
    output: `${fields['ct.name']} by ${fields['ct.user']}`,
    output_fields: fields,
    hostname: 'falco-grpc-0',
    tags: ['cloud', 'aws', 'terraform_drift'],
    source: 'aws_cloudtrail',
  };
}

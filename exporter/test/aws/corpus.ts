import path from 'node:path';
import { expandPaths, readInputFile } from '../../src/ingest/records.js';
import { auditEventFromCloudTrail } from '../../src/providers/aws/record.js';
import type { AuditEvent } from '../../src/model/event.js';
import { CORPUS } from '../helpers/cli.js';

export const CLOUDTRAIL_CORPUS = path.join(CORPUS, 'cloudtrail');

export interface CorpusRecord {
  where: string;
  raw: unknown;
  event: AuditEvent;
}

/** Every CloudTrail record of the corpus, whatever its container (S3 file, array, EventBridge, LookupEvents lines). */
export async function cloudTrailCorpus(dir = CLOUDTRAIL_CORPUS): Promise<{ records: CorpusRecord[]; bad: string[] }> {
  const records: CorpusRecord[] = [];
  const bad: string[] = [];
  // `*.index.json` files are the corpus builder's sidecars (which rule test each record came from), not records.
  const files = (await expandPaths([dir])).filter((f) => !f.endsWith('.index.json'));
  for (const file of files) {
    for (const item of await readInputFile(file, 'auto')) {
      if (item.kind !== 'record' || item.provider !== 'aws') {
        bad.push(`${item.where}: ${item.kind === 'error' ? item.message : item.kind}`);
        continue;
      }
      records.push({ where: item.where, raw: item.value, event: auditEventFromCloudTrail(item.value) });
    }
  }
  return { records, bad };
}

/** A write the exporter must consider: not read-only, not failed. */
export function isWrite(e: AuditEvent): boolean {
  return !e.readOnly && !e.errorCode;
}

/** True when the record carries nothing any mapping could name a resource from. */
export function carriesNoIdentifiers(e: AuditEvent): boolean {
  const empty = (v: unknown): boolean => v === null || v === undefined || (typeof v === 'object' && Object.keys(v as object).length === 0);
  return empty(e.request) && empty(e.response) && e.resources.length === 0;
}

/**
 * True when none of the parameters a row reads its ID from (the last step of each ID path:
 * `groupId`, `queueUrl`, `domainName`) occurs anywhere in the record: the record names no resource
 * this row could find (sanitised test records often drop exactly that parameter).
 */
export function lacksIdParameters(e: AuditEvent, idPaths: readonly string[]): boolean {
  const text = JSON.stringify([e.request, e.response, e.resources]);
  return idPaths.every((p) => {
    const leaf = p.split('.').filter((s) => s !== '*').pop() ?? p;
    return leaf === 'request' || leaf === 'response' || !text.includes(`"${leaf}"`);
  });
}

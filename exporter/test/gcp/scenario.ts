import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runReplay, type ReplaySummary } from '../../src/cli/commands/replay.js';
import type { DriftRecord } from '../../src/model/drift.js';
import type { Output } from '../../src/outputs/types.js';
import { CORPUS, EXPORTER_DIR } from '../helpers/cli.js';

export const GCP_FIXTURES = path.join(EXPORTER_DIR, 'test/fixtures/gcp');
export const AZURE_FIXTURES = path.join(EXPORTER_DIR, 'test/fixtures/azure');

export function readJson<T = unknown>(file: string): T {
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

/** Panther's GCP rule-test records (a JSON array), by index. */
export function pantherGcp(index: number): Record<string, unknown> {
  return readJson<Record<string, unknown>[]>(path.join(CORPUS, 'gcp/panther-analysis/panther_gcp_auditlog_rule_tests.json'))[index];
}

export function plasoGcp(pred: (r: Record<string, unknown>) => boolean): Record<string, unknown>[] {
  return readFileSync(path.join(CORPUS, 'gcp/plaso/gcp_logging.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter(pred);
}

/** Writes records to a temporary events file (JSON lines), for `replay --events`. */
export function eventsFile(records: unknown[], name = 'events.jsonl'): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'tfdrift-events-'));
  const file = path.join(dir, name);
  writeFileSync(file, records.map((r) => JSON.stringify(r)).join('\n') + '\n');
  return file;
}

/** `tfdrift replay` in-process: the drift records it would print, and its summary. */
export async function replay(states: string[], events: string[], format: 'auto' | 'gcp' | 'azure' | 'falco' = 'auto'): Promise<{ records: DriftRecord[]; summary: ReplaySummary; exitCode: number }> {
  const records: DriftRecord[] = [];
  const output: Output = { name: 'capture', send: (r) => void records.push(r), queueLength: () => 0, flush: async () => {}, close: async () => {} };
  const { summary, exitCode } = await runReplay({ state: states, events, format, output: 'jsonl', quiet: true }, output);
  return { records, summary, exitCode };
}

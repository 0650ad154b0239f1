import { isGcpLogEntry } from '../../providers/gcp/record.js';

export type DecodedEntry =
  | { kind: 'record'; record: Record<string, unknown> }
  | { kind: 'poison'; reason: string; message: string };

/** The LogEntry a log sink publishes as one message's data (JSON, the whole entry). */
export function decodeLogEntryMessage(data: Buffer | Uint8Array | undefined): DecodedEntry {
  const text = data ? Buffer.from(data).toString('utf8') : '';
  if (text.trim() === '') return { kind: 'poison', reason: 'empty_body', message: 'empty message data' };
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    return { kind: 'poison', reason: 'invalid_json', message: `data is not JSON (${(err as Error).message})` };
  }
  if (!isGcpLogEntry(doc)) return { kind: 'poison', reason: 'not_a_log_entry', message: 'data is not a Cloud Audit Logs LogEntry (no protoPayload)' };
  return { kind: 'record', record: doc };
}

import type TransportStream from 'winston-transport';
import type { DriftRecord } from '../model/drift.js';
import type { Output } from './types.js';

/** triple-beam's MESSAGE: the formatted line winston transports write. */
const MESSAGE = Symbol.for('message');
const LEVEL = Symbol.for('level');

/** Any winston transport that takes drift records as `info.record` (ours, or winston-loki for comparison). */
export interface RecordTransport extends TransportStream {
  queueLength?(): number;
  flush?(): Promise<void>;
  close?(): unknown;
}

/**
 * Feeds drift records to a winston transport as log entries: message = the record JSON, `record` = the
 * object, `labels` = for transports that take labels from the entry (winston-loki). Calls the transport
 * directly instead of through a Logger's stream pipe so that our transport has spooled the record
 * before send() returns.
 */
export function transportOutput(name: string, transport: RecordTransport, labels?: (r: DriftRecord) => Record<string, string>): Output {
  return {
    name,
    send(record) {
      const line = JSON.stringify(record);
      transport.log!({ level: 'info', [LEVEL]: 'info', message: line, [MESSAGE]: line, record, ...(labels ? { labels: labels(record) } : {}) }, () => {});
    },
    queueLength: () => transport.queueLength?.() ?? 0,
    flush: async () => {
      await transport.flush?.();
    },
    close: async () => {
      await transport.close?.();
    },
  };
}

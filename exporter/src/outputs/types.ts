import type { DriftRecord } from '../model/drift.js';

/** A destination for drift records. `send` must not throw; failures are the output's to retry or count. */
export interface Output {
  readonly name: string;
  send(record: DriftRecord): void;
  /**
   * The record as its JSON text (replay's readers serialise each record once): outputs that write
   * JSON take it as it is; without this method the record is parsed and given to `send`.
   */
  sendJson?(json: string): void;
  /** Records waiting (memory + spool), for tfdrift_output_queue_length. */
  queueLength(): number;
  /** Deliver what is buffered; resolves when done or given up (and spooled). */
  flush(): Promise<void>;
  close(): Promise<void>;
}

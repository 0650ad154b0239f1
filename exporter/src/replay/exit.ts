import { EXIT } from '../cli/exit.js';

/** Replay's exit codes: the shared ones plus 4 for unmapped events under --strict. */
export const REPLAY_EXIT = { ...EXIT, unmapped: 4 } as const;

/** Control characters and other unprintables, shown escaped so no raw bytes reach a terminal. */
export function printable(text: string, max = 300): string {
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\ufffd]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).replace(/[\r\n\t]+/g, ' ');
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}

/** `<where>: <what> (<hint>)`: the message of a CliError (the CLI prefixes "tfdrift: "). */
export function errorText(where: string, what: string, hint?: string): string {
  return `${printable(where)}: ${printable(what)}${hint ? ` (${hint})` : ''}`;
}

/** One error line in the CLI's style: `tfdrift: <where>: <what> (<hint>)`. */
export function formatError(where: string, what: string, hint?: string): string {
  return `tfdrift: ${errorText(where, what, hint)}`;
}

/**
 * Precedence: input that could not be read (2) over unmapped events under --strict (4) over drift
 * with --fail-on-drift (3): a job must not trust a verdict on input it could not fully read.
 */
export function exitCodeFor(r: { bad: boolean; unmapped: number; drifts: number; strict?: boolean; failOnDrift?: boolean }): number {
  if (r.bad) return REPLAY_EXIT.badInput;
  if (r.strict && r.unmapped > 0) return REPLAY_EXIT.unmapped;
  if (r.failOnDrift && r.drifts > 0) return REPLAY_EXIT.drift;
  return REPLAY_EXIT.ok;
}

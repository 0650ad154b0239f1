/** Exit codes shared by every command. */
export const EXIT = { ok: 0, error: 1, badInput: 2, drift: 3 } as const;

export class CliError extends Error {
  constructor(
    message: string,
    readonly code: number = EXIT.badInput,
  ) {
    super(message);
  }
}

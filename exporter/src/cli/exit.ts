/**
 * Exit codes and the one error style of every command: `tfdrift: <where>: <what> (<hint>)`.
 * Kept free of imports so any command (and the CLI's start-up path) can use it for nothing.
 */

/** Exit codes shared by every command (DESIGN.md). */
export const EXIT = { ok: 0, error: 1, badInput: 2, drift: 3, unmapped: 4 } as const;

export interface ErrorParts {
  /** The file, record, option or command the problem is about (`events.json:12`, `--state`, `config check`). */
  where?: string;
  /** What is wrong, in plain words, without a trailing full stop. */
  what: string;
  /** What to do about it; printed in parentheses. */
  hint?: string;
}

/** `<where>: <what> (<hint>)`, without the `tfdrift: ` prefix. */
export function describeError({ where, what, hint }: ErrorParts): string {
  return `${where ? `${where}: ` : ''}${what}${hint ? ` (${hint})` : ''}`;
}

/** One line (or, for multi-line `what`, one block) in the CLI's error style. */
export function formatError(parts: ErrorParts): string {
  return `tfdrift: ${describeError(parts)}`;
}

/** `tfdrift: warning: <where>: <what> (<hint>)` — something to know, not an error. */
export function formatWarning(parts: ErrorParts): string {
  return `tfdrift: warning: ${describeError(parts)}`;
}

/** An error a command reports to the user and ends with; `code` is the process exit code. */
export class CliError extends Error {
  readonly where?: string;
  readonly what: string;
  readonly hint?: string;

  constructor(
    message: string | ErrorParts,
    readonly code: number = EXIT.badInput,
  ) {
    const parts = typeof message === 'string' ? { what: message } : message;
    super(describeError(parts));
    this.name = 'CliError';
    this.where = parts.where;
    this.what = parts.what;
    this.hint = parts.hint;
  }
}

const FS_ERRORS: Record<string, ErrorParts & { where?: never }> = {
  ENOENT: { what: 'no such file or directory', hint: 'check the path' },
  EACCES: { what: 'permission denied', hint: 'check the file permissions' },
  EPERM: { what: 'operation not permitted', hint: 'check the file permissions' },
  EISDIR: { what: 'is a directory', hint: 'expected a file' },
  ENOTDIR: { what: 'a component of the path is not a directory', hint: 'check the path' },
  EMFILE: { what: 'too many open files', hint: 'raise the open-file limit (ulimit -n)' },
  ELOOP: { what: 'too many symbolic links', hint: 'check the path' },
};

function isErrnoError(err: unknown): err is NodeJS.ErrnoException {
  return err instanceof Error && typeof (err as NodeJS.ErrnoException).code === 'string' && typeof (err as NodeJS.ErrnoException).syscall === 'string';
}

/**
 * A Node file-system error (ENOENT, EISDIR, ...) in the CLI's words, named by `where` (the file as
 * the user wrote it) — never Node's raw `EISDIR: illegal operation on a directory, read`.
 */
export function fsErrorParts(err: unknown, where: string): ErrorParts {
  if (isErrnoError(err)) {
    const known = FS_ERRORS[err.code as string];
    if (known) return { where, ...known };
    return { where, what: `cannot ${err.syscall ?? 'read'} (${err.code})` };
  }
  return { where, what: err instanceof Error ? err.message : String(err) };
}

/**
 * Turns anything a command threw into one line in the one style, written once, and the exit code:
 * CliError keeps its code, input/config/file-system errors are bad input (2), anything else is 1.
 */
export function reportError(err: unknown, write: (text: string) => void = (t) => void process.stderr.write(t)): number {
  if (err instanceof CliError) {
    write(`${formatError(err)}\n`);
    return err.code;
  }
  if (isErrnoError(err) && FS_ERRORS[err.code as string]) {
    const parts = fsErrorParts(err, err.path ?? '');
    write(`${formatError(err.path ? parts : { ...parts, where: undefined, what: `a file or directory given: ${parts.what}` })}\n`);
    return EXIT.badInput;
  }
  const message = err instanceof Error ? err.message : String(err);
  // ConfigError and InputError (util/errors.ts) already name where; both are bad input.
  const problems = (err as { problems?: unknown }).problems;
  if (err instanceof Error && err.name === 'ConfigError' && Array.isArray(problems)) {
    for (const problem of problems) write(`tfdrift: ${String(problem)}\n`);
    return EXIT.badInput;
  }
  if (err instanceof Error && err.name === 'InputError') {
    write(`tfdrift: ${message}\n`);
    return EXIT.badInput;
  }
  write(`tfdrift: ${message}\n`);
  return EXIT.error;
}

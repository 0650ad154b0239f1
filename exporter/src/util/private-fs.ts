import { chmodSync, mkdirSync } from 'node:fs';

/**
 * Everything under storage.dir (journal segments with raw alerts, open drifts, spools, checkpoints)
 * can carry request parameters with secrets: directories are created 0700 and files 0600, whatever
 * the umask. An existing directory is narrowed to 0700 too, so files an older version left 0644
 * are no longer reachable by other users.
 */
export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  chmodSync(dir, PRIVATE_DIR_MODE);
}

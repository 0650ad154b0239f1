import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { StateSourceConfig } from '../config.js';
import type { FetchedState, StateBackend } from './types.js';
import { InputError, errorMessage } from '../../util/errors.js';

export function localBackend(config: StateSourceConfig, baseDir = process.cwd()): StateBackend {
  const file = path.resolve(baseDir, config.path ?? '');
  return {
    kind: 'local',
    describe: () => file,
    async fetch(previous: string | null): Promise<FetchedState[] | null> {
      let version: string;
      try {
        const st = await stat(file);
        version = `${st.size}:${st.mtimeMs}`;
      } catch (err) {
        throw new InputError(`cannot read state file (${errorMessage(err)})`, 'state_unreadable', file);
      }
      if (previous !== null && previous === version) return null;
      return [{ text: await readFile(file, 'utf8'), location: file, version }];
    },
  };
}

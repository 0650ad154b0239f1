import { type FSWatcher, watch, watchFile, unwatchFile } from 'node:fs';
import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { StateSourceConfig } from '../config.js';
import type { FetchedState, StateBackend } from './types.js';
import { globToRegExp, isGlob, literalPrefix } from './util.js';
import { InputError, errorMessage } from '../../util/errors.js';

const DEBOUNCE_MS = 300;
const POLL_MS = 2000;

/** Files a glob names: walks the directory before the first wildcard. */
async function expandGlob(pattern: string): Promise<string[]> {
  const posix = pattern.split(path.sep).join('/');
  const base = literalPrefix(posix).replace(/[^/]*$/, '') || './';
  const re = globToRegExp(posix);
  let names: string[];
  try {
    names = (await readdir(base, { recursive: true })) as string[];
  } catch (err) {
    throw new InputError(`cannot list state directory (${errorMessage(err)})`, 'state_unreadable', base);
  }
  return names
    .map((n) => path.posix.join(base, n.split(path.sep).join('/')))
    .filter((f) => re.test(f))
    .sort();
}

async function version(file: string): Promise<string> {
  try {
    const st = await stat(file);
    return `${st.size}:${st.mtimeMs}`;
  } catch (err) {
    throw new InputError(`cannot read state file (${errorMessage(err)})`, 'state_unreadable', file);
  }
}

/**
 * A state file, or a glob of them (`states/**\/*.tfstate`). Change detection by size+mtime;
 * `watch` reacts to writes (fs.watch on the directory, so atomic rename-replace is seen),
 * debounced, and falls back to stat polling where fs.watch is unavailable (some network
 * file systems).
 */
export function localBackend(config: StateSourceConfig, baseDir = process.cwd()): StateBackend {
  const target = path.resolve(baseDir, config.path ?? '');
  const glob = isGlob(config.path ?? '');
  return {
    kind: 'local',
    describe: () => target,
    async fetch(previous, known): Promise<FetchedState[] | null> {
      const files = glob ? await expandGlob(target) : [target];
      if (glob && files.length === 0) throw new InputError('no state file matches this pattern', 'state_unreadable', target);
      const versions = await Promise.all(files.map(version));
      const combined = files.map((f, i) => `${f}=${versions[i]}`).join('|');
      if (previous !== null && previous === combined) return null;
      return Promise.all(
        files.map(async (file, i): Promise<FetchedState> => {
          if (known?.get(file) === versions[i]) return { text: '', location: file, version: versions[i], unchanged: true };
          return { text: await readFile(file, 'utf8'), location: file, version: versions[i] };
        }),
      );
    },
    watch(onChange) {
      let timer: NodeJS.Timeout | null = null;
      const fire = (): void => {
        if (timer) clearTimeout(timer);
        timer = setTimeout(onChange, DEBOUNCE_MS);
        timer.unref();
      };
      const dir = glob ? literalPrefix(target).replace(/[^/]*$/, '') || '.' : path.dirname(target);
      const wanted = glob ? globToRegExp(target.split(path.sep).join('/')) : null;
      let watcher: FSWatcher | null = null;
      let poll: NodeJS.Timeout | null = null;
      try {
        watcher = watch(dir, { recursive: glob, persistent: false }, (_event, name) => {
          if (name === null) return fire();
          const full = path.join(dir, name.toString());
          if (wanted ? wanted.test(full.split(path.sep).join('/')) : full === target) fire();
        });
        watcher.on('error', () => {
          watcher?.close();
          watcher = null;
          startPolling();
        });
      } catch {
        startPolling();
      }
      function startPolling(): void {
        if (!glob) {
          watchFile(target, { interval: POLL_MS, persistent: false }, fire);
          return;
        }
        let last = '';
        poll = setInterval(() => {
          void expandGlob(target)
            .then(async (files) => `${files.join('|')}#${(await Promise.all(files.map((f) => version(f).catch(() => '')))).join('|')}`)
            .then((v) => {
              if (last !== '' && v !== last) fire();
              last = v;
            }, () => undefined);
        }, POLL_MS);
        poll.unref();
      }
      return () => {
        if (timer) clearTimeout(timer);
        watcher?.close();
        if (poll) clearInterval(poll);
        if (!glob) unwatchFile(target, fire);
      };
    },
  };
}

import path from 'node:path';
import { StateStore } from '../state/store.js';
import type { StateSourceConfig } from '../state/config.js';
import { stateSourceFromUri } from '../state/uri.js';
import { inferStateScope } from '../state/infer.js';
import { createStateBackend } from '../state/backends/registry.js';
import type { FetchedState, StateBackend } from '../state/backends/types.js';
import { loadConfigFile } from '../config/load.js';
import { silentLogger } from '../util/logger.js';
import { errorMessage } from '../util/errors.js';
import { CliError } from '../cli/exit.js';
import { errorText, formatError } from './exit.js';

/** The message without the location the caller already names, and without errno noise. */
function tidy(message: string, location: string | undefined): string {
  let m = location && message.startsWith(`${location}: `) ? message.slice(location.length + 2) : message;
  m = m.replace(/\(ENOENT: no such file or directory[^)]*\)/, '(no such file)').replace(/\(EACCES: permission denied[^)]*\)/, '(permission denied)');
  return m;
}

/** A backend that answers its first fetch with what was already downloaded (to read the state's scope). */
function prefetched(backend: StateBackend, first: FetchedState[] | null): StateBackend {
  let used = false;
  return {
    kind: backend.kind,
    describe: () => backend.describe(),
    fetch: (previous, known) => {
      if (used) return backend.fetch(previous, known);
      used = true;
      return Promise.resolve(first);
    },
  };
}

/**
 * `--state` takes what `state inspect` takes: a file path or glob, s3://, gs://, azurerm://,
 * http(s)://, tfe:// or remote://. Without --account-id the cloud and account come from the state
 * itself. A state that cannot be loaded is one error; warnings follow only for states that loaded.
 */
export async function loadReplayStates(
  srcs: string[],
  opts: { accountId?: string; config?: string; warn: (line: string) => void },
): Promise<StateStore> {
  const configs: StateSourceConfig[] = opts.config ? loadConfigFile(opts.config).states : [];
  const backends = new Map<string, StateBackend>();
  const unscoped: string[] = [];
  const names = new Set(configs.map((c) => c.name));
  for (const src of srcs) {
    const remote = /^[a-z0-9+]+:\/\//i.test(src);
    let name = (remote ? src.replace(/^[a-z0-9+]+:\/\//i, '') : path.basename(src)).replace(/[^A-Za-z0-9_.-]+/g, '_').slice(0, 80) || 'state';
    for (let i = 2; names.has(name); i++) name = `${name.replace(/_\d+$/, '')}_${i}`;
    names.add(name);
    let config: StateSourceConfig;
    try {
      config = remote ? stateSourceFromUri(src, { name, accountId: opts.accountId }) : stateSourceFromUri(src, { name, accountId: opts.accountId });
      // Local paths keep the path as given: it is what records show as state_source.
      if (!remote && config.backend === 'local') config = { ...config, path: src };
    } catch (err) {
      throw new CliError(errorText(`--state ${src}`, errorMessage(err).replace(/^"[^"]*": /, '')));
    }
    const backend = createStateBackend(config);
    let fetched: FetchedState[] | null;
    try {
      fetched = await backend.fetch(null);
    } catch (err) {
      throw new CliError(errorText(`--state ${src}`, tidy(errorMessage(err), backend.describe())));
    }
    const text = fetched?.[0]?.text ?? '';
    const scope = inferStateScope(text);
    config = { ...config, provider: scope.provider ?? config.provider };
    if (!opts.accountId && scope.accountId) config = { ...config, account_id: scope.accountId } as StateSourceConfig;
    if (!opts.accountId && !scope.accountId) unscoped.push(src);
    backends.set(name, prefetched(backend, fetched));
    configs.push(config);
  }
  if (configs.length === 0) throw new CliError(errorText('replay', 'no state to compare with', 'pass --state FILE|URI, or --config with states'));
  const store = new StateStore(configs, null, silentLogger(), (c) => backends.get(c.name) ?? createStateBackend(c));
  const loaded = await store.reload();
  if (loaded.errors.length > 0) {
    const fromCli = configs.length - srcs.length;
    const where = new Map(configs.map((c, i) => [c.name, i >= fromCli ? `--state ${srcs[i - fromCli]}` : `state ${c.name}`]));
    const location = new Map(store.statuses().map((s) => [s.name, s.location]));
    const lines = loaded.errors.map((e) => formatError(where.get(e.name) ?? `state ${e.name}`, tidy(e.error, location.get(e.name))));
    throw new CliError(lines.join('\n').replace(/^tfdrift: /, ''));
  }
  for (const src of unscoped)
    opts.warn(`tfdrift: warning: --state ${src}: no account evident in the state (no ARNs/project/subscription IDs); it will match events of every account (pass --account-id or use --config)`);
  return store;
}

import type { StateSourceConfig } from '../config.js';
import { localBackend } from './local.js';
import type { StateBackend, StateBackendFactory } from './types.js';
import { ConfigError } from '../../util/errors.js';

/** One file per backend; add a backend by adding a line here. */
const factories: Partial<Record<StateSourceConfig['backend'], StateBackendFactory>> = {
  local: (c) => localBackend(c),
};

export function registerStateBackend(kind: StateSourceConfig['backend'], factory: StateBackendFactory): void {
  factories[kind] = factory;
}

export function createStateBackend(config: StateSourceConfig): StateBackend {
  const factory = factories[config.backend];
  if (!factory) throw new ConfigError([`states.${config.name}.backend: "${config.backend}" is not available in this build`]);
  return factory(config);
}

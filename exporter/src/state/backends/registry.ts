import type { StateSourceConfig } from '../config.js';
import { localBackend } from './local.js';
import { s3Backend } from './s3.js';
import { gcsBackend } from './gcs.js';
import { azurermBackend } from './azurerm.js';
import { httpBackend } from './http.js';
import { remoteBackend } from './remote.js';
import type { StateBackend, StateBackendFactory } from './types.js';
import { ConfigError } from '../../util/errors.js';

/** One file per backend; add a backend by adding a line here. */
const factories: Partial<Record<StateSourceConfig['backend'], StateBackendFactory>> = {
  local: (c) => localBackend(c),
  s3: (c) => s3Backend(c),
  gcs: (c) => gcsBackend(c),
  azurerm: (c) => azurermBackend(c),
  http: (c) => httpBackend(c),
  remote: (c) => remoteBackend(c),
};

export function registerStateBackend(kind: StateSourceConfig['backend'], factory: StateBackendFactory): void {
  factories[kind] = factory;
}

export function createStateBackend(config: StateSourceConfig): StateBackend {
  const factory = factories[config.backend];
  if (!factory) throw new ConfigError([`states.${config.name}.backend: "${config.backend}" is not available in this build`]);
  return factory(config);
}

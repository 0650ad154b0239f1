import path from 'node:path';
import { type StateSourceConfig, stateSource } from './config.js';

export interface UriOptions {
  name?: string;
  provider?: StateSourceConfig['provider'];
  accountId?: string;
  region?: string;
  /** API endpoint override (MinIO, Azurite, a TFE address, a local test server). */
  endpoint?: string;
}

const SCHEMES = 's3://bucket/key, gs://bucket/key, azurerm://account/container/key, https://…, tfe://[host/]org/workspace, or a file path';

/**
 * A state source from one string, for `--state` on the command line:
 * `s3://bucket/env:/*\/terraform.tfstate`, `gs://bucket/prefix/default.tfstate`,
 * `azurerm://account/container/prod.terraform.tfstate`, `https://state.example.com/prod`,
 * `tfe://my-org/prod-*` or `tfe://tfe.example.com/my-org/prod`, or a local path or glob.
 */
export function stateSourceFromUri(uri: string, opts: UriOptions = {}): StateSourceConfig {
  const common = {
    name: opts.name ?? (uri.replace(/^[a-z0-9+]+:\/\//i, '').replace(/[^A-Za-z0-9_.-]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 80) || 'state'),
    provider: opts.provider ?? 'aws',
    reload_interval_seconds: 0,
    ...(opts.accountId ? { account_id: opts.accountId } : {}),
    ...(opts.region ? { region: opts.region } : {}),
    ...(opts.endpoint ? { endpoint: opts.endpoint } : {}),
  } as const;
  const m = /^([a-z0-9+]+):\/\/([^/]*)\/?(.*)$/i.exec(uri);
  if (!m) return stateSource({ ...common, backend: 'local', path: path.resolve(uri) });
  const [, scheme, first, rest] = m;
  switch (scheme.toLowerCase()) {
    case 's3':
      if (!rest) throw new Error(`"${uri}": expected s3://bucket/key`);
      return stateSource({ ...common, backend: 's3', bucket: first, key: rest });
    case 'gs':
    case 'gcs':
      if (!rest) throw new Error(`"${uri}": expected gs://bucket/key`);
      return stateSource({ ...common, backend: 'gcs', bucket: first, key: rest });
    case 'azurerm':
    case 'azblob': {
      const slash = rest.indexOf('/');
      if (slash <= 0) throw new Error(`"${uri}": expected azurerm://account/container/key`);
      return stateSource({ ...common, backend: 'azurerm', storage_account_name: first, container_name: rest.slice(0, slash), key: rest.slice(slash + 1) });
    }
    case 'http':
    case 'https':
      return stateSource({ ...common, backend: 'http', url: uri });
    case 'tfe':
    case 'remote': {
      const parts = [first, ...rest.split('/')].filter((p) => p !== '');
      if (parts.length === 1 && /^ws-/.test(parts[0])) return stateSource({ ...common, backend: 'remote', workspace_id: parts[0] });
      if (parts.length === 2) return stateSource({ ...common, backend: 'remote', organization: parts[0], workspace: parts[1] });
      if (parts.length === 3) return stateSource({ ...common, backend: 'remote', hostname: parts[0], organization: parts[1], workspace: parts[2] });
      throw new Error(`"${uri}": expected tfe://org/workspace or tfe://host/org/workspace`);
    }
    case 'file':
      return stateSource({ ...common, backend: 'local', path: path.resolve(`/${first}/${rest}`.replace(/^\/+/, '/')) });
    default:
      throw new Error(`"${uri}": unknown scheme "${scheme}"; expected ${SCHEMES}`);
  }
}

import type { ProviderId } from '../model/event.js';

/** Where a snapshot came from and which account/region it speaks for. */
export interface StateSourceInfo {
  name: string;
  /** Human location, e.g. `s3://bucket/key` or a file path; goes into `state_source`. */
  location: string;
  provider: ProviderId;
  accountId: string | null;
  region: string | null;
}

export interface StateResource {
  /** Full address, e.g. `module.net.aws_security_group.web["a"]`. */
  address: string;
  type: string;
  name: string;
  module: string | null;
  indexKey: string | number | null;
  /** aws | gcp | azure, or the raw provider name for others (github, random...). */
  provider: string;
  providerAlias: string | null;
  attributes: Record<string, unknown>;
  /** Attribute paths (dotted, top-level first) whose values must never leave the process. */
  sensitivePaths: string[];
  source: StateSourceInfo;
}

export interface StateSnapshot {
  source: StateSourceInfo;
  serial: number | null;
  lineage: string | null;
  terraformVersion: string | null;
  /** `terraform` or `opentofu` when recognisable. */
  flavour: 'terraform' | 'opentofu' | 'unknown';
  resources: StateResource[];
  dataSourcesSkipped: number;
  loadedAt: number;
}

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Metrics } from '../../src/metrics/registry.js';
import { Pipeline } from '../../src/pipeline.js';
import { allProviders } from '../../src/providers/registry.js';
import { StateStore } from '../../src/state/store.js';
import type { StateSourceConfig } from '../../src/state/config.js';
import type { StateBackend } from '../../src/state/backends/types.js';
import { detectionConfigSchema } from '../../src/detect/config.js';
import { DriftLedger } from '../../src/detect/ledger.js';
import type { DriftRecord } from '../../src/model/drift.js';
import type { Output } from '../../src/outputs/types.js';
import { silentLogger } from '../../src/util/logger.js';
import { CORPUS } from '../helpers/cli.js';

/** Real CloudTrail records from the corpus, picked by a predicate. */
export function corpusRecords(file: string, pred: (r: Record<string, unknown>) => boolean = () => true): Record<string, unknown>[] {
  const doc = JSON.parse(readFileSync(path.join(CORPUS, 'cloudtrail', file), 'utf8')) as unknown;
  const list = (Array.isArray(doc) ? doc : (doc as { Records: unknown[] }).Records) as Record<string, unknown>[];
  return list.filter(pred);
}

export interface Resource {
  type: string;
  name: string;
  attributes: Record<string, unknown>;
  module?: string;
}

export function stateText(resources: Resource[], serial = 1): string {
  return JSON.stringify({
    version: 4, terraform_version: '1.9.8', serial, lineage: 'test-lineage',
    resources: resources.map((r) => ({
      mode: 'managed', type: r.type, name: r.name, ...(r.module ? { module: r.module } : {}),
      provider: 'provider["registry.terraform.io/hashicorp/aws"]',
      instances: [{ schema_version: 0, attributes: r.attributes, sensitive_attributes: [] }],
    })),
  });
}

/** A pipeline over in-memory states that tests can change and reload. */
export class Harness {
  readonly texts = new Map<string, string>();
  readonly records: DriftRecord[] = [];
  readonly metrics = new Metrics({ defaultMetrics: false });
  readonly states: StateStore;
  readonly pipeline: Pipeline;

  constructor(sources: { name: string; accountId: string; resources: Resource[] }[], detection: Record<string, unknown> = {}, ledgerFile: string | null = null) {
    const configs: StateSourceConfig[] = sources.map((s) => ({ name: s.name, backend: 'local', path: `${s.name}.tfstate`, provider: 'aws', account_id: s.accountId, reload_interval_seconds: 0 }));
    for (const s of sources) this.texts.set(s.name, stateText(s.resources));
    const backend = (c: StateSourceConfig): StateBackend => ({
      kind: 'memory',
      describe: () => `memory://${c.name}`,
      fetch: async (previous) => {
        const text = this.texts.get(c.name)!;
        const version = String(text.length) + text.slice(-40);
        return previous === version ? null : [{ text, location: `memory://${c.name}`, version }];
      },
    });
    this.states = new StateStore(configs, this.metrics, silentLogger(), backend);
    const sink: Output = { name: 'test', send: (r) => void this.records.push(r), queueLength: () => 0, flush: async () => {}, close: async () => {} };
    const cfg = detectionConfigSchema.parse(detection);
    this.pipeline = new Pipeline({
      providers: allProviders(), states: this.states, outputs: [sink], metrics: this.metrics, log: silentLogger(),
      detection: cfg, ledger: new DriftLedger(cfg.dedup_window_seconds * 1000, ledgerFile),
    });
  }

  /** Changes a state as `terraform apply` would: new content, serial + 1. */
  mutate(name: string, fn: (doc: { serial: number; resources: { type: string; name: string; instances: { attributes: Record<string, unknown> }[] }[] }) => void): void {
    const doc = JSON.parse(this.texts.get(name)!);
    fn(doc);
    doc.serial += 1;
    this.texts.set(name, JSON.stringify(doc));
  }

  async load(): Promise<this> {
    await this.states.reload();
    return this;
  }

  replay(records: Record<string, unknown>[]) {
    const aws = allProviders().find((p) => p.id === 'aws')!;
    return records.map((r) => this.pipeline.processRecord(aws, r, 'file'));
  }

  async counter(name: string, labels: Record<string, string>): Promise<number> {
    const metric = (await this.metrics.registry.getMetricsAsJSON()).find((m) => m.name === name);
    const v = (metric?.values ?? []).find((x) => Object.entries(labels).every(([k, val]) => x.labels[k] === val));
    return v ? Number(v.value) : 0;
  }
}

export const SG_ACCOUNT = '032092706103';
export const SG_ID = 'sg-003dc7f1f1c686164';
/** The managed SG the stratus "open port 22" record targets: only 443 from 10/8 in code. */
export function webSecurityGroup(extraIngress: unknown[] = []): Resource {
  return {
    type: 'aws_security_group', name: 'web', module: 'module.network',
    attributes: {
      id: SG_ID, arn: `arn:aws:ec2:us-northeast-1r:${SG_ACCOUNT}:security-group/${SG_ID}`, name: 'web',
      ingress: [{ protocol: 'tcp', from_port: 443, to_port: 443, cidr_blocks: ['10.0.0.0/8'], ipv6_cidr_blocks: [], security_groups: [], prefix_list_ids: [], self: false }, ...extraIngress],
      tags: { Name: 'web' },
    },
  };
}

export const openPort22 = () => corpusRecords('stratus-red-team/aws.exfiltration.ec2-security-group-open-port-22-ingress.json', (r) => r.eventName === 'AuthorizeSecurityGroupIngress');

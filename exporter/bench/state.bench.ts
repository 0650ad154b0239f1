import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseStateDocument } from '../src/state/parse.js';
import { StateIndex } from '../src/state/index.js';
import { StateStore } from '../src/state/store.js';
import { stateSource } from '../src/state/config.js';
import { silentLogger } from '../src/util/logger.js';
import type { Bench, BenchRow } from './harness.js';

const N = 50_000;
const ACCOUNT = '123456789012';
const AWS = 'provider["registry.terraform.io/hashicorp/aws"]';
const hex = (i: number, w = 17): string => i.toString(16).padStart(w, '0');
const tags = (i: number): Record<string, string> => ({ Name: `svc-${i}`, Team: `team-${i % 40}`, Environment: i % 3 ? 'prod' : 'staging', CostCenter: `cc-${i % 97}`, ManagedBy: 'terraform' });

/**
 * Instances shaped like real provider output (attribute names and sizes of AWS provider 5.x
 * state: long policy documents, rule lists, tags and tags_all, many empty/null attributes),
 * about 2 KB each once Terraform's 2-space indentation is added.
 */
function instance(i: number): { type: string; name: string; module?: string; attributes: Record<string, unknown> } {
  const region = ['us-east-1', 'eu-west-1', 'ap-southeast-2'][i % 3];
  switch (i % 6) {
    case 0: {
      const id = `sg-${hex(i)}`;
      return { type: 'aws_security_group', name: `sg_${i}`, module: `module.svc_${i % 500}`, attributes: {
        arn: `arn:aws:ec2:${region}:${ACCOUNT}:security-group/${id}`, description: 'Managed by Terraform', id, name: `svc-${i}-sg`, name_prefix: '', owner_id: ACCOUNT,
        egress: [{ cidr_blocks: ['0.0.0.0/0'], description: '', from_port: 0, ipv6_cidr_blocks: [], prefix_list_ids: [], protocol: '-1', security_groups: [], self: false, to_port: 0 }],
        ingress: [443, 8443].map((p) => ({ cidr_blocks: ['10.0.0.0/8', '172.16.0.0/12'], description: `https ${p}`, from_port: p, ipv6_cidr_blocks: [], prefix_list_ids: [], protocol: 'tcp', security_groups: [], self: false, to_port: p })),
        revoke_rules_on_delete: false, tags: tags(i), tags_all: tags(i), timeouts: null, vpc_id: `vpc-${hex(i % 50)}`,
      } };
    }
    case 1: {
      const id = `i-${hex(i)}`;
      return { type: 'aws_instance', name: `vm`, module: `module.svc_${i % 500}`, attributes: {
        ami: `ami-${hex(i % 20)}`, arn: `arn:aws:ec2:${region}:${ACCOUNT}:instance/${id}`, associate_public_ip_address: false, availability_zone: `${region}a`,
        cpu_core_count: 1, cpu_threads_per_core: 2, disable_api_stop: false, disable_api_termination: false, ebs_optimized: true, get_password_data: false, hibernation: false,
        iam_instance_profile: `svc-${i}-profile`, id, instance_initiated_shutdown_behavior: 'stop', instance_state: 'running', instance_type: 't3.medium', ipv6_address_count: 0, ipv6_addresses: [],
        key_name: '', metadata_options: [{ http_endpoint: 'enabled', http_put_response_hop_limit: 1, http_tokens: 'required', instance_metadata_tags: 'disabled' }], monitoring: true,
        primary_network_interface_id: `eni-${hex(i)}`, private_dns: `ip-10-0-${i % 250}-${i % 200}.ec2.internal`, private_ip: `10.0.${i % 250}.${i % 200}`, public_dns: '', public_ip: '',
        root_block_device: [{ delete_on_termination: true, device_name: '/dev/xvda', encrypted: true, iops: 3000, kms_key_id: `arn:aws:kms:${region}:${ACCOUNT}:key/${hex(i, 32)}`, throughput: 125, volume_id: `vol-${hex(i)}`, volume_size: 30, volume_type: 'gp3' }],
        subnet_id: `subnet-${hex(i % 300)}`, tags: tags(i), tags_all: tags(i), tenancy: 'default', user_data: null, user_data_replace_on_change: false, vpc_security_group_ids: [`sg-${hex(i - 1)}`],
      } };
    }
    case 2: {
      const policy = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }, { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/ci` }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'sts:ExternalId': `ext-${i}` } } }] });
      return { type: 'aws_iam_role', name: `role_${i}`, attributes: {
        arn: `arn:aws:iam::${ACCOUNT}:role/svc-${i}`, assume_role_policy: policy, create_date: '2024-05-01T10:00:00Z', description: '', force_detach_policies: false, id: `svc-${i}`,
        inline_policy: [], managed_policy_arns: ['arn:aws:iam::aws:policy/ReadOnlyAccess'], max_session_duration: 3600, name: `svc-${i}`, name_prefix: '', path: '/', permissions_boundary: '',
        tags: tags(i), tags_all: tags(i), unique_id: `AROA${hex(i, 17).toUpperCase()}`,
      } };
    }
    case 3:
      return { type: 'aws_iam_role_policy_attachment', name: `ro_${i}`, attributes: { id: `svc-${i - 1}-${hex(i, 20)}`, policy_arn: 'arn:aws:iam::aws:policy/ReadOnlyAccess', role: `svc-${i - 1}` } };
    case 4: {
      const bucket = `acme-${i}-${region}-data`;
      return { type: 'aws_s3_bucket', name: `data_${i}`, attributes: {
        acceleration_status: '', acl: null, arn: `arn:aws:s3:::${bucket}`, bucket, bucket_domain_name: `${bucket}.s3.amazonaws.com`, bucket_prefix: '', bucket_regional_domain_name: `${bucket}.s3.${region}.amazonaws.com`,
        cors_rule: [], force_destroy: false, grant: [{ id: hex(i, 64), permissions: ['FULL_CONTROL'], type: 'CanonicalUser', uri: '' }], hosted_zone_id: 'Z3AQBSTGFYJSTF', id: bucket,
        lifecycle_rule: [], logging: [], object_lock_configuration: [], object_lock_enabled: false, policy: '', region, replication_configuration: [], request_payer: 'BucketOwner',
        server_side_encryption_configuration: [{ rule: [{ apply_server_side_encryption_by_default: [{ kms_master_key_id: '', sse_algorithm: 'AES256' }], bucket_key_enabled: false }] }],
        tags: tags(i), tags_all: tags(i), timeouts: null, versioning: [{ enabled: true, mfa_delete: false }], website: [], website_domain: null, website_endpoint: null,
      } };
    }
    default:
      return { type: 'aws_route53_record', name: 'rec', module: `module.svc_${i % 500}`, attributes: {
        alias: [], allow_overwrite: null, cidr_routing_policy: [], failover_routing_policy: [], fqdn: `svc-${i}.internal.example.com`, geolocation_routing_policy: [], health_check_id: '',
        id: `Z0${hex(i % 30, 12).toUpperCase()}_svc-${i}.internal.example.com_A`, latency_routing_policy: [], multivalue_answer_routing_policy: false, name: `svc-${i}.internal.example.com`,
        records: [`10.0.${i % 250}.${i % 200}`], set_identifier: '', ttl: 300, type: 'A', weighted_routing_policy: [], zone_id: `Z0${hex(i % 30, 12).toUpperCase()}`,
      } };
  }
}

export function generate(): string {
  const resources = [];
  for (let i = 0; i < N; i++) {
    const r = instance(i);
    resources.push({
      ...(r.module ? { module: r.module } : {}), mode: 'managed', type: r.type, name: r.name, provider: AWS,
      instances: [{ schema_version: 1, attributes: r.attributes, sensitive_attributes: [], private: 'eyJzY2hlbWFfdmVyc2lvbiI6IjEifQ==', dependencies: [] }],
    });
  }
  // Terraform writes state with 2-space indentation.
  return JSON.stringify({ version: 4, terraform_version: '1.9.8', serial: 4711, lineage: 'bench-lineage', outputs: {}, resources, check_results: null }, null, 2);
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const mib = (b: number): number => b / 2 ** 20;

const bench: Bench = {
  name: `state load + index (${N.toLocaleString('en-US')}-resource generated state)`,
  async run() {
    const text = generate();
    const src = { name: 'bench', location: 'bench.tfstate', provider: 'aws' as const, accountId: ACCOUNT, region: null };
    global.gc?.();
    const rssBefore = process.memoryUsage().rss;
    const floor: number[] = [];
    const parse: number[] = [];
    const index: number[] = [];
    let idx: StateIndex | null = null;
    const cpu: number[] = [];
    const floorCpu: number[] = [];
    for (let run = 0; run < 5; run++) {
      const f0 = process.cpuUsage();
      let t = performance.now();
      JSON.parse(text);
      floor.push(performance.now() - t);
      const fc = process.cpuUsage(f0);
      floorCpu.push((fc.user + fc.system) / 1000);
      const c0 = process.cpuUsage();
      t = performance.now();
      const snap = parseStateDocument(text, src);
      parse.push(performance.now() - t);
      t = performance.now();
      idx = new StateIndex([snap]);
      index.push(performance.now() - t);
      const c = process.cpuUsage(c0);
      cpu.push((c.user + c.system) / 1000);
    }
    const rssLoaded = process.memoryUsage().rss;
    // Lookups against the built index (what each audit event costs).
    const lookups = 200_000;
    const queries = Array.from({ length: 5000 }, (_, k) => {
      const r = instance((k * 7919) % N);
      const field = r.type === 'aws_s3_bucket' ? 'bucket' : r.type === 'aws_iam_role_policy_attachment' ? 'role' : 'id';
      return { type: r.type, lookup: { field, value: String(r.attributes[field]) } };
    });
    let t = performance.now();
    let hits = 0;
    for (let k = 0; k < lookups; k++) {
      const q = queries[k % queries.length];
      hits += idx!.find('aws', ACCOUNT, [q.type], q.lookup).length > 0 ? 1 : 0;
    }
    const lookupSec = (performance.now() - t) / 1000;

    // The daemon path: local file → StateStore.reload (read, parse, index, swap), with the event loop watched.
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tfdrift-bench-'));
    const file = path.join(dir, 'big.tfstate');
    writeFileSync(file, text);
    const store = new StateStore([stateSource({ name: 'bench', backend: 'local', provider: 'aws', account_id: ACCOUNT, path: file, reload_interval_seconds: 0 })], null, silentLogger());
    const loop = monitorEventLoopDelay({ resolution: 2 });
    const c1 = process.cpuUsage();
    loop.enable();
    t = performance.now();
    await store.reload();
    const storeMs = performance.now() - t;
    const storeCpu = process.cpuUsage(c1);
    loop.disable();
    t = performance.now();
    await store.reload();
    const unchangedMs = performance.now() - t;
    const rssStore = process.memoryUsage().rss;
    rmSync(dir, { recursive: true, force: true });

    const f = median(floor);
    const p = median(parse);
    const ix = median(index);
    const rows: BenchRow[] = [
      { name: 'state text', value: mib(Buffer.byteLength(text)), unit: 'MiB', note: `${Math.round(Buffer.byteLength(text) / N)} B per resource instance, 2-space indented` },
      { name: 'bare JSON.parse (floor)', value: f, unit: 'ms', note: 'median of 5' },
      { name: 'parseStateDocument', value: p, unit: 'ms', note: `${(p / f).toFixed(2)} × floor` },
      { name: 'StateIndex build', value: ix, unit: 'ms', note: `${idx!.stats().keys.toLocaleString('en-US')} keys` },
      { name: 'load + index (parse + index)', value: p + ix, unit: 'ms', note: `${((p + ix) / f).toFixed(2)} × floor; target < 1500 ms` },
      { name: 'CPU: bare JSON.parse (floor)', value: median(floorCpu), unit: 'ms CPU', note: 'process CPU time; wall ≫ CPU means the machine was contended' },
      { name: 'CPU: load + index', value: median(cpu), unit: 'ms CPU', note: `${(median(cpu) / median(floorCpu)).toFixed(2)} × floor CPU; target < 1500 ms` },
      { name: 'StateStore.reload from file', value: storeMs, unit: 'ms', note: `read + sliced parse + sliced index + swap; CPU ${((storeCpu.user + storeCpu.system) / 1000).toFixed(0)} ms; event loop delay max ${(loop.max / 1e6).toFixed(0)} ms, p99 ${(loop.percentile(99) / 1e6).toFixed(0)} ms` },
      { name: 'reload, file unchanged', value: unchangedMs, unit: 'ms', note: 'stat only, no read or parse' },
      { name: 'index lookups', value: lookups / lookupSec, unit: 'lookups/s', note: `${hits} hits of ${lookups}` },
      { name: 'RSS before load', value: mib(rssBefore), unit: 'MiB', note: 'state text in memory' },
      { name: 'RSS with index loaded', value: mib(rssLoaded), unit: 'MiB', note: `+${mib(rssLoaded - rssBefore).toFixed(0)} MiB over the text` },
      { name: 'RSS after store reload', value: mib(rssStore), unit: 'MiB' },
    ];
    return rows;
  },
};
export default bench;

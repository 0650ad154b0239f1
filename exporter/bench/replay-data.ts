import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { parse as parseYaml } from 'yaml';

/**
 * A generated CloudTrail archive with a realistic mix: ~70% read-only calls, ~5% failed calls,
 * ~25% writes over ~60 services (event names and ID parameters taken from the mapping tables),
 * records shaped like real ones (~1.3 KB: assumed-role identity, TLS details, request IDs), in
 * `.json.gz` objects of 100–700 records in the AWSLogs/ layout (4 accounts × 3 regions).
 */
const MAPPINGS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../mappings/aws');
export const BENCH_ACCOUNT = '123456789012';
const ACCOUNTS = [BENCH_ACCOUNT, '210987654321', '333344445555', '666677778888'];
const REGIONS = ['us-east-1', 'eu-west-1', 'ap-southeast-2'];
const FORMAT_VERSION = 2;

interface WriteEvent {
  source: string;
  name: string;
  /** The request parameter the table reads the resource ID from, when it is a plain one. */
  idParam: string | null;
}

function writeEvents(): { writes: WriteEvent[]; services: string[] } {
  const writes: WriteEvent[] = [];
  const services: string[] = [];
  for (const f of readdirSync(MAPPINGS).filter((x) => x.endsWith('.yaml')).sort()) {
    const doc = parseYaml(readFileSync(path.join(MAPPINGS, f), 'utf8')) as { event_source?: string; events?: Record<string, { id?: string[] }> };
    if (!doc.event_source || !doc.events) continue;
    services.push(doc.event_source);
    for (const [name, spec] of Object.entries(doc.events).slice(0, 12)) {
      const id = spec?.id?.find((p) => /^request\.[A-Za-z]+$/.test(p));
      writes.push({ source: doc.event_source, name, idParam: id ? id.slice('request.'.length) : null });
    }
  }
  return { writes, services: services.slice(0, 60) };
}

/** A deterministic pseudo-random sequence (the archive is the same on every run). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const hex = (n: number, w: number): string => n.toString(16).padStart(w, '0').slice(-w);

export interface Archive {
  dir: string;
  files: string[];
  records: number;
  bytes: number;
  gzBytes: number;
  /** A state the EC2 writes are compared with (2,000 security groups, 2,000 instances). */
  stateFile: string;
}

function stateText(): string {
  const resources: unknown[] = [];
  for (let i = 0; i < 2000; i++) {
    const sg = `sg-${hex(i, 17)}`;
    resources.push({ mode: 'managed', type: 'aws_security_group', name: `sg${i}`, provider: 'provider["registry.terraform.io/hashicorp/aws"]',
      instances: [{ attributes: { id: sg, arn: `arn:aws:ec2:us-east-1:${BENCH_ACCOUNT}:security-group/${sg}`, ingress: [{ protocol: 'tcp', from_port: 443, to_port: 443, cidr_blocks: ['10.0.0.0/8'] }] } }] });
    const iid = `i-${hex(i, 17)}`;
    resources.push({ mode: 'managed', type: 'aws_instance', name: `vm${i}`, provider: 'provider["registry.terraform.io/hashicorp/aws"]',
      instances: [{ attributes: { id: iid, arn: `arn:aws:ec2:us-east-1:${BENCH_ACCOUNT}:instance/${iid}`, instance_type: 't3.micro' } }] });
  }
  return JSON.stringify({ version: 4, terraform_version: '1.9.8', serial: 1, lineage: 'bench', resources });
}

/** Generates the archive once per record count into the temp folder, and reuses it after that. */
export function benchArchive(records: number): Archive {
  const dir = path.join(os.tmpdir(), `tfdrift-bench-replay-v${FORMAT_VERSION}-${records}`);
  const manifest = path.join(dir, 'manifest.json');
  if (existsSync(manifest)) return JSON.parse(readFileSync(manifest, 'utf8')) as Archive;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const { writes, services } = writeEvents();
  const random = rng(18);
  const files: string[] = [];
  let bytes = 0;
  let gzBytes = 0;
  let written = 0;
  let t = Date.UTC(2026, 2, 1);
  let seq = 0;
  while (written < records) {
    const account = ACCOUNTS[seq % ACCOUNTS.length];
    const region = REGIONS[Math.floor(seq / ACCOUNTS.length) % REGIONS.length];
    const count = Math.min(records - written, 100 + Math.floor(random() * 600));
    const batch: unknown[] = [];
    for (let i = 0; i < count; i++) batch.push(record(random, account, region, t - Math.floor(random() * 300_000), writes, services, written + i));
    const text = JSON.stringify({ Records: batch });
    const gz = gzipSync(text);
    const d = new Date(t).toISOString();
    const stamp = `${d.slice(0, 4)}${d.slice(5, 7)}${d.slice(8, 10)}T${d.slice(11, 13)}${d.slice(14, 16)}Z`;
    const rel = `AWSLogs/o-bench00001/${account}/CloudTrail/${region}/${d.slice(0, 4)}/${d.slice(5, 7)}/${d.slice(8, 10)}/${account}_CloudTrail_${region}_${stamp}_${hex(seq, 16)}.json.gz`;
    mkdirSync(path.join(dir, path.dirname(rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), gz);
    files.push(rel);
    bytes += Buffer.byteLength(text);
    gzBytes += gz.length;
    written += count;
    seq++;
    t += 60_000;
  }
  const stateFile = path.join(dir, 'bench.tfstate');
  writeFileSync(stateFile, stateText());
  const archive: Archive = { dir, files: files.sort(), records: written, bytes, gzBytes, stateFile };
  writeFileSync(manifest, JSON.stringify(archive));
  return archive;
}

function record(random: () => number, account: string, region: string, time: number, writes: WriteEvent[], services: string[], n: number): Record<string, unknown> {
  const roll = random();
  const role = `role-${Math.floor(random() * 40)}`;
  const session = `user${Math.floor(random() * 300)}@example.com`;
  const base: Record<string, unknown> = {
    eventVersion: '1.09',
    userIdentity: {
      type: 'AssumedRole', principalId: `AROA${hex(n % 997, 16).toUpperCase()}:${session}`, arn: `arn:aws:sts::${account}:assumed-role/${role}/${session}`, accountId: account,
      accessKeyId: `ASIA${hex(n, 16).toUpperCase()}`,
      sessionContext: { sessionIssuer: { type: 'Role', principalId: `AROA${hex(n % 997, 16).toUpperCase()}`, arn: `arn:aws:iam::${account}:role/${role}`, accountId: account, userName: role },
        attributes: { creationDate: new Date(time - 3_600_000).toISOString().replace(/\.\d+Z$/, 'Z'), mfaAuthenticated: 'false' } },
    },
    eventTime: new Date(time).toISOString().replace(/\.\d+Z$/, 'Z'),
    eventSource: '', eventName: '', awsRegion: region,
    sourceIPAddress: `203.0.113.${n % 250}`, userAgent: random() < 0.3 ? 'console.amazonaws.com' : 'aws-cli/2.15.0 Python/3.11.6 Linux/6.1 exe/x86_64.amzn.2 prompt/off command/x',
    requestParameters: null, responseElements: null,
    requestID: `${hex(n * 7919, 8)}-${hex(n, 4)}-4${hex(n, 3)}-a${hex(n, 3)}-${hex(n * 31, 12)}`,
    eventID: `${hex(n * 104729, 8)}-${hex(n >> 3, 4)}-4${hex(n >> 7, 3)}-b${hex(n, 3)}-${hex(n * 131, 12)}`,
    readOnly: false, eventType: 'AwsApiCall', managementEvent: true, recipientAccountId: account, eventCategory: 'Management',
    tlsDetails: { tlsVersion: 'TLSv1.3', cipherSuite: 'TLS_AES_128_GCM_SHA256', clientProvidedHostHeader: `service.${region}.amazonaws.com` },
  };
  const service = services[Math.floor(random() * services.length)];
  if (roll < 0.7) {
    const verb = ['Describe', 'Get', 'List'][Math.floor(random() * 3)];
    base.eventSource = service;
    base.eventName = `${verb}${['Resources', 'Configuration', 'Policies', 'Tags', 'Items'][Math.floor(random() * 5)]}`;
    base.readOnly = true;
    base.requestParameters = random() < 0.5 ? { maxResults: 100, filterSet: { items: [{ name: 'tag:Team', valueSet: { items: [{ value: `team-${n % 40}` }] } }] } } : null;
    return base;
  }
  const w = writes[Math.floor(random() * writes.length)];
  base.eventSource = w.source;
  base.eventName = w.name;
  if (roll < 0.75) {
    base.errorCode = ['AccessDenied', 'Client.UnauthorizedOperation', 'ValidationException'][Math.floor(random() * 3)];
    base.errorMessage = 'User is not authorized to perform this operation';
    return base;
  }
  const k = Math.floor(random() * 2000);
  if (roll < 0.8) {
    // EC2 writes against the state: modified security groups and instances, unmanaged launches.
    base.eventSource = 'ec2.amazonaws.com';
    const which = Math.floor(random() * 3);
    base.eventName = ['AuthorizeSecurityGroupIngress', 'ModifyInstanceAttribute', 'RunInstances'][which];
    base.recipientAccountId = BENCH_ACCOUNT;
    base.awsRegion = 'us-east-1';
    if (which === 0) base.requestParameters = { groupId: `sg-${hex(k, 17)}`, ipPermissions: { items: [{ ipProtocol: 'tcp', fromPort: 22, toPort: 22, ipRanges: { items: [{ cidrIp: '0.0.0.0/0' }] } }] } };
    else if (which === 1) base.requestParameters = { instanceId: `i-${hex(k, 17)}`, instanceType: { value: 'm5.large' } };
    else base.responseElements = { instancesSet: { items: [{ instanceId: `i-new${hex(k, 12)}` }] } };
    return base;
  }
  base.requestParameters = w.idParam ? { [w.idParam]: `${w.name.toLowerCase().slice(0, 12)}-${k}`, clientToken: hex(n, 12) } : { clientToken: hex(n, 12) };
  return base;
}

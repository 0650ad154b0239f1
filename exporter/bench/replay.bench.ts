import { Writable } from 'node:stream';
import { Metrics } from '../src/metrics/registry.js';
import { Pipeline } from '../src/pipeline.js';
import { allProviders } from '../src/providers/registry.js';
import { StateStore } from '../src/state/store.js';
import { StateIndex } from '../src/state/index.js';
import { parseStateDocument } from '../src/state/parse.js';
import { stdoutOutput } from '../src/outputs/stdout.js';
import { auditEventFromCloudTrail } from '../src/providers/aws/record.js';
import { silentLogger } from '../src/util/logger.js';
import type { Bench } from './harness.js';

const ACCOUNT = '123456789012';
const N = 100_000;

/** A state with 2,000 security groups and 2,000 instances, and 100k records against it. */
function corpus(): { stateText: string; records: Record<string, unknown>[] } {
  const resources: unknown[] = [];
  for (let i = 0; i < 2000; i++) {
    const sg = `sg-${i.toString(16).padStart(17, '0')}`;
    resources.push({ mode: 'managed', type: 'aws_security_group', name: `sg${i}`, provider: 'provider["registry.terraform.io/hashicorp/aws"]',
      instances: [{ attributes: { id: sg, arn: `arn:aws:ec2:us-east-1:${ACCOUNT}:security-group/${sg}`, ingress: [{ protocol: 'tcp', from_port: 443, to_port: 443, cidr_blocks: ['10.0.0.0/8'] }] } }] });
    const iid = `i-${i.toString(16).padStart(17, '0')}`;
    resources.push({ mode: 'managed', type: 'aws_instance', name: `vm${i}`, provider: 'provider["registry.terraform.io/hashicorp/aws"]',
      instances: [{ attributes: { id: iid, arn: `arn:aws:ec2:us-east-1:${ACCOUNT}:instance/${iid}`, instance_type: 't3.micro' } }] });
  }
  const records: Record<string, unknown>[] = [];
  for (let i = 0; i < N; i++) {
    const n = i % 2000;
    const base = { eventVersion: '1.09', eventTime: '2026-03-29T10:15:08Z', awsRegion: 'us-east-1', recipientAccountId: ACCOUNT, eventID: `e-${i}`,
      userIdentity: { type: 'IAMUser', userName: 'alice', arn: `arn:aws:iam::${ACCOUNT}:user/alice`, accountId: ACCOUNT, principalId: 'AIDAEXAMPLE' },
      sourceIPAddress: '203.0.113.42', userAgent: 'console.amazonaws.com', readOnly: false };
    switch (i % 4) {
      case 0: records.push({ ...base, eventSource: 'ec2.amazonaws.com', eventName: 'AuthorizeSecurityGroupIngress', requestParameters: { groupId: `sg-${n.toString(16).padStart(17, '0')}`, ipPermissions: { items: [{ ipProtocol: 'tcp', fromPort: 22, toPort: 22, ipRanges: { items: [{ cidrIp: '0.0.0.0/0' }] } }] } } }); break;
      case 1: records.push({ ...base, eventSource: 'ec2.amazonaws.com', eventName: 'ModifyInstanceAttribute', requestParameters: { instanceId: `i-${n.toString(16).padStart(17, '0')}`, instanceType: { value: 'm5.large' } } }); break;
      case 2: records.push({ ...base, eventSource: 'ec2.amazonaws.com', eventName: 'DescribeInstances', readOnly: true, requestParameters: {} }); break;
      default: records.push({ ...base, eventSource: 'ec2.amazonaws.com', eventName: 'RunInstances', responseElements: { instancesSet: { items: [{ instanceId: `i-new${i}` }] } } });
    }
  }
  return { stateText: JSON.stringify({ version: 4, terraform_version: '1.9.8', serial: 1, lineage: 'bench', resources }), records };
}

const bench: Bench = {
  name: 'replay throughput (100k synthetic CloudTrail records, 4k-resource state)',
  async run() {
    const { stateText, records } = corpus();
    const metrics = new Metrics({ defaultMetrics: false });
    const states = new StateStore([], metrics, silentLogger());
    const snap = parseStateDocument(stateText, { name: 'bench', location: 'bench.tfstate', provider: 'aws', accountId: ACCOUNT, region: null });
    Object.defineProperty(states, 'index', { get: () => index });
    const index = new StateIndex([snap]);
    const sink = new Writable({ write: (_c, _e, cb) => cb() });
    const aws = allProviders().find((p) => p.id === 'aws')!;
    // Floor: parsing alone (JSON text → AuditEvent), the least any replay must do.
    const texts = records.map((r) => JSON.stringify(r));
    let t = process.hrtime.bigint();
    for (const text of texts) auditEventFromCloudTrail(JSON.parse(text));
    const parseSec = Number(process.hrtime.bigint() - t) / 1e9;
    const pipeline = new Pipeline({ providers: allProviders(), states, outputs: [stdoutOutput('jsonl', sink)], metrics, log: silentLogger() });
    t = process.hrtime.bigint();
    let drifts = 0;
    for (const text of texts) {
      const outcome = pipeline.processRecord(aws, JSON.parse(text), 'file');
      if (outcome.status === 'drift') drifts += outcome.records.length;
    }
    const fullSec = Number(process.hrtime.bigint() - t) / 1e9;
    return [
      { name: 'parse only (floor)', value: N / parseSec, unit: 'records/s' },
      { name: 'parse + map + detect + jsonl', value: N / fullSec, unit: 'records/s', note: `${(parseSec / fullSec).toFixed(2)} × floor; ${drifts} drifts` },
      { name: 'RSS after run', value: process.memoryUsage().rss / 2 ** 20, unit: 'MiB' },
    ];
  },
};
export default bench;

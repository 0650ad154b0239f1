/**
 * deploy/aws/eventbridge and deploy/gcp/pubsub, parsed with HashiCorp's HCL parser (compiled to
 * WebAssembly in @cdktf/hcl2json; no terraform binary here): every reference resolves, the
 * EventBridge pattern selects what the exporter should see on the corpus's real records, and
 * the IAM grants match the calls the inputs make.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { parse } from '@cdktf/hcl2json';
import { describe, expect, it } from 'vitest';
import { EXPORTER_DIR } from '../helpers/cli.js';
import { cloudTrailRecords } from './queue-helpers.js';

const REPO = path.resolve(EXPORTER_DIR, '..');
type Doc = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The module's .tf files parsed and merged by block type, plus its raw text. */
async function loadModule(dir: string): Promise<{ doc: Doc; text: string }> {
  const doc: Doc = {};
  let text = '';
  for (const f of readdirSync(path.join(REPO, dir)).filter((x) => x.endsWith('.tf')).sort()) {
    const src = readFileSync(path.join(REPO, dir, f), 'utf8');
    text += `${src}\n`;
    const parsed = (await parse(f, src)) as Doc;
    for (const [block, body] of Object.entries(parsed)) {
      if (Array.isArray(body)) doc[block] = [...(doc[block] ?? []), ...body];
      else doc[block] = { ...(doc[block] ?? {}), ...body };
    }
  }
  return { doc, text };
}

/** Every var.X, local.X, TYPE.NAME and data.TYPE.NAME used in expressions is declared. */
function unresolvedReferences(doc: Doc, text: string): string[] {
  const vars = new Set(Object.keys(doc.variable ?? {}));
  const locals = new Set((doc.locals ?? []).flatMap((l: Doc) => Object.keys(l)));
  const resources = new Set(Object.entries(doc.resource ?? {}).flatMap(([t, byName]) => Object.keys(byName as Doc).map((n) => `${t}.${n}`)));
  const data = new Set(Object.entries(doc.data ?? {}).flatMap(([t, byName]) => Object.keys(byName as Doc).map((n) => `${t}.${n}`)));
  const code = text.replace(/#.*$/gm, '').replace(/description\s*=\s*"(?:[^"\\]|\\.)*"/g, '');
  const missing: string[] = [];
  for (const [, name] of code.matchAll(/\bvar\.([a-z_][a-z0-9_]*)/g)) if (!vars.has(name)) missing.push(`var.${name}`);
  for (const [, name] of code.matchAll(/\blocal\.([a-z_][a-z0-9_]*)/g)) if (!locals.has(name)) missing.push(`local.${name}`);
  for (const [, ref] of code.matchAll(/\bdata\.((?:aws|google)_[a-z0-9_]+\.[a-z0-9_]+)/g)) if (!data.has(ref)) missing.push(`data.${ref}`);
  for (const [whole, ref] of code.matchAll(/(?<![.\w"])((?:aws|google)_[a-z0-9_]+\.[a-z_][a-z0-9_]*)/g)) {
    if (!resources.has(ref) && !whole.startsWith('data.')) missing.push(ref);
  }
  return [...new Set(missing)];
}

/** EventBridge content filtering for the operators the modules use: value lists and `exists`. */
function matches(pattern: Doc, event: Doc): boolean {
  return Object.entries(pattern).every(([key, rule]) => {
    const value = event?.[key];
    if (Array.isArray(rule))
      return rule.some((r) => (typeof r === 'object' && r !== null && 'exists' in r ? (value !== undefined) === r.exists : value === r));
    return typeof value === 'object' && value !== null && matches(rule as Doc, value as Doc);
  });
}

const one = (x: Doc[] | undefined): Doc => (expect(x).toHaveLength(1), x![0]);

describe('deploy/aws/eventbridge', () => {
  it('parses, and every reference in the module and its forwarder resolves', async () => {
    for (const dir of ['deploy/aws/eventbridge', 'deploy/aws/eventbridge/forwarder']) {
      const { doc, text } = await loadModule(dir);
      expect(unresolvedReferences(doc, text), dir).toEqual([]);
    }
  });

  it('the rule selects successful management writes of the real corpus records and nothing else', async () => {
    const { doc } = await loadModule('deploy/aws/eventbridge');
    const pattern = JSON.parse(one(doc.locals).write_event_pattern) as Doc;
    const forwarder = await loadModule('deploy/aws/eventbridge/forwarder');
    expect(JSON.parse(one(forwarder.doc.locals).write_event_pattern)).toEqual(pattern);
    const records = (await cloudTrailRecords()).filter((r) => typeof r.eventCategory === 'string');
    expect(records.length).toBeGreaterThan(100);
    const selected = records.filter((r) => matches(pattern, { 'detail-type': 'AWS API Call via CloudTrail', detail: r }));
    const wanted = records.filter((r) => r.readOnly === false && r.eventCategory === 'Management' && r.errorCode === undefined);
    expect(selected).toEqual(wanted);
    expect(selected.length).toBeGreaterThan(20);
    expect(records.length - selected.length).toBeGreaterThan(20); // reads, failures, data events left out
    expect(matches(pattern, { 'detail-type': 'AWS Console Sign In via CloudTrail', detail: wanted[0] })).toBe(false);
  });

  it('one queue per shard with a dead-letter queue, encryption, and a policy letting only its rule send', async () => {
    const { doc } = await loadModule('deploy/aws/eventbridge');
    const r = doc.resource;
    const queue = one(r.aws_sqs_queue.events);
    expect(queue.for_each).toBe('${var.shards}');
    expect(queue.redrive_policy).toContain('aws_sqs_queue.dead_letter[each.key].arn');
    expect(queue.sqs_managed_sse_enabled).toContain('true');
    expect(queue.kms_master_key_id).toContain('var.kms_key_id');
    expect(one(r.aws_cloudwatch_event_rule.writes).event_pattern).toContain('account = each.value');
    expect(one(r.aws_cloudwatch_event_target.queue).arn).toBe('${aws_sqs_queue.events[each.key].arn}');
    const statement = one(one(doc.data.aws_iam_policy_document.queue).statement);
    expect(statement).toMatchObject({ actions: ['sqs:SendMessage'], principals: [{ type: 'Service', identifiers: ['events.amazonaws.com'] }] });
    expect(one(statement.condition)).toMatchObject({ variable: 'aws:SourceArn', values: ['${aws_cloudwatch_event_rule.writes[each.key].arn}'] });
    expect(one(doc.variable.shards).default).toEqual({ all: [] });
  });

  it('grants the exporter exactly the SQS actions the input calls', async () => {
    const { doc } = await loadModule('deploy/aws/eventbridge');
    const granted = one(one(doc.data.aws_iam_policy_document.exporter).statement).actions as string[];
    const source = readFileSync(path.join(EXPORTER_DIR, 'src/ingest/eventbridge/input.ts'), 'utf8');
    const calls = [...source.matchAll(/new (\w+)Command\(/g)].map((m) => m[1]);
    // IAM authorises DeleteMessageBatch as sqs:DeleteMessage.
    const needed = [...new Set(calls.map((c) => `sqs:${c === 'DeleteMessageBatch' ? 'DeleteMessage' : c}`))];
    expect(needed.sort()).toEqual(['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:ReceiveMessage']);
    expect(granted.filter((a) => a !== 'sqs:GetQueueAttributes').sort()).toEqual(needed.sort());
  });

  it('the organisation variant: a central bus open to the organisation, and a forwarder allowed to put events only there', async () => {
    const { doc } = await loadModule('deploy/aws/eventbridge');
    const bus = one(one(doc.data.aws_iam_policy_document.central_bus).statement);
    expect(one(bus.condition)).toMatchObject({ test: 'StringEquals', variable: 'aws:PrincipalOrgID', values: ['${var.organization_id}'] });
    const fwd = (await loadModule('deploy/aws/eventbridge/forwarder')).doc;
    expect(one(one(fwd.data.aws_iam_policy_document.put_central).statement)).toMatchObject({ actions: ['events:PutEvents'], resources: ['${var.central_event_bus_arn}'] });
    expect(one(fwd.resource.aws_cloudwatch_event_target.central)).toMatchObject({ arn: '${var.central_event_bus_arn}', role_arn: '${aws_iam_role.forward.arn}' });
  });
});

describe('deploy/gcp/pubsub', () => {
  it('parses, every reference resolves, and the sink exports Admin Activity to the topic the subscription reads', async () => {
    const { doc, text } = await loadModule('deploy/gcp/pubsub');
    expect(unresolvedReferences(doc, text)).toEqual([]);
    const r = doc.resource;
    expect(one(doc.locals).filter).toBe('log_id("cloudaudit.googleapis.com/activity")');
    for (const sink of [one(r.google_logging_project_sink.audit), one(r.google_logging_organization_sink.audit)]) {
      expect(sink.destination).toBe('pubsub.googleapis.com/${google_pubsub_topic.audit.id}');
      expect(sink.filter).toBe('${local.filter}');
    }
    const sub = one(r.google_pubsub_subscription.exporter);
    expect(sub.topic).toBe('${google_pubsub_topic.audit.id}');
    expect(one(sub.dead_letter_policy)).toMatchObject({ dead_letter_topic: '${google_pubsub_topic.dead_letter.id}' });
    expect(one(sub.expiration_policy)).toEqual({ ttl: '' });
    expect(one(r.google_pubsub_topic_iam_member.sink_writer)).toMatchObject({ role: 'roles/pubsub.publisher', topic: '${google_pubsub_topic.audit.name}' });
    expect(one(r.google_pubsub_subscription_iam_member.exporter)).toMatchObject({ role: 'roles/pubsub.subscriber', member: '${each.value}' });
    expect(one(doc.output.subscription).value).toBe('${google_pubsub_subscription.exporter.id}');
  });
});

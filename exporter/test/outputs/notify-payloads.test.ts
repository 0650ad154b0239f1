import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { validateDriftRecord, type DriftRecord } from '../../src/model/drift.js';
import { notifierConfigSchema } from '../../src/outputs/config.js';
import { buildRequest } from '../../src/outputs/notify/notifier.js';
import { discordPayload, pagerdutyPayload, slackPayload, teamsPayload, webhookBody, webhookSignature } from '../../src/outputs/notify/payloads.js';

/** Golden files: exact payloads for three real drifts. Regenerate deliberately with UPDATE_GOLDEN=1 and review the diff. */
const GOLDEN = path.join(path.dirname(fileURLToPath(import.meta.url)), 'golden');
const records = JSON.parse(readFileSync(path.join(GOLDEN, 'records.json'), 'utf8')) as Record<'modified' | 'unmanaged' | 'resolved', DriftRecord>;
const CASES = ['modified', 'unmanaged', 'resolved'] as const;
const LINK = { linkUrl: 'https://grafana.example.com/a/tfdrift-drift-app' };

function golden(name: string, actual: unknown): void {
  const file = path.join(GOLDEN, `${name}.json`);
  const text = `${JSON.stringify(actual, null, 2)}\n`;
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(file, text);
  expect(existsSync(file), `${file} missing; run with UPDATE_GOLDEN=1`).toBe(true);
  expect(text).toBe(readFileSync(file, 'utf8'));
}

describe('notification payload builders (golden)', () => {
  it('the fixture records satisfy the drift record contract', () => {
    for (const c of CASES) expect(validateDriftRecord(records[c])).toEqual([]);
  });

  it.each([
    ['slack', (r: DriftRecord) => slackPayload(r, LINK)],
    ['discord', (r: DriftRecord) => discordPayload(r, LINK)],
    ['teams', (r: DriftRecord) => teamsPayload(r, LINK)],
    ['pagerduty', (r: DriftRecord) => pagerdutyPayload(r, 'R0UTINGKEY0000000000000000000000', LINK)],
    ['webhook', (r: DriftRecord) => ({ body: webhookBody(r), signature: webhookSignature(webhookBody(r), 'webhook-secret') })],
  ] as const)('%s', (name, build) => {
    golden(name, Object.fromEntries(CASES.map((c) => [c, build(records[c])])));
  });

  it('respect the destinations\' documented limits', () => {
    const long: DriftRecord = { ...records.modified, resource_id: 'x'.repeat(500), changes: Array.from({ length: 40 }, (_v, i) => ({ attribute: `a${i}`, expected: 'e'.repeat(900), actual: 'z'.repeat(900), detail: null })), suggested_fix: 'f'.repeat(5000) };
    const slack = slackPayload(long) as { blocks: { type: string; text?: { text: string }; fields?: { text: string }[] }[] };
    expect(slack.blocks[0].text!.text.length).toBeLessThanOrEqual(150);
    for (const b of slack.blocks) {
      if (b.type === 'section' && b.text) expect(b.text.text.length).toBeLessThanOrEqual(3000);
      for (const f of b.fields ?? []) expect(f.text.length).toBeLessThanOrEqual(2000);
      expect(b.fields?.length ?? 0).toBeLessThanOrEqual(10);
    }
    const embed = (discordPayload(long) as { embeds: { title: string; description: string; fields: { value: string }[] }[] }).embeds[0];
    expect(embed.title.length).toBeLessThanOrEqual(256);
    expect(embed.description.length).toBeLessThanOrEqual(4096);
    expect(embed.fields.length).toBeLessThanOrEqual(25);
    for (const f of embed.fields) expect(f.value.length).toBeLessThanOrEqual(1024);
    const pd = pagerdutyPayload(long, 'k') as { payload: { summary: string } };
    expect(pd.payload.summary.length).toBeLessThanOrEqual(1024);
  });

  it('PagerDuty resolves by drift_id when the drift is resolved', () => {
    expect(pagerdutyPayload(records.resolved, 'k')).toEqual({ routing_key: 'k', event_action: 'resolve', dedup_key: records.resolved.drift_id });
  });

  it('the generic webhook body is the drift record byte for byte, signed when a secret is set', () => {
    const cfg = notifierConfigSchema.parse({ type: 'webhook', url: 'http://127.0.0.1:1/hook', secret_env: 'S' });
    const req = buildRequest(cfg, records.modified, { routingKey: '', hmacSecret: 'shh' });
    expect(req.body).toBe(JSON.stringify(records.modified));
    expect(req.headers['x-tfdrift-signature-256']).toBe(webhookSignature(req.body, 'shh'));
    expect(buildRequest(cfg, records.modified, { routingKey: '', hmacSecret: '' }).headers['x-tfdrift-signature-256']).toBeUndefined();
  });
});

describe('untrusted cloud data in messages', () => {
  it('cannot mention @channel in Slack or ping in Discord', () => {
    const evil: DriftRecord = { ...records.modified, user: { ...records.modified.user, name: '<!channel> alice', original_user: null } };
    expect(JSON.stringify(slackPayload(evil))).not.toContain('<!channel>');
    expect((discordPayload(evil) as { allowed_mentions: unknown }).allowed_mentions).toEqual({ parse: [] });
  });
});

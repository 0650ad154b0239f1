import { createHmac } from 'node:crypto';
import type { DriftRecord, Severity } from '../../model/drift.js';

/** Options shared by the message builders; all pure functions of (record, options). */
export interface PayloadOptions {
  /** Link to Grafana (the TFDrift app) shown as "Open in Grafana"; omitted when empty. */
  linkUrl?: string;
}

export const SEVERITY_RANK: Record<Severity, number> = { critical: 4, high: 3, medium: 2, low: 1, info: 0 };
const SEVERITY_COLOUR: Record<Severity, number> = { critical: 0xd32f2f, high: 0xf57c00, medium: 0xfbc02d, low: 0x1976d2, info: 0x757575 };
const RESOLVED_COLOUR = 0x388e3c;

function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function show(value: unknown): string {
  if (value === null || value === undefined) return '∅';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

const resolved = (r: DriftRecord): boolean => r.event_type === 'terraform_drift_resolved';

/** One-line summary, e.g. "CRITICAL modified aws_security_group sg-0abc in 123456789012/us-east-1". */
export function summary(r: DriftRecord): string {
  const where = [r.account_id, r.region].filter(Boolean).join('/');
  const head = resolved(r) ? `RESOLVED ${r.change_type} drift` : `${r.severity.toUpperCase()} ${r.change_type} drift`;
  return `${head}: ${r.resource_type}${r.resource_id ? ` ${r.resource_id}` : ''}${where ? ` in ${where}` : ''}`;
}

export function actor(r: DriftRecord): string {
  return r.user.original_user ?? r.user.name ?? r.user.arn ?? 'unknown principal';
}

/** "attribute: expected → actual" lines, each shortened, at most `max` of them. */
export function changeLines(r: DriftRecord, max = 5, width = 200): string[] {
  const lines = r.changes.slice(0, max).map((c) => cut(`${c.attribute}: ${show(c.expected)} → ${show(c.actual)}`, width));
  if (r.changes.length > max) lines.push(`… and ${r.changes.length - max} more`);
  return lines;
}

function facts(r: DriftRecord): [string, string][] {
  return [
    ['Resource', `${r.resource_type} ${r.resource_id ?? ''}`.trim()],
    ['Address', r.resource_address ?? 'not in any loaded state'],
    ['Who', actor(r)],
    ['Event', `${r.event.name}${r.event.source ? ` (${r.event.source})` : ''}`],
    ['Account / region', `${r.account_id ?? '?'} / ${r.region ?? '?'}`],
    ['From', `${r.source_ip ?? '?'}${r.user_agent ? ` via ${r.user_agent}` : ''}`],
    ['When', r.event.time ?? r.detected_at],
    ['Drift id', r.drift_id],
  ];
}

/** Slack mrkdwn control characters; escaping them stops `<!channel>`-style mentions hidden in cloud data. */
export function slackEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Slack incoming webhook: Block Kit, with `text` as the notification fallback. Limits: header 150, section 3000. */
export function slackPayload(r: DriftRecord, o: PayloadOptions = {}): unknown {
  const changes = changeLines(r);
  const blocks: unknown[] = [
    { type: 'header', text: { type: 'plain_text', text: cut(summary(r), 150), emoji: false } },
    { type: 'section', fields: facts(r).map(([k, v]) => ({ type: 'mrkdwn', text: cut(`*${k}*\n${slackEscape(v)}`, 2000) })) },
  ];
  if (changes.length > 0) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: cut(`*Changes*\n\`\`\`${slackEscape(changes.join('\n'))}\`\`\``, 3000) } });
  if (r.suggested_fix) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: cut(`*Suggested fix*\n${slackEscape(r.suggested_fix)}`, 3000) } });
  if (o.linkUrl)
    blocks.push({ type: 'actions', elements: [{ type: 'button', text: { type: 'plain_text', text: 'Open in Grafana' }, url: o.linkUrl }] });
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `tfdrift ${r.version} · detected ${r.detected_at}` }] });
  return { text: cut(summary(r), 3000), blocks };
}

/** Discord webhook: one embed. Limits: title 256, description 4096, 25 fields of 1024. */
export function discordPayload(r: DriftRecord, o: PayloadOptions = {}): unknown {
  const changes = changeLines(r);
  return {
    username: 'TFDrift',
    allowed_mentions: { parse: [] },
    embeds: [
      {
        title: cut(summary(r), 256),
        ...(o.linkUrl ? { url: o.linkUrl } : {}),
        description: cut(changes.length > 0 ? `\`\`\`\n${changes.join('\n')}\n\`\`\`` : 'No attribute changes recorded.', 4096),
        color: resolved(r) ? RESOLVED_COLOUR : SEVERITY_COLOUR[r.severity],
        fields: [
          ...facts(r).map(([name, value]) => ({ name, value: cut(value, 1024), inline: name !== 'Address' && name !== 'Drift id' })),
          ...(r.suggested_fix ? [{ name: 'Suggested fix', value: cut(r.suggested_fix, 1024), inline: false }] : []),
        ],
        timestamp: r.detected_at,
        footer: { text: `tfdrift ${r.version}` },
      },
    ],
  };
}

/** Microsoft Teams (Workflows / incoming webhook): an Adaptive Card 1.4 message attachment. */
export function teamsPayload(r: DriftRecord, o: PayloadOptions = {}): unknown {
  const changes = changeLines(r);
  const body: unknown[] = [
    { type: 'TextBlock', text: summary(r), weight: 'Bolder', size: 'Medium', wrap: true, color: resolved(r) ? 'Good' : r.severity === 'critical' || r.severity === 'high' ? 'Attention' : 'Warning' },
    { type: 'FactSet', facts: facts(r).map(([title, value]) => ({ title, value })) },
  ];
  if (changes.length > 0) body.push({ type: 'TextBlock', text: 'Changes', weight: 'Bolder', wrap: true }, { type: 'TextBlock', text: changes.join('\n\n'), fontType: 'Monospace', wrap: true });
  if (r.suggested_fix) body.push({ type: 'TextBlock', text: 'Suggested fix', weight: 'Bolder', wrap: true }, { type: 'TextBlock', text: r.suggested_fix, wrap: true });
  return {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.4',
          body,
          ...(o.linkUrl ? { actions: [{ type: 'Action.OpenUrl', title: 'Open in Grafana', url: o.linkUrl }] } : {}),
        },
      },
    ],
  };
}

const PD_SEVERITY: Record<Severity, 'critical' | 'error' | 'warning' | 'info'> = { critical: 'critical', high: 'error', medium: 'warning', low: 'info', info: 'info' };

/** PagerDuty Events API v2: trigger on detection, resolve on resolution, dedup_key = drift_id. */
export function pagerdutyPayload(r: DriftRecord, routingKey: string, o: PayloadOptions = {}): unknown {
  if (resolved(r)) return { routing_key: routingKey, event_action: 'resolve', dedup_key: r.drift_id };
  return {
    routing_key: routingKey,
    event_action: 'trigger',
    dedup_key: r.drift_id,
    payload: {
      summary: cut(summary(r), 1024),
      source: r.account_id ? `${r.provider}:${r.account_id}` : r.provider,
      severity: PD_SEVERITY[r.severity],
      timestamp: r.detected_at,
      component: r.resource_type,
      group: r.region ?? undefined,
      class: r.change_type,
      custom_details: r,
    },
    ...(o.linkUrl ? { links: [{ href: o.linkUrl, text: 'Open in Grafana' }] } : {}),
    client: 'TFDrift',
  };
}

/** Generic webhook: the drift record itself, byte for byte what stdout and Loki carry. */
export function webhookBody(r: DriftRecord): string {
  return JSON.stringify(r);
}

/** `sha256=<hex>` of HMAC-SHA256(secret, body), GitHub-style, for X-TFDrift-Signature-256. */
export function webhookSignature(body: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

import type { DriftRecord } from '../../model/drift.js';
import type { Metrics } from '../../metrics/registry.js';
import type { Logger } from '../../util/logger.js';
import { ConfigError, errorMessage } from '../../util/errors.js';
import type { NotifierConfig } from '../config.js';
import { httpPost, redactUrl, type PostResult } from '../http-post.js';
import { backoffDelay, isRetryableStatus, realClock, retryAfterMs, type Clock } from '../retry.js';
import type { Output } from '../types.js';
import { OutageLog, failureCause } from '../outage.js';
import { SEVERITY_RANK, discordPayload, pagerdutyPayload, slackPayload, teamsPayload, webhookBody, webhookSignature } from './payloads.js';

export const PAGERDUTY_EVENTS_URL = 'https://events.pagerduty.com/v2/enqueue';

export interface NotifierDeps {
  metrics?: Metrics;
  log: Logger;
  env?: NodeJS.ProcessEnv;
  clock?: Clock;
  random?: () => number;
  post?: typeof httpPost;
}

/** Builds the HTTP body and headers for one record; pure given the secrets. */
export function buildRequest(cfg: NotifierConfig, record: DriftRecord, secrets: { routingKey: string; hmacSecret: string }): { body: string; headers: Record<string, string> } {
  const o = { linkUrl: cfg.link_url || undefined };
  const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'tfdrift' };
  switch (cfg.type) {
    case 'slack':
      return { body: JSON.stringify(slackPayload(record, o)), headers };
    case 'discord':
      return { body: JSON.stringify(discordPayload(record, o)), headers };
    case 'teams':
      return { body: JSON.stringify(teamsPayload(record, o)), headers };
    case 'pagerduty':
      return { body: JSON.stringify(pagerdutyPayload(record, secrets.routingKey, o)), headers };
    case 'webhook': {
      const body = webhookBody(record);
      if (secrets.hmacSecret) headers['x-tfdrift-signature-256'] = webhookSignature(body, secrets.hmacSecret);
      headers['x-tfdrift-event'] = record.event_type;
      return { body, headers };
    }
  }
}

/**
 * One notification destination: filters by minimum severity, drops repeats of a drift_id within the
 * dedup window, limits the rate (token bucket), and delivers in order with capped, jittered retries.
 * Notifications are a convenience on top of Loki: over the rate limit or past the last retry they are
 * counted and dropped, never allowed to back up the pipeline.
 */
export function notifierOutput(cfg: NotifierConfig, deps: NotifierDeps): Output {
  const env = deps.env ?? process.env;
  const name = cfg.name ?? cfg.type;
  const clock = deps.clock ?? realClock;
  const post = deps.post ?? httpPost;
  const log = deps.log;
  const url = cfg.url || (cfg.url_env ? (env[cfg.url_env] ?? '') : '') || (cfg.type === 'pagerduty' ? PAGERDUTY_EVENTS_URL : '');
  const routingKey = cfg.routing_key_env ? (env[cfg.routing_key_env] ?? '') : '';
  const hmacSecret = cfg.secret_env ? (env[cfg.secret_env] ?? '') : '';
  if (!url) throw new ConfigError([`outputs.notifications[${name}]: url or url_env (set in the environment) is required`]);
  if (cfg.type === 'pagerduty' && !routingKey) throw new ConfigError([`outputs.notifications[${name}]: routing_key_env must name a set environment variable`]);
  const count = (status: string, n = 1): void => deps.metrics?.outputSent.inc({ output: name, status }, n);

  const seen = new Map<string, number>();
  let tokens = cfg.rate_limit.burst;
  let refilledAt = clock.now();
  const queue: DriftRecord[] = [];
  let running: Promise<void> | null = null;
  const stop = new AbortController();
  let rateLimitedLogged = 0;
  const outage = new OutageLog(`notification ${name}`, redactUrl(url), log, clock);

  const takeToken = (): boolean => {
    const now = clock.now();
    tokens = Math.min(cfg.rate_limit.burst, tokens + ((now - refilledAt) / 60_000) * cfg.rate_limit.per_minute);
    refilledAt = now;
    if (tokens < 1) return false;
    tokens -= 1;
    return true;
  };

  const deliver = async (record: DriftRecord): Promise<void> => {
    const req = buildRequest(cfg, record, { routingKey, hmacSecret });
    for (let attempt = 0; attempt < cfg.retry.max_attempts && !stop.signal.aborted; attempt++) {
      let res: PostResult | null = null;
      let reason: string;
      let thrown: unknown = null;
      try {
        res = await post(url, req.headers, req.body, cfg.timeout_ms, stop.signal);
        if (res.status >= 200 && res.status < 300) {
          outage.recovered(1, queue.length - 1);
          return count('ok');
        }
        reason = `HTTP ${res.status}: ${res.body.trim().slice(0, 300)}`;
        if (!isRetryableStatus(res.status)) {
          count('rejected');
          log.error('notification rejected', { output: name, url: redactUrl(url), reason, drift_id: record.drift_id });
          return;
        }
      } catch (err) {
        thrown = err;
        reason = errorMessage(err);
      }
      const wasDown = outage.active;
      outage.failed(res ? failureCause(null, res.status) : failureCause(thrown), reason, queue.length);
      count('retry');
      const delay = Math.min(cfg.retry.max_backoff_ms, Math.max(backoffDelay(attempt, cfg.retry.initial_backoff_ms, cfg.retry.max_backoff_ms, deps.random), retryAfterMs(res?.headers['retry-after'], Date.now()) ?? 0));
      // The outage's first failure was logged with its cause; further ones are counted (tfdrift_output_sent_total{status="retry"}).
      if (attempt === 0 && wasDown) log.debug('notification failed; retrying', { output: name, url: redactUrl(url), reason, drift_id: record.drift_id });
      if (attempt + 1 < cfg.retry.max_attempts) await clock.sleep(delay, stop.signal);
    }
    count('error');
    // Within an outage, give-ups are tallied in its recovery line rather than logged one by one.
    if (!outage.droppedDuringOutage()) log.error('notification given up', { output: name, url: redactUrl(url), drift_id: record.drift_id, attempts: cfg.retry.max_attempts });
  };

  const drain = async (): Promise<void> => {
    while (queue.length > 0 && !stop.signal.aborted) await deliver(queue[0]).finally(() => queue.shift());
    running = null;
  };

  return {
    name,
    send(record) {
      if (record.event_type === 'terraform_drift_resolved' ? !cfg.send_resolved : SEVERITY_RANK[record.severity] < SEVERITY_RANK[cfg.min_severity]) return count('filtered');
      const key = `${record.event_type}:${record.drift_id}`;
      const now = clock.now();
      const last = seen.get(key);
      if (last !== undefined && now - last < cfg.dedup_window_seconds * 1000) return count('deduplicated');
      if (!takeToken()) {
        if (now - rateLimitedLogged > 60_000) log.warn('notifications rate-limited; dropping until tokens refill', { output: name, per_minute: cfg.rate_limit.per_minute });
        rateLimitedLogged = now;
        return count('rate_limited');
      }
      if (queue.length >= cfg.queue_max) return count('dropped');
      seen.set(key, now);
      if (seen.size > 10_000) for (const [k, t] of seen) if (now - t >= cfg.dedup_window_seconds * 1000) seen.delete(k);
      queue.push(record);
      running ??= drain();
    },
    queueLength: () => queue.length,
    flush: async () => {
      await running;
    },
    close: async () => {
      // Give the queue its retries unless shutdown takes too long; then stop waiting.
      const timer = new Promise<void>((resolve) => setTimeout(resolve, 5000).unref());
      await Promise.race([running, timer]);
      stop.abort();
      await running;
    },
  };
}

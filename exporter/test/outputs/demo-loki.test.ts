import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { LokiPeer } from './loki-peer.js';

describe('tfdrift demo with LOKI_URL', () => {
  it('sends every drift record it prints to Loki, exactly once, with the DESIGN.md labels', async () => {
    const peer = new LokiPeer();
    await peer.start();
    try {
      const r = await runCli(['demo', '--listen', '127.0.0.1:0', '--output', 'jsonl', '--interval', '5', '--passes', '1'], { env: { LOKI_URL: peer.url } });
      expect(r.code).toBe(0);
      const lines = r.stdout.split('\n').filter((l) => l.startsWith('{'));
      expect(lines.length).toBeGreaterThan(0);
      expect(peer.entries().map((e) => e.line).sort()).toEqual([...lines].sort());
      expect(peer.formats).toEqual(new Set(['protobuf']));
      for (const e of peer.entries()) {
        expect(Object.keys(e.labels).every((k) => ['job', 'provider', 'account_id', 'region', 'severity', 'change_type'].includes(k))).toBe(true);
        expect(e.labels.job).toBe('tfdrift');
      }
    } finally {
      await peer.stop();
    }
  }, 90000);
});

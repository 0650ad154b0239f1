import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { startApp } from '../../src/app.js';
import { falcoAlertFromCloudTrail } from '../../src/providers/aws/falco-fields.js';
import { silentLogger } from '../../src/util/logger.js';
import { EXPORTER_DIR, waitFor } from '../helpers/cli.js';
import { collectingOutput, ingestConfig, post, syntheticRoleRecords, tempDir } from './helpers.js';

describe('receiver killed after acknowledging', () => {
  it('emits every acknowledged alert\'s drift exactly once across the kill and a restart on the same storage dir', async () => {
    const dir = tempDir();
    const N = 300;
    const alerts = syntheticRoleRecords(N, 'k').map((r) => falcoAlertFromCloudTrail(r));
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/ingest/crash-child.ts'], {
      cwd: EXPORTER_DIR,
      env: { ...process.env, STORAGE_DIR: dir, SLOW_MS: '4' },
    });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const exited = new Promise((resolve) => child.on('exit', resolve));
    try {
      const [, url] = await waitFor(child.stderr, /READY (\S+)/, 110_000);
      // Every alert acknowledged (200) before the kill; 16 posts in flight at a time.
      let next = 0;
      await Promise.all(
        Array.from({ length: 16 }, async () => {
          while (next < N) {
            const res = await post(url, JSON.stringify(alerts[next++]));
            expect(res.status).toBe(200);
          }
        }),
      );
    } finally {
      child.kill('SIGKILL');
      await exited;
    }
    const before = stdout.split('\n').filter((l) => l.endsWith('}')).map((l) => JSON.parse(l) as { drift_id: string; resource_id: string });
    expect(before.length).toBeLessThan(N); // the kill left acknowledged alerts unprocessed

    const out = collectingOutput();
    const config = ingestConfig(dir, { detection: { dedup_window_seconds: 0 }, inputs: { dedup_keys: 0 } });
    const app = await startApp(config, { log: silentLogger(), outputs: [out] });
    await app.ingest.alerts.idle();
    await app.stop();

    const all = [...before, ...out.records].map((r) => r.resource_id);
    expect(out.records.length).toBe(N - before.length);
    expect(new Set(all).size).toBe(all.length); // no duplicate
    expect(all.sort()).toEqual(Array.from({ length: N }, (_, i) => `tfdrift-test-role-k-${i}`).sort()); // no loss
  }, 240_000); // waits are on the child's events; the limit only guards against a hang
});

import { describe, expect, it } from 'vitest';
import { Progress, formatDuration } from '../../src/replay/progress.js';

function tty(isTTY: boolean): { stream: NodeJS.WritableStream & { isTTY?: boolean }; text: () => string } {
  const chunks: string[] = [];
  const stream = { isTTY, write: (c: string) => (chunks.push(c), true) } as unknown as NodeJS.WritableStream & { isTTY?: boolean };
  return { stream, text: () => chunks.join('') };
}

describe('replay progress', () => {
  it('shows objects, records, drifts, rate and an ETA from the bytes done, on a TTY only', () => {
    const t = tty(true);
    const p = new Progress(t.stream, true, 4, 400);
    p.object(100);
    p.update(1000, 3);
    const line = p.line(Date.now() + 1000);
    expect(line).toMatch(/^1\/4 objects, 1000 records, 3 drifts, \d+ records\/s ETA \d+s$/);
    p.done();
    expect(t.text()).toContain('\r');
    const pipe = tty(false);
    const quiet = new Progress(pipe.stream, true, 4, 400);
    quiet.object(100);
    quiet.done();
    expect(pipe.text()).toBe('');
    const off = tty(true);
    new Progress(off.stream, false, 1, 1).object(1);
    expect(off.text()).toBe('');
  });

  it('formats durations for humans', () => {
    expect([formatDuration(4.2), formatDuration(125), formatDuration(7260)]).toEqual(['5s', '2m05s', '2h01m']);
  });
});

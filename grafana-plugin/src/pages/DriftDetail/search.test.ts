import { MAX_WINDOW_MS, searchWindows } from './search';

const DAY = 86_400_000;

describe('drift search windows', () => {
  it('start with the page range, widen to 1, 6 and 23 days, then step 30 days back to the limit, without gaps', () => {
    const to = 1_800_000_000_000;
    const windows = searchWindows({ from: to - 7 * DAY, to }, 90 * DAY);
    expect(windows.map((w) => (to - w.from) / DAY)).toEqual([7, 8, 14, 37, 67, 90]);
    for (let i = 1; i < windows.length; i++) {
      expect(windows[i].to).toBe(windows[i - 1].from);
    }
    expect(windows.every((w) => w.to - w.from <= MAX_WINDOW_MS)).toBe(true);
  });

  it('never search past the limit', () => {
    const to = 1_800_000_000_000;
    expect(searchWindows({ from: to - DAY, to }, 3 * DAY).map((w) => (to - w.from) / DAY)).toEqual([1, 2, 3]);
    expect(searchWindows({ from: to - 10 * DAY, to }, 5 * DAY)).toEqual([{ from: to - 5 * DAY, to }]);
  });
});

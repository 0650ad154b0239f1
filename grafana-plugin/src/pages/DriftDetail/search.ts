import { lokiConfigText, lokiLogs, TimeWindow } from '../../api/client';
import type { LogEntry } from '../../api/parse';
import { driftHistoryQuery } from '../../queries/logql';
import { retentionFromLokiConfig } from '../../utils/retention';

const DAY = 86_400_000;
/** Loki refuses log queries longer than max_query_length (default 721h): no window is longer than 30 days. */
export const MAX_WINDOW_MS = 30 * DAY;
/** How far back to look when Loki does not say its retention (or keeps logs forever). */
export const DEFAULT_LOOKBACK_MS = 365 * DAY;

/**
 * Windows searched backwards from `first`: the page's range, then 1 day, 7 days, 30 days before it,
 * then 30-day steps, never past `limitMs` before `first.to`.
 */
export function searchWindows(first: TimeWindow, limitMs: number): TimeWindow[] {
  const oldest = first.to - limitMs;
  const windows: TimeWindow[] = [{ from: Math.max(first.from, oldest), to: first.to }];
  let to = windows[0].from;
  for (const span of [DAY, 6 * DAY, 23 * DAY]) {
    if (to <= oldest) {
      return windows;
    }
    windows.push({ from: Math.max(to - span, oldest), to });
    to = windows[windows.length - 1].from;
  }
  while (to > oldest) {
    windows.push({ from: Math.max(to - MAX_WINDOW_MS, oldest), to });
    to = windows[windows.length - 1].from;
  }
  return windows;
}

export interface DriftSearchResult {
  /** Records of this drift, newest first. */
  entries: LogEntry[];
  /** The windows read (newest first). */
  searched: TimeWindow[];
  /** How far back the search could go, and why. */
  limitMs: number;
  limitReason: 'retention' | 'default';
}

/**
 * Finds every record of a drift_id, searching back window by window until a detection turns up or
 * Loki's retention (read from its /config) is reached.
 */
export async function searchDrift(
  uid: string,
  job: string,
  driftId: string,
  first: TimeWindow,
  onProgress?: (searched: TimeWindow[]) => void,
): Promise<DriftSearchResult> {
  const retention = retentionFromLokiConfig(await lokiConfigText(uid));
  const limitReason = retention ? 'retention' : 'default';
  const limitMs = retention || DEFAULT_LOOKBACK_MS;
  const query = driftHistoryQuery(job, driftId);
  const entries: LogEntry[] = [];
  const searched: TimeWindow[] = [];
  for (const window of searchWindows(first, Math.max(limitMs, first.to - first.from))) {
    const found = (await lokiLogs(uid, query, window, 1000)).filter((e) => e.record?.drift_id === driftId);
    entries.push(...found);
    searched.push(window);
    onProgress?.([...searched]);
    if (entries.some((e) => e.record?.event_type === 'terraform_drift_detected')) {
      break;
    }
  }
  return { entries, searched, limitMs, limitReason };
}

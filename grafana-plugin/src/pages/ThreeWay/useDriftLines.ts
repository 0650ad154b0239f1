import { useCallback, useEffect, useRef, useState } from 'react';
import { lokiLogs, TimeWindow } from '../../api/client';
import type { LogEntry } from '../../api/parse';

/** Lines per Loki request: Loki's default max_entries_limit_per_query is 5000. */
export const MAX_CHUNK = 5000;
/** Lines per read after the first. */
export const NEXT_CHUNK = 1000;

export interface DriftLines {
  entries: LogEntry[];
  /** True once Loki returned fewer lines than asked: everything in range is loaded. */
  exhausted: boolean;
  loading: boolean;
  error?: unknown;
  /** Loads older chunks until `count` lines are loaded (or none are left). */
  ensure: (count: number) => void;
}

/**
 * Log lines of one query, newest first, read backward in chunks: each next request ends just after the
 * oldest line loaded (Loki's `end` is exclusive, in ns) and lines seen twice at that boundary are dropped.
 */
export function useDriftLines(
  uid: string,
  query: string,
  window: TimeWindow,
  firstChunk: number,
): DriftLines {
  const [state, setState] = useState<Omit<DriftLines, 'ensure'>>({
    entries: [],
    exhausted: false,
    loading: true,
  });
  const generation = useRef(0);
  const wanted = useRef(firstChunk);
  const running = useRef(-1);
  const current = useRef(state);
  current.current = state;

  const pump = useCallback(
    async (gen: number) => {
      if (running.current === gen) {
        return;
      }
      running.current = gen;
      try {
        while (gen === generation.current) {
          const { entries, exhausted } = current.current;
          if (exhausted || entries.length >= wanted.current) {
            break;
          }
          setState((s) => ({ ...s, loading: true }));
          const oldest = entries[entries.length - 1];
          // A small first read paints the first page fast; later reads take big steps.
          const limit = oldest
            ? Math.min(MAX_CHUNK, Math.max(NEXT_CHUNK, wanted.current - entries.length))
            : Math.min(MAX_CHUNK, Math.max(firstChunk, wanted.current));
          const endNs = oldest ? (BigInt(oldest.tsNs) + BigInt(1)).toString() : undefined;
          let chunk: LogEntry[];
          try {
            chunk = await lokiLogs(uid, query, window, limit, endNs);
          } catch (error) {
            if (gen === generation.current) {
              setState((s) => ({ ...s, loading: false, error }));
            }
            return;
          }
          if (gen !== generation.current) {
            return;
          }
          const seen = new Set(entries.filter((e) => oldest && e.tsNs === oldest.tsNs).map((e) => e.line));
          const fresh = chunk.filter((e) => !(oldest && e.tsNs === oldest.tsNs && seen.has(e.line)));
          const next = {
            entries: entries.concat(fresh),
            // Fewer lines than asked, or nothing new (all at one timestamp): the range is read.
            exhausted: chunk.length < limit || fresh.length === 0,
            loading: false,
          };
          current.current = next;
          setState(next);
        }
      } finally {
        if (running.current === gen) {
          running.current = -1;
        }
        if (gen === generation.current) {
          setState((s) => (s.loading ? { ...s, loading: false } : s));
        }
      }
    },
    [uid, query, window, firstChunk],
  );

  useEffect(() => {
    const gen = ++generation.current;
    wanted.current = firstChunk;
    const fresh = { entries: [], exhausted: false, loading: true };
    current.current = fresh;
    setState(fresh);
    pump(gen);
  }, [pump, firstChunk]);

  const ensure = useCallback(
    (count: number) => {
      if (count > wanted.current) {
        wanted.current = count;
        pump(generation.current);
      }
    },
    [pump],
  );

  return { ...state, ensure };
}

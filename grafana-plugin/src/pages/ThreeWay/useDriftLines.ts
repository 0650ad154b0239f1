import { useCallback, useEffect, useMemo, useState } from 'react';
import { lokiLogs, TimeWindow } from '../../api/client';
import type { LogEntry } from '../../api/parse';

/** Lines per Loki request: Loki's default max_entries_limit_per_query is 5000. */
export const MAX_CHUNK = 5000;
/** Lines per read after the first. */
export const NEXT_CHUNK = 1000;

export interface LinesSnapshot {
  entries: LogEntry[];
  /** True once Loki returned fewer lines than asked: everything in range is loaded. */
  exhausted: boolean;
  loading: boolean;
  error?: unknown;
}

export interface DriftLines extends LinesSnapshot {
  /** Loads older chunks until `count` lines are loaded (or none are left). */
  ensure: (count: number) => void;
}

/** Reads one chunk: at most `limit` lines, newest first, ending before `endNs` (exclusive) when given. */
export type ChunkFetch = (limit: number, endNs: string | undefined) => Promise<LogEntry[]>;

const UNREAD: LinesSnapshot = { entries: [], exhausted: false, loading: true };

/**
 * Log lines of one query, newest first, read backward in chunks: each next request ends just after the
 * oldest line loaded (Loki's `end` is exclusive, in ns) and lines seen twice at that boundary are dropped.
 * One reader per query; it reports each new snapshot to its subscriber and reads only while subscribed.
 */
export class BackwardLineReader {
  private snapshot: LinesSnapshot = UNREAD;
  private wanted: number;
  private generation = 0;
  private running = -1;
  private listener?: (lines: LinesSnapshot) => void;

  constructor(
    private readonly fetchChunk: ChunkFetch,
    private readonly firstChunk: number,
  ) {
    this.wanted = firstChunk;
  }

  /** Starts (or resumes) reading; the returned function stops reporting and drops reads in flight. */
  subscribe(listener: (lines: LinesSnapshot) => void): () => void {
    this.listener = listener;
    const gen = ++this.generation;
    void this.pump(gen);
    return () => {
      if (this.listener === listener) {
        this.listener = undefined;
        this.generation++;
      }
    };
  }

  ensure(count: number): void {
    if (count > this.wanted) {
      this.wanted = count;
      if (this.listener) {
        void this.pump(this.generation);
      }
    }
  }

  private publish(next: LinesSnapshot): void {
    this.snapshot = next;
    this.listener?.(next);
  }

  private async pump(gen: number): Promise<void> {
    if (this.running === gen) {
      return;
    }
    this.running = gen;
    try {
      while (gen === this.generation) {
        const { entries, exhausted } = this.snapshot;
        if (exhausted || entries.length >= this.wanted) {
          break;
        }
        if (!this.snapshot.loading) {
          this.publish({ ...this.snapshot, loading: true });
        }
        const oldest = entries[entries.length - 1];
        // A small first read paints the first page fast; later reads take big steps.
        const limit = oldest
          ? Math.min(MAX_CHUNK, Math.max(NEXT_CHUNK, this.wanted - entries.length))
          : Math.min(MAX_CHUNK, Math.max(this.firstChunk, this.wanted));
        const endNs = oldest ? (BigInt(oldest.tsNs) + BigInt(1)).toString() : undefined;
        let chunk: LogEntry[];
        try {
          chunk = await this.fetchChunk(limit, endNs);
        } catch (error) {
          if (gen === this.generation) {
            this.publish({ ...this.snapshot, loading: false, error });
          }
          return;
        }
        if (gen !== this.generation) {
          return;
        }
        const seen = new Set(entries.filter((e) => oldest && e.tsNs === oldest.tsNs).map((e) => e.line));
        const fresh = chunk.filter((e) => !(oldest && e.tsNs === oldest.tsNs && seen.has(e.line)));
        this.publish({
          entries: entries.concat(fresh),
          // Fewer lines than asked, or nothing new (all at one timestamp): the range is read.
          exhausted: chunk.length < limit || fresh.length === 0,
          loading: false,
        });
      }
    } finally {
      if (this.running === gen) {
        this.running = -1;
      }
      if (gen === this.generation && this.snapshot.loading) {
        this.publish({ ...this.snapshot, loading: false });
      }
    }
  }
}

/** The lines of `query` in `window` from Loki data source `uid`, read backward on demand (see BackwardLineReader). */
export function useDriftLines(
  uid: string,
  query: string,
  window: TimeWindow,
  firstChunk: number,
): DriftLines {
  const reader = useMemo(
    () => new BackwardLineReader((limit, endNs) => lokiLogs(uid, query, window, limit, endNs), firstChunk),
    [uid, query, window, firstChunk],
  );
  // Snapshots are tagged with their reader: a new query shows as unread until its reader reports.
  const [reported, setReported] = useState<{ reader: BackwardLineReader; lines: LinesSnapshot }>();
  useEffect(() => reader.subscribe((lines) => setReported({ reader, lines })), [reader]);
  const ensure = useCallback((count: number) => reader.ensure(count), [reader]);
  const lines = reported?.reader === reader ? reported.lines : UNREAD;
  return { ...lines, ensure };
}

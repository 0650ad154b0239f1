import type { StateSourceConfig } from '../config.js';

/** Raw state text plus a version marker for change detection (ETag, mtime, serial). */
export interface FetchedState {
  text: string;
  location: string;
  /** Opaque; equal markers mean unchanged content. */
  version: string | null;
  /**
   * True when this object is known unchanged since the previous fetch (e.g. a 304 on a
   * conditional GET): `text` is empty and the store keeps the snapshot it already has.
   */
  unchanged?: boolean;
}

export interface StateBackend {
  readonly kind: string;
  /**
   * Returns null when `previousVersion` is still current (nothing to download). Multi-object
   * sources (globs) return every object that currently exists, unchanged ones flagged.
   * `known` maps each object of the last good load to its version (ETag…), for conditional
   * requests per object; the store, not the backend, remembers what was loaded.
   */
  fetch(previousVersion: string | null, known?: ReadonlyMap<string, string | null>): Promise<FetchedState[] | null>;
  describe(): string;
  /** Optional push notification of changes (local files); returns a function that stops watching. */
  watch?(onChange: () => void): () => void;
}

export type StateBackendFactory = (config: StateSourceConfig) => StateBackend;

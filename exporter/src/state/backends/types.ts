import type { StateSourceConfig } from '../config.js';

/** Raw state text plus a version marker for change detection (ETag, mtime, serial). */
export interface FetchedState {
  text: string;
  location: string;
  /** Opaque; equal markers mean unchanged content. */
  version: string | null;
}

export interface StateBackend {
  readonly kind: string;
  /** Returns null when `previousVersion` is still current (nothing to download). */
  fetch(previousVersion: string | null): Promise<FetchedState[] | null>;
  describe(): string;
}

export type StateBackendFactory = (config: StateSourceConfig) => StateBackend;

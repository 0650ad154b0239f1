import { DependencyList, useEffect, useState } from 'react';

export interface AsyncState<T> {
  loading: boolean;
  error?: string;
  /** The rejection itself (e.g. a QueryError with its HTTP status), for classification. */
  cause?: unknown;
  value?: T;
}

/** Runs `load` whenever `deps` change; ignores answers that arrive after a newer request started. */
export function useAsync<T>(load: () => Promise<T>, deps: DependencyList): AsyncState<T> {
  const [state, setState] = useState<AsyncState<T>>({ loading: true });
  useEffect(() => {
    let current = true;
    // A new load starts: mark it loading (keeping the last value); its answer arrives asynchronously.
    // eslint-disable-next-line react-hooks/set-state-in-effect
    setState((s) => ({ loading: true, value: s.value }));
    load().then(
      (value) => current && setState({ loading: false, value }),
      (err: unknown) =>
        current &&
        setState({ loading: false, error: err instanceof Error ? err.message : String(err), cause: err }),
    );
    return () => {
      current = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);
  return state;
}

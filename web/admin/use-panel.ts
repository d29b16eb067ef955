import { useEffect, useState } from 'react';
import { isAbort, type ApiResult } from './api/client';

export interface Panel<T> {
  /** The request key the result belongs to. */
  key: unknown;
  loading: boolean;
  /** The latest answer (kept while the next one loads, so the page does not jump). */
  result: ApiResult<T> | null;
}

/**
 * One part of the page loaded by a request of its own, so that one failing part never blanks the others.
 * A new key starts a new request and abandons the previous one.
 */
export function usePanel<T>(key: unknown, load: (signal: AbortSignal) => Promise<ApiResult<T>>): Panel<T> {
  const [panel, setPanel] = useState<Panel<T>>({ key: undefined, loading: true, result: null });
  useEffect(() => {
    const controller = new AbortController();
    setPanel((previous) => ({ ...previous, loading: true }));
    load(controller.signal).then(
      (result) => setPanel({ key, loading: false, result }),
      (error: unknown) => {
        if (!isAbort(error)) throw error;
      },
    );
    return () => controller.abort();
    // The key says when to load again; `load` is a new closure on every render.
  }, [key]);
  return panel;
}

import { useEffect, useState } from 'react';
import { isAbort, type ApiError } from '../api/client';
import { VISITORS_NOW } from '../api/operations';
import { formatClock, formatCount, t } from '../i18n';
import { authorizedRequest } from '../session';
import { ErrorMessage } from './ErrorMessage';

const POLL_MS = 10_000;
/** The overview's shortest period (one 15-minute rollup slot); visitorsNow itself always covers 5 minutes. */
const WINDOW_MS = 15 * 60_000;

/** Visitors of the last 5 minutes, asked for again every few seconds while the page is visible. */
export function VisitorsNow() {
  const [count, setCount] = useState<{ value: number; at: Date } | null>(null);
  const [error, setError] = useState<ApiError | null>(null);

  useEffect(() => {
    let controller: AbortController | null = null;
    async function poll() {
      if (document.hidden) return;
      controller?.abort();
      controller = new AbortController();
      const now = Date.now();
      const input = { from: new Date(now - WINDOW_MS).toISOString(), to: new Date(now).toISOString(), top: 1 };
      try {
        const { data, errors } = await authorizedRequest<{ statsOverview: { visitorsNow: number } | null }>(
          VISITORS_NOW,
          { input },
          controller.signal,
        );
        const overview = data?.statsOverview;
        if (overview) setCount({ value: overview.visitorsNow, at: new Date() });
        setError(overview ? null : (errors[0] ?? null));
      } catch (failure) {
        if (!isAbort(failure)) throw failure;
      }
    }
    void poll();
    const timer = setInterval(() => void poll(), POLL_MS);
    const onVisible = () => void (document.hidden || poll());
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      clearInterval(timer);
      document.removeEventListener('visibilitychange', onVisible);
      controller?.abort();
    };
  }, []);

  return (
    <div className="visitors-now" data-testid="visitors-now">
      <span className="pulse" aria-hidden />
      <span>{t('visitorsNow.label')}</span>
      <strong>{count ? formatCount(count.value) : '—'}</strong>
      {count && <span className="muted small">{t('visitorsNow.hint', { time: formatClock(count.at) })}</span>}
      {error && <ErrorMessage error={error} />}
    </div>
  );
}

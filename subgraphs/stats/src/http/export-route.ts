import type { Express } from 'express';
import { pickLocale, translate } from '@keylab/errors';
import type { Logger } from '@keylab/logger';
import type { StatsDb } from '../db/client';
import type { ResultCache } from '../domain/cache';
import { EXPORT_PATH, seriesCsv, verifyExport } from '../domain/export';
import { activitySeries, attendanceSeries } from '../domain/statistics';

/** GET /exports/statistics/<signed token>: the series the token names, as a CSV download. */
export function mountExportRoute(app: Express, db: StatsDb, cache: ResultCache, secret: string, logger: Logger): void {
  app.get(`${EXPORT_PATH}/:token`, async (req, res) => {
    const locale = pickLocale(req.headers['accept-language']);
    const verified = verifyExport(secret, req.params.token);
    if (!verified.ok) {
      res
        .status(verified.reason === 'export.expired' ? 410 : 403)
        .type('text/plain')
        .send(translate(locale, verified.reason));
      return;
    }
    const { request } = verified;
    try {
      const input = {
        from: new Date(request.from),
        to: new Date(request.to),
        interval: request.interval as 'AUTO',
        timeZone: request.timeZone,
        activities: request.activities,
      };
      const deps = { db, cache };
      const series = request.series === 'ACTIVITY' ? await activitySeries(deps, input) : await attendanceSeries(deps, input);
      const name = `keylab-${request.series.toLowerCase()}-${request.from.slice(0, 10)}-${series.interval.toLowerCase()}.csv`;
      res
        .status(200)
        .type('text/csv; charset=utf-8')
        .setHeader('content-disposition', `attachment; filename="${name}"`)
        .setHeader('cache-control', 'private, no-store')
        .send(await seriesCsv(series));
    } catch (error) {
      logger.error({ err: (error as Error).message }, 'statistics export failed');
      res
        .status(500)
        .type('text/plain')
        .send(translate(locale, 'internal', { requestId: String(req.headers['x-request-id'] ?? '') }));
    }
  });
}

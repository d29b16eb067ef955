import { createHmac, timingSafeEqual } from 'node:crypto';
import { localIso } from './period';
import type { ActivitySeriesResult, AttendanceSeriesResult } from './statistics';

export const EXPORT_PATH = '/exports/statistics';
export const EXPORT_TTL_MS = 15 * 60_000;

/** What a signed export link carries: the series request, frozen. */
export interface ExportRequest {
  series: 'ACTIVITY' | 'ATTENDANCE';
  from: string;
  to: string;
  interval: string;
  timeZone: string;
  activities: string[] | null;
  /** Expiry, milliseconds since the epoch. */
  exp: number;
}

const mac = (secret: string, payload: string) => createHmac('sha256', secret).update(payload).digest('base64url');

export function signExport(secret: string, request: ExportRequest): string {
  const payload = Buffer.from(JSON.stringify(request)).toString('base64url');
  return `${payload}.${mac(secret, payload)}`;
}

export type VerifiedExport = { ok: true; request: ExportRequest } | { ok: false; reason: 'export.invalid' | 'export.expired' };

export function verifyExport(secret: string, token: string, now = Date.now()): VerifiedExport {
  const [payload, signature, extra] = token.split('.');
  if (!payload || !signature || extra !== undefined) return { ok: false, reason: 'export.invalid' };
  const expected = Buffer.from(mac(secret, payload));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { ok: false, reason: 'export.invalid' };
  const request = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as ExportRequest;
  if (request.exp < now) return { ok: false, reason: 'export.expired' };
  return { ok: true, request };
}

const csvLine = (values: (string | number)[]) => `${values.join(',')}\r\n`;
const round = (value: number) => Math.round(value * 1000) / 1000;

/**
 * RFC 4180 CSV, one row per bucket; times in the series' time zone with their offset. An activity series
 * has the chosen activities together, then each on its own (`<tag>_events`, `<tag>_visitors`).
 */
export async function seriesCsv(series: ActivitySeriesResult | AttendanceSeriesResult): Promise<string> {
  const local = (date: Date) => localIso(date, series.timeZone);
  if ('tags' in series) {
    const lines = await series.byActivity();
    return (
      csvLine([
        'bucket_start',
        'bucket_end',
        'events',
        'visitors',
        ...lines.flatMap(({ tag }) => [`${tag}_events`, `${tag}_visitors`]),
      ]) +
      series.points
        .map((p, i) =>
          csvLine([
            local(p.start),
            local(p.end),
            p.events,
            p.visitors,
            ...lines.flatMap((line) => [line.points[i]!.events, line.points[i]!.visitors]),
          ]),
        )
        .join('')
    );
  }
  return (
    csvLine([
      'bucket_start',
      'bucket_end',
      'visits',
      'visitors',
      'bounces',
      'total_visit_seconds',
      'average_visit_seconds',
      'sign_ups',
    ]) +
    series.points
      .map((p) =>
        csvLine([
          local(p.start),
          local(p.end),
          p.visits,
          p.visitors,
          p.bounces,
          round(p.totalVisitSeconds),
          round(p.visits ? p.totalVisitSeconds / p.visits : 0),
          p.signUps,
        ]),
      )
      .join('')
  );
}

import { errors, type MessageKey } from '@keylab/errors';
import type { StatsDb } from '../db/client';

export type Interval = 'MINUTE' | 'FIFTEEN_MINUTES' | 'HOUR' | 'DAY' | 'WEEK' | 'MONTH';

/** At most this many buckets in one series (the original allowed a year of 15-minute buckets: 35,040 queries). */
export const MAX_BUCKETS = 1_500;
/** The longest overview period. */
export const MAX_OVERVIEW_DAYS = 400;

const DAY = 86_400;

export const INTERVALS: Record<Interval, { seconds: number }> = {
  MINUTE: { seconds: 60 },
  FIFTEEN_MINUTES: { seconds: 900 },
  HOUR: { seconds: 3_600 },
  DAY: { seconds: DAY },
  WEEK: { seconds: 7 * DAY },
  MONTH: { seconds: 28 * DAY },
};

/** An interval's title in the message catalogue. */
export const intervalTitle = (interval: Interval) => ({ key: `interval.${interval}` as MessageKey });

/** AUTO: the finest interval that keeps the series short enough to plot (after Umami's thresholds). */
const AUTO_LIMITS: [maxSeconds: number, interval: Interval][] = [
  [2 * 3_600, 'MINUTE'],
  [24 * 3_600, 'FIFTEEN_MINUTES'],
  [7 * DAY, 'HOUR'],
  [92 * DAY, 'DAY'],
  [366 * DAY, 'WEEK'],
];

export function autoInterval(seconds: number): Interval {
  return AUTO_LIMITS.find(([max]) => seconds <= max)?.[1] ?? 'MONTH';
}

export interface PeriodInput {
  from: Date;
  to: Date;
  interval: Interval | 'AUTO';
  timeZone: string;
}

export interface Bucket {
  start: Date;
  end: Date;
}

export interface Period {
  interval: Interval;
  timeZone: string;
  buckets: Bucket[];
  from: Date;
  to: Date;
}

let knownZones: Promise<Set<string>> | undefined;

/** Time zones PostgreSQL knows (the ones our SQL can use), loaded once. */
async function timeZones(db: StatsDb): Promise<Set<string>> {
  knownZones ??= db.$queryRaw<{ name: string }[]>`SELECT name FROM pg_timezone_names WHERE name NOT LIKE 'posix/%'`
    .then((rows) => new Set(rows.map((row) => row.name)))
    .catch((error: unknown) => {
      knownZones = undefined;
      throw error;
    });
  return knownZones;
}

export async function checkTimeZone(db: StatsDb, timeZone: string): Promise<void> {
  if (!(await timeZones(db)).has(timeZone)) throw errors.badInput('timeZone', 'input.timeZone');
}

function checkRange(from: Date, to: Date, now: Date): void {
  if (to.getTime() <= from.getTime()) throw errors.badInput('to', 'input.periodReversed');
  if (from.getTime() > now.getTime()) throw errors.badInput('from', 'input.periodFuture');
}

/** Validates a series request and cuts it into calendar buckets of its time zone. */
export async function seriesPeriod(db: StatsDb, input: PeriodInput, now = new Date()): Promise<Period> {
  checkRange(input.from, input.to, now);
  await checkTimeZone(db, input.timeZone);
  const seconds = (input.to.getTime() - input.from.getTime()) / 1000;
  const interval = input.interval === 'AUTO' ? autoInterval(seconds) : input.interval;
  const estimate = Math.ceil(seconds / INTERVALS[interval].seconds) + 1;
  if (estimate > MAX_BUCKETS) {
    throw errors.badInput('interval', 'input.periodTooLong', {
      buckets: estimate,
      interval: intervalTitle(interval),
      max: MAX_BUCKETS,
    });
  }
  const buckets = await bucketsOf(db, interval, input.from, input.to, input.timeZone);
  return { interval, timeZone: input.timeZone, buckets, from: buckets[0]!.start, to: buckets.at(-1)!.end };
}

/** Validates an overview period and widens it to whole 15-minute slots (the finest rollup). */
export function overviewPeriod(from: Date, to: Date, now = new Date()): { from: Date; to: Date } {
  checkRange(from, to, now);
  if (to.getTime() - from.getTime() > MAX_OVERVIEW_DAYS * DAY * 1000) {
    throw errors.badInput('to', 'input.periodTooLongOverall', { days: MAX_OVERVIEW_DAYS });
  }
  const slot = 900_000;
  return {
    from: new Date(Math.floor(from.getTime() / slot) * slot),
    to: new Date(Math.ceil(to.getTime() / slot) * slot),
  };
}

const CALENDAR: Partial<Record<Interval, string>> = { DAY: 'day', WEEK: 'week', MONTH: 'month' };
const FIXED: Partial<Record<Interval, string>> = { MINUTE: '1 minute', FIFTEEN_MINUTES: '15 minutes', HOUR: '1 hour' };

/**
 * Bucket edges from PostgreSQL's time zone data. Days, weeks and months step in local wall-clock time
 * (a day across a DST change lasts 23 or 25 hours); minutes, quarters and hours step in absolute time
 * from local midnight (a DST night has 23 or 25 hourly buckets).
 */
async function bucketsOf(db: StatsDb, interval: Interval, from: Date, to: Date, timeZone: string): Promise<Bucket[]> {
  const unit = CALENDAR[interval];
  if (unit) {
    return db.$queryRaw<Bucket[]>`
      SELECT (g AT TIME ZONE ${timeZone}) AS start, ((g + ${`1 ${unit}`}::interval) AT TIME ZONE ${timeZone}) AS "end"
      FROM generate_series(date_trunc(${unit}, ${from}::timestamptz AT TIME ZONE ${timeZone}),
                           ${to}::timestamptz AT TIME ZONE ${timeZone}, ${`1 ${unit}`}::interval) AS g
      WHERE (g AT TIME ZONE ${timeZone}) < ${to}::timestamptz
      ORDER BY g`;
  }
  const step = FIXED[interval]!;
  return db.$queryRaw<Bucket[]>`
    SELECT g AS start, g + ${step}::interval AS "end"
    FROM generate_series(date_bin(${step}::interval, ${from}::timestamptz, date_trunc('day', ${from}::timestamptz, ${timeZone})),
                         ${to}::timestamptz - interval '1 millisecond', ${step}::interval) AS g
    ORDER BY g`;
}

/** 2026-11-25T00:00:00+03:00: a bucket's start as a clock in `timeZone` shows it. */
export function localIso(date: Date, timeZone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      timeZoneName: 'longOffset',
    })
      .formatToParts(date)
      .map((part) => [part.type, part.value]),
  );
  const offset = parts.timeZoneName === 'GMT' ? '+00:00' : parts.timeZoneName!.replace('GMT', '');
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}${offset}`;
}

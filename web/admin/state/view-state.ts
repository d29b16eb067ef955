import type { SeriesInput } from '../api/operations';
import { browserTimeZone } from '../time-zone';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** The fixed periods, each ending at the moment it is loaded. */
export const PRESETS = { '24h': DAY, '7d': 7 * DAY, '30d': 30 * DAY, '90d': 90 * DAY } as const;
export type Preset = keyof typeof PRESETS;
export type PeriodChoice = Preset | 'custom';
export const PERIOD_CHOICES: PeriodChoice[] = [...(Object.keys(PRESETS) as Preset[]), 'custom'];

/** Everything the administrator chose: kept in the query string, so a reload or a shared link shows the same. */
export interface ViewState {
  period: PeriodChoice;
  /** The custom period, ISO 8601 (null for a preset). */
  from: string | null;
  to: string | null;
  /** AUTO or one of statsIntervals. */
  interval: string;
  timeZone: string;
  /** ActivityTag values; null means all of them. */
  activities: string[] | null;
}

const isPeriod = (value: string | null): value is PeriodChoice => PERIOD_CHOICES.includes(value as PeriodChoice);
const isoOrNull = (value: string | null) => (value && !Number.isNaN(Date.parse(value)) ? new Date(value).toISOString() : null);

export function readViewState(search: string): ViewState {
  const params = new URLSearchParams(search);
  const period = params.get('period');
  const from = isoOrNull(params.get('from'));
  const to = isoOrNull(params.get('to'));
  const custom = period === 'custom' && from !== null && to !== null;
  const activities = params.get('activities');
  return {
    period: custom ? 'custom' : isPeriod(period) && period !== 'custom' ? period : '24h',
    from: custom ? from : null,
    to: custom ? to : null,
    interval: /^[A-Z_]+$/.test(params.get('bucket') ?? '') ? params.get('bucket')! : 'AUTO',
    timeZone: params.get('tz') || browserTimeZone(),
    // Upper case: links made before ActivityTag was an enum carry the stored tags (see_box).
    activities: activities ? [...new Set(activities.toUpperCase().split(',').filter(Boolean))].sort() : null,
  };
}

export function writeViewState(view: ViewState): string {
  const params = new URLSearchParams({ period: view.period });
  if (view.period === 'custom' && view.from && view.to) {
    params.set('from', view.from);
    params.set('to', view.to);
  }
  params.set('bucket', view.interval);
  params.set('tz', view.timeZone);
  if (view.activities) params.set('activities', view.activities.join(','));
  return `?${params.toString()}`;
}

/** The series request for this view: a preset ends now. */
export function seriesInputOf(view: ViewState, now = new Date()): SeriesInput {
  const custom = view.period === 'custom' && view.from && view.to;
  return {
    from: custom ? view.from! : new Date(now.getTime() - PRESETS[view.period as Preset]).toISOString(),
    to: custom ? view.to! : now.toISOString(),
    interval: view.interval,
    timeZone: view.timeZone,
    activities: view.activities,
  };
}

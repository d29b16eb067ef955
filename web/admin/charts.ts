import uPlot from 'uplot';
import { locale } from './i18n';
import { isLocalMidnight } from './time-zone';

export interface LineSpec {
  label: string;
  color: string;
  /** The y scale (and axis) the line is drawn against. */
  scale: string;
  format: (value: number) => string;
}

export interface AxisSpec {
  scale: string;
  /** 3 = left, 1 = right. */
  side: 1 | 3;
  format: (value: number) => string;
  /** The scale's range from the largest value; counts start at 0 and end on a whole number. */
  range: (max: number) => [number, number];
  /** Tick steps to choose from (whole counts, round durations); uPlot's own otherwise. */
  steps?: number[];
}

/** Distinct, colour-blind friendly (Okabe-Ito and Tableau hues). */
export const PALETTE = [
  '#0072b2',
  '#e69f00',
  '#009e73',
  '#cc79a7',
  '#d55e00',
  '#56b4e9',
  '#8c564b',
  '#7f7f7f',
  '#bcbd22',
  '#17becf',
];

const paletteColor = (index: number) => PALETTE[index % PALETTE.length]!;

/**
 * Each activity keeps its colour whichever others are shown: its place among all kinds picks it. Views
 * (SEE_*) come first, so the lines looked at most get the strongest colours.
 */
export function activityColor(tag: string, allTags: string[], fallbackIndex = 0): string {
  const ordered = [...allTags].sort((a, b) => Number(a.startsWith('EDIT_')) - Number(b.startsWith('EDIT_')));
  const index = ordered.indexOf(tag);
  return paletteColor(index >= 0 ? index : fallbackIndex);
}

const DAY_SECONDS = 86_400;
const formats = new Map<string, Intl.DateTimeFormat>();
function dateFormat(timeZone: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${timeZone}|${JSON.stringify(options)}`;
  let format = formats.get(key);
  if (!format) formats.set(key, (format = new Intl.DateTimeFormat(locale, { timeZone, ...options })));
  return format;
}

const TIME: Intl.DateTimeFormatOptions = { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' };
const DAY_MONTH: Intl.DateTimeFormatOptions = { day: 'numeric', month: 'short' };
const MONTH_YEAR: Intl.DateTimeFormatOptions = { month: 'long', year: 'numeric' };

/** A bucket's start as the legend shows it, in the series' zone: to the minute, the day or the month. */
export function bucketLabel(seconds: number, timeZone: string, interval: string): string {
  const date = new Date(seconds * 1000);
  if (interval === 'MONTH') return dateFormat(timeZone, MONTH_YEAR).format(date);
  if (interval === 'DAY' || interval === 'WEEK') return dateFormat(timeZone, { dateStyle: 'medium' }).format(date);
  return dateFormat(timeZone, { dateStyle: 'medium', timeStyle: 'short', hourCycle: 'h23' }).format(date);
}

/** Tick labels in the series' zone: times (with the date under the first and each midnight), days or months. */
function timeTicks(timeZone: string): uPlot.Axis.DynamicValues {
  return (_chart, splits, _axis, _space, increment) =>
    splits.map((seconds, index) => {
      const date = new Date(seconds * 1000);
      if (increment >= 28 * DAY_SECONDS) return dateFormat(timeZone, { month: 'short', year: 'numeric' }).format(date);
      if (increment >= DAY_SECONDS) return dateFormat(timeZone, DAY_MONTH).format(date);
      const time = dateFormat(timeZone, TIME).format(date);
      return index === 0 || isLocalMidnight(date, timeZone) ? `${time}\n${dateFormat(timeZone, DAY_MONTH).format(date)}` : time;
    });
}

/** 1, 2, 5, 10, 20, 50… */
export const WHOLE_STEPS = Array.from({ length: 10 }, (_, power) => [1, 2, 5].map((step) => step * 10 ** power)).flat();
/** Seconds: 1 s to 10 s, then whole minutes, then hours. */
export const DURATION_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1_800, 3_600, 7_200, 14_400, 28_800];

const AXIS_STYLE = { stroke: '#4b5563', grid: { stroke: '#e5e7eb', width: 1 }, ticks: { stroke: '#d1d5db', width: 1 } };

export function chartOptions({
  width,
  height,
  timeZone,
  interval,
  timeLabel,
  lines,
  axes,
}: {
  width: number;
  height: number;
  timeZone: string;
  interval: string;
  timeLabel: string;
  lines: LineSpec[];
  axes: AxisSpec[];
}): uPlot.Options {
  return {
    width,
    height,
    // Ticks fall on the zone's own hours, days and months.
    tzDate: (seconds) => uPlot.tzDate(new Date(seconds * 1000), timeZone),
    cursor: { drag: { x: false, y: false } },
    scales: {
      x: { time: true },
      ...Object.fromEntries(
        axes.map((axis) => [axis.scale, { range: (_chart: uPlot, _min: number, max: number) => axis.range(max) }]),
      ),
    },
    series: [
      { label: timeLabel, value: (_chart, seconds) => (seconds == null ? '—' : bucketLabel(seconds, timeZone, interval)) },
      ...lines.map((line): uPlot.Series => ({
        label: line.label,
        scale: line.scale,
        stroke: line.color,
        width: 2,
        points: { size: 5, fill: line.color },
        value: (_chart, value) => (value == null ? '—' : line.format(value)),
      })),
    ],
    axes: [
      { ...AXIS_STYLE, values: timeTicks(timeZone), space: 70 },
      ...axes.map((axis): uPlot.Axis => ({
        ...AXIS_STYLE,
        scale: axis.scale,
        side: axis.side,
        size: 70,
        grid: axis.side === 3 ? AXIS_STYLE.grid : { show: false },
        values: (_chart, splits) => splits.map((value) => axis.format(value)),
        ...(axis.steps ? { incrs: axis.steps } : {}),
      })),
    ],
  };
}

export const countRange = (max: number): [number, number] => [0, Math.max(1, Math.ceil((max || 0) * 1.1))];
export const shareRange = (): [number, number] => [0, 1];
export const durationRange = (max: number): [number, number] => [0, Math.max(60, (max || 0) * 1.1)];

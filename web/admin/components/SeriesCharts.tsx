import { useMemo } from 'react';
import type uPlot from 'uplot';
import type { ActivitySeries, AttendanceSeries } from '../api/operations';
import {
  activityColor,
  countRange,
  DURATION_STEPS,
  durationRange,
  PALETTE,
  shareRange,
  WHOLE_STEPS,
  type AxisSpec,
  type LineSpec,
} from '../charts';
import { formatCount, formatDuration, formatPercent, t } from '../i18n';
import { Chart } from './Chart';

const seconds = (points: { start: string }[]) => points.map((point) => Date.parse(point.start) / 1000);

const COUNT_AXIS: AxisSpec = { scale: 'count', side: 3, format: formatCount, range: countRange, steps: WHOLE_STEPS };
const SHARE_AXIS: AxisSpec = { scale: 'share', side: 3, format: formatPercent, range: shareRange };
const DURATION_AXIS: AxisSpec = {
  scale: 'duration',
  side: 1,
  format: formatDuration,
  range: durationRange,
  steps: DURATION_STEPS,
};

// Constants, so that a chart is drawn again only when its data changes.
const COUNT_AXES = [COUNT_AXIS];
const SHAPE_AXES = [SHARE_AXIS, DURATION_AXIS];

/** Events and unique visitors per bucket, one line per chosen activity (byActivity). */
export function ActivityCharts({ series, allTags }: { series: ActivitySeries; allTags: string[] }) {
  const charts = useMemo(() => {
    const x = seconds(series.points);
    const lines: LineSpec[] = series.byActivity.map((line, index) => ({
      label: line.activity.title,
      color: activityColor(line.activity.tag, allTags, index),
      scale: 'count',
      format: formatCount,
    }));
    return {
      lines,
      events: [x, ...series.byActivity.map((line) => line.points.map((point) => point.events))] as uPlot.AlignedData,
      visitors: [x, ...series.byActivity.map((line) => line.points.map((point) => point.visitors))] as uPlot.AlignedData,
    };
  }, [series, allTags]);
  const common = { lines: charts.lines, axes: COUNT_AXES, timeZone: series.timeZone, interval: series.interval };
  return (
    <>
      <Chart name="activityEvents" title={t('chart.activityEvents')} data={charts.events} {...common} />
      <Chart name="activityVisitors" title={t('chart.activityVisitors')} data={charts.visitors} {...common} />
    </>
  );
}

/**
 * Visits and visitors per bucket; bounce rate (bounces / visits) and average visit duration on axes of
 * their own. A bucket without visits has neither: it is a gap, not a zero.
 */
export function AttendanceCharts({ series }: { series: AttendanceSeries }) {
  const charts = useMemo(() => {
    const x = seconds(series.points);
    const counts: LineSpec[] = [
      { label: t('chart.visits'), color: PALETTE[0]!, scale: 'count', format: formatCount },
      { label: t('chart.visitors'), color: PALETTE[1]!, scale: 'count', format: formatCount },
    ];
    const shape: LineSpec[] = [
      { label: t('chart.bounceRate'), color: PALETTE[4]!, scale: 'share', format: formatPercent },
      { label: t('chart.averageVisit'), color: PALETTE[2]!, scale: 'duration', format: formatDuration },
    ];
    return {
      counts,
      shape,
      attendance: [x, series.points.map((p) => p.visits), series.points.map((p) => p.visitors)] as uPlot.AlignedData,
      bounceAndDuration: [
        x,
        series.points.map((p) => (p.visits ? p.bounces / p.visits : null)),
        series.points.map((p) => (p.visits ? p.averageVisitSeconds : null)),
      ] as uPlot.AlignedData,
    };
  }, [series]);
  const common = { timeZone: series.timeZone, interval: series.interval };
  return (
    <>
      <Chart
        name="attendance"
        title={t('chart.attendance')}
        data={charts.attendance}
        lines={charts.counts}
        axes={COUNT_AXES}
        {...common}
      />
      <Chart
        name="bounceAndDuration"
        title={t('chart.bounceAndDuration')}
        data={charts.bounceAndDuration}
        lines={charts.shape}
        axes={SHAPE_AXES}
        {...common}
      />
    </>
  );
}

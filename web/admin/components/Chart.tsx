import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import { chartOptions, type AxisSpec, type LineSpec } from '../charts';
import { t } from '../i18n';
import { debugHandle, type ChartName } from '../debug';

const HEIGHT = 260;

export interface ChartProps {
  name: ChartName;
  title: string;
  /** [bucket starts in seconds, ...one array per line]; null where a value has no meaning. */
  data: uPlot.AlignedData;
  lines: LineSpec[];
  axes: AxisSpec[];
  timeZone: string;
  interval: string;
}

/** One uPlot chart, drawn again whenever its data or lines change, and registered in the debug handle. */
export function Chart({ name, title, data, lines, axes, timeZone, interval }: ChartProps) {
  const box = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const element = box.current!;
    const chart = new uPlot(
      chartOptions({ width: element.clientWidth, height: HEIGHT, timeZone, interval, timeLabel: t('chart.time'), lines, axes }),
      data,
      element,
    );
    debugHandle.charts[name] = chart;
    const resize = new ResizeObserver(() => {
      if (element.clientWidth && element.clientWidth !== chart.width)
        chart.setSize({ width: element.clientWidth, height: HEIGHT });
    });
    resize.observe(element);
    return () => {
      resize.disconnect();
      chart.destroy();
      if (debugHandle.charts[name] === chart) delete debugHandle.charts[name];
    };
  }, [name, data, lines, axes, timeZone, interval]);

  return (
    <figure className="chart" data-chart={name}>
      <figcaption>{title}</figcaption>
      <div ref={box} className="chart-canvas" />
    </figure>
  );
}

import { useEffect, useMemo, useState } from 'react';
import {
  ACTIVITY_SERIES,
  ATTENDANCE_SERIES,
  STATS_META,
  STATS_OVERVIEW,
  TOP_LENGTH,
  type ActivitySeries,
  type AttendanceSeries,
  type SessionUser,
  type StatsMeta,
  type StatsOverview,
} from '../api/operations';
import { debugHandle } from '../debug';
import { authorizedRequest } from '../session';
import { readViewState, seriesInputOf, writeViewState } from '../state/view-state';
import { usePanel, type Panel } from '../use-panel';
import { Controls } from './Controls';
import { ErrorMessage } from './ErrorMessage';
import { ExportButtons } from './ExportButtons';
import { Header } from './Header';
import { Headline } from './Headline';
import { ActivityCharts, AttendanceCharts } from './SeriesCharts';
import { PanelProblems, ProblemNotices, problemsOf, type PanelName } from './Problems';
import { TopLists } from './TopLists';
import { VisitorsNow } from './VisitorsNow';

export function Dashboard({ user }: { user: SessionUser }) {
  const [view, setView] = useState(() => readViewState(window.location.search));
  const [reloads, setReloads] = useState(0);
  useEffect(() => window.history.replaceState(null, '', writeViewState(view)), [view]);
  // A new object on every change and every reload: the panels' key, so they ask again (a preset then
  // ends at the new "now").
  const input = useMemo(() => seriesInputOf(view), [view, reloads]);
  const { from, to, interval, timeZone } = input;

  const meta = usePanel('meta', (signal) => authorizedRequest<StatsMeta>(STATS_META, undefined, signal));
  const activity = usePanel(input, (signal) =>
    authorizedRequest<{ activitySeries: ActivitySeries | null }>(ACTIVITY_SERIES, { input }, signal),
  );
  const attendance = usePanel(input, (signal) =>
    authorizedRequest<{ attendanceSeries: AttendanceSeries | null }>(
      ATTENDANCE_SERIES,
      { input: { from, to, interval, timeZone } },
      signal,
    ),
  );
  const overview = usePanel(input, (signal) =>
    authorizedRequest<{ statsOverview: StatsOverview | null }>(STATS_OVERVIEW, { input: { from, to, top: TOP_LENGTH } }, signal),
  );
  const panels: Record<PanelName, Panel<unknown>> = { activity, attendance, overview };

  const settled = Object.values(panels).every((panel) => panel.key === input && !panel.loading);
  // Child effects (the charts) run before this one: once every panel answered, the charts show it.
  useEffect(() => {
    debugHandle.lastInput = input;
    if (settled && !debugHandle.settled) debugHandle.settledLoads += 1;
    debugHandle.settled = settled;
  });

  const intervals = useMemo(() => meta.result?.data?.statsIntervals ?? [], [meta.result]);
  const kinds = useMemo(() => meta.result?.data?.activityKinds ?? [], [meta.result]);
  const allTags = useMemo(() => kinds.map((kind) => kind.tag), [kinds]);
  useEffect(() => {
    if (intervals.length && view.interval !== 'AUTO' && !intervals.some((info) => info.interval === view.interval)) {
      setView({ ...view, interval: 'AUTO' });
    }
  }, [intervals, view]);

  const activityData = activity.result?.data?.activitySeries ?? null;
  const attendanceData = attendance.result?.data?.attendanceSeries ?? null;
  const overviewData = overview.result?.data?.statsOverview ?? null;

  const problems = problemsOf(panels);

  return (
    <>
      <Header user={user}>
        <VisitorsNow />
      </Header>
      <main className="dashboard" aria-busy={!settled}>
        <div className="toolbar">
          <Controls
            view={view}
            input={input}
            kinds={kinds}
            intervals={intervals}
            chosenInterval={activityData?.interval ?? attendanceData?.interval ?? null}
            invalidFields={problems.invalidFields}
            onChange={setView}
            onRefresh={() => setReloads((count) => count + 1)}
            actions={<ExportButtons input={input} />}
          />
        </div>
        {(meta.result?.errors ?? []).map((error, index) => (
          <ErrorMessage key={index} error={error} />
        ))}
        <ProblemNotices problems={problems} />
        <Headline activity={activityData} attendance={attendanceData} overview={overviewData} />
        <section className={activity.loading || attendance.loading ? 'charts stale' : 'charts'}>
          {activityData ? <ActivityCharts series={activityData} allTags={allTags} /> : <PanelProblems panel={activity} />}
          {attendanceData ? <AttendanceCharts series={attendanceData} /> : <PanelProblems panel={attendance} />}
        </section>
        <section className={overview.loading ? 'stale' : undefined}>
          {overviewData ? (
            <TopLists overview={overviewData} errors={overview.result?.errors ?? []} />
          ) : (
            <PanelProblems panel={overview} />
          )}
        </section>
      </main>
    </>
  );
}

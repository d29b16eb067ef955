import type { ActivitySeries, AttendanceSeries, StatsOverview } from '../api/operations';
import { formatCount, formatDuration, formatPercent, t, type MessageKey } from '../i18n';

interface HeadlineProps {
  activity: ActivitySeries | null;
  attendance: AttendanceSeries | null;
  overview: StatsOverview | null;
}

/** The period's totals; a figure whose request failed shows a dash while the others stay. */
export function Headline({ activity, attendance, overview }: HeadlineProps) {
  const figures: [key: string, label: MessageKey, value: string | null][] = [
    ['visits', 'headline.visits', attendance && formatCount(attendance.visits)],
    ['visitors', 'headline.visitors', attendance && formatCount(attendance.visitors)],
    ['averageVisit', 'headline.averageVisit', attendance && formatDuration(attendance.averageVisitSeconds)],
    ['bounceRate', 'headline.bounceRate', attendance && formatPercent(attendance.bounceRate)],
    ['signedInVisits', 'headline.signedInVisits', overview && formatCount(overview.signedInVisits)],
    ['signUps', 'headline.signUps', overview && formatCount(overview.signUps)],
    ['signUpShare', 'headline.signUpShare', overview && formatPercent(overview.signUpShare)],
    ['activityEvents', 'headline.activityEvents', activity && formatCount(activity.events)],
    ['activityVisitors', 'headline.activityVisitors', activity && formatCount(activity.visitors)],
    ['operations', 'headline.operations', overview && formatCount(overview.operations)],
    ['failedOperations', 'headline.failedOperations', overview && formatCount(overview.failedOperations)],
  ];
  return (
    <section className="headline" aria-label={t('headline.heading')}>
      {figures.map(([key, label, value]) => (
        <div key={key} className="figure" data-figure={key}>
          <span className="figure-label">{t(label)}</span>
          <span className="figure-value">{value ?? '—'}</span>
        </div>
      ))}
    </section>
  );
}

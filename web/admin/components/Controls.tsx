import { useEffect, useMemo, useState, type ReactNode } from 'react';
import type { ActivityKind, IntervalInfo, SeriesInput } from '../api/operations';
import { activityColor } from '../charts';
import { t, type MessageKey } from '../i18n';
import { PERIOD_CHOICES, type PeriodChoice, type ViewState } from '../state/view-state';
import { fromWallClock, offsetLabel, timeZoneChoices, toWallClock } from '../time-zone';

export interface ControlsProps {
  view: ViewState;
  /** The series input now on screen (a preset's moments, to start a custom period from). */
  input: SeriesInput;
  kinds: ActivityKind[];
  intervals: IntervalInfo[];
  /** The bucket the API picked for AUTO. */
  chosenInterval: string | null;
  /** Input fields the API refused. */
  invalidFields: Set<string>;
  onChange: (view: ViewState) => void;
  onRefresh: () => void;
  /** Shown at the end of the activities row (the CSV downloads). */
  actions?: ReactNode;
}

const wholeSecond = (iso: string) => new Date(Math.floor(Date.parse(iso) / 1000) * 1000).toISOString();

export function Controls({
  view,
  input,
  kinds,
  intervals,
  chosenInterval,
  invalidFields,
  onChange,
  onRefresh,
  actions,
}: ControlsProps) {
  const zones = useMemo(() => {
    const now = new Date();
    return timeZoneChoices(view.timeZone).map((zone) => ({ zone, label: `${zone} (${offsetLabel(now, zone)})` }));
  }, [view.timeZone]);
  const periodSeconds = (Date.parse(input.to) - Date.parse(input.from)) / 1000;
  const intervalTitle = (interval: string) => intervals.find((info) => info.interval === interval)?.title ?? interval;

  function choosePeriod(period: PeriodChoice) {
    if (period !== 'custom') return onChange({ ...view, period, from: null, to: null });
    onChange({ ...view, period, from: wholeSecond(input.from), to: wholeSecond(input.to) });
  }

  return (
    <section className="controls" aria-label={t('controls.period')}>
      <div className="control-row">
        <label className="control">
          <span className="control-label">{t('controls.period')}</span>
          <select name="period" value={view.period} onChange={(event) => choosePeriod(event.target.value as PeriodChoice)}>
            {PERIOD_CHOICES.map((period) => (
              <option key={period} value={period}>
                {t(`controls.period.${period}` as MessageKey)}
              </option>
            ))}
          </select>
        </label>
        {view.period === 'custom' && <CustomPeriod view={view} invalidFields={invalidFields} onChange={onChange} />}
        <label className="control">
          <span className="control-label">{t('controls.bucket')}</span>
          <select
            name="bucket"
            value={view.interval}
            aria-invalid={invalidFields.has('interval')}
            onChange={(event) => onChange({ ...view, interval: event.target.value })}
          >
            <option value="AUTO">
              {view.interval === 'AUTO' && chosenInterval
                ? t('controls.bucket.autoChosen', { interval: intervalTitle(chosenInterval) })
                : t('controls.bucket.auto')}
            </option>
            {intervals.map((info) => (
              <option
                key={info.interval}
                value={info.interval}
                disabled={info.maxPeriodSeconds < periodSeconds && info.interval !== view.interval}
              >
                {info.title}
              </option>
            ))}
          </select>
        </label>
        <label className="control">
          <span className="control-label">{t('controls.timeZone')}</span>
          <select
            name="timeZone"
            value={view.timeZone}
            aria-invalid={invalidFields.has('timeZone')}
            onChange={(event) => onChange({ ...view, timeZone: event.target.value })}
          >
            {zones.map(({ zone, label }) => (
              <option key={zone} value={zone}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <button type="button" className="secondary refresh" onClick={onRefresh}>
          {t('controls.refresh')}
        </button>
      </div>
      <div className="control-row spread">
        <ActivityPicker view={view} kinds={kinds} invalid={invalidFields.has('activities')} onChange={onChange} />
        {actions}
      </div>
    </section>
  );
}

/** From and to as wall clocks of the chosen zone; applied together, so half an edit sends nothing. */
function CustomPeriod({ view, invalidFields, onChange }: Pick<ControlsProps, 'view' | 'invalidFields' | 'onChange'>) {
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  useEffect(() => {
    setFrom(view.from ? toWallClock(view.from, view.timeZone) : '');
    setTo(view.to ? toWallClock(view.to, view.timeZone) : '');
  }, [view.from, view.to, view.timeZone]);

  function apply() {
    const fromIso = fromWallClock(from, view.timeZone);
    const toIso = fromWallClock(to, view.timeZone);
    if (fromIso && toIso) onChange({ ...view, from: fromIso, to: toIso });
  }

  return (
    <>
      <label className="control">
        <span className="control-label">{t('controls.from')}</span>
        <input
          name="from"
          type="datetime-local"
          step={1}
          value={from}
          aria-invalid={invalidFields.has('from')}
          onChange={(event) => setFrom(event.target.value)}
        />
      </label>
      <label className="control">
        <span className="control-label">{t('controls.to')}</span>
        <input
          name="to"
          type="datetime-local"
          step={1}
          value={to}
          aria-invalid={invalidFields.has('to')}
          onChange={(event) => setTo(event.target.value)}
        />
      </label>
      <button type="button" className="apply" onClick={apply}>
        {t('controls.apply')}
      </button>
    </>
  );
}

function ActivityPicker({
  view,
  kinds,
  invalid,
  onChange,
}: {
  view: ViewState;
  kinds: ActivityKind[];
  invalid: boolean;
  onChange: (view: ViewState) => void;
}) {
  const allTags = kinds.map((kind) => kind.tag);
  const chosen = new Set(view.activities ?? allTags);
  function toggle(tag: string) {
    const next = new Set(chosen);
    if (next.has(tag)) next.delete(tag);
    else next.add(tag);
    const all = allTags.every((tag) => next.has(tag));
    onChange({ ...view, activities: all ? null : [...next].sort() });
  }

  return (
    <fieldset className="activities" aria-invalid={invalid}>
      <legend className="control-label">{t('controls.activities')}</legend>
      <button
        type="button"
        className={view.activities === null ? 'chip chip-on' : 'chip'}
        aria-pressed={view.activities === null}
        onClick={() => onChange({ ...view, activities: null })}
      >
        {t('controls.activities.all')}
      </button>
      {kinds.map((kind) => (
        <label key={kind.tag} className={chosen.has(kind.tag) ? 'chip chip-on' : 'chip'}>
          <input
            type="checkbox"
            name="activity"
            value={kind.tag}
            checked={chosen.has(kind.tag)}
            // At least one activity stays chosen: none would mean "all" to the API.
            disabled={chosen.has(kind.tag) && chosen.size === 1}
            onChange={() => toggle(kind.tag)}
          />
          {/* The colour of its line in the charts. */}
          <span className="swatch" style={{ background: activityColor(kind.tag, allTags) }} aria-hidden />
          {kind.title}
        </label>
      ))}
    </fieldset>
  );
}

import type { ApiError } from '../api/client';
import { TOP_ITEM_LISTS } from '../api/operations';
import { t } from '../i18n';
import type { Panel } from '../use-panel';
import { distinctErrors, ErrorMessage } from './ErrorMessage';
import { titlesUnavailable, TOP_ITEM_TITLES } from './TopLists';

export type PanelName = 'activity' | 'attendance' | 'overview';

/** The parts of the page an error of a panel leaves incomplete. */
function affectedParts(panel: PanelName, error: ApiError): string[] {
  if (panel === 'activity') return [t('chart.activityEvents'), t('chart.activityVisitors')];
  if (panel === 'attendance') return [t('chart.attendance'), t('chart.bounceAndDuration')];
  const lists = TOP_ITEM_LISTS.filter((list) => titlesUnavailable(list, [error]));
  if (lists.length) return lists.map((list) => t(TOP_ITEM_TITLES[list]));
  return [
    t('headline.heading'),
    t('top.activities'),
    t('top.operations'),
    ...TOP_ITEM_LISTS.map((list) => t(TOP_ITEM_TITLES[list])),
  ];
}

export interface Problems {
  /** BAD_USER_INPUT of any panel, each once: they concern the controls. */
  inputErrors: ApiError[];
  invalidFields: Set<string>;
  /** SERVICE_UNAVAILABLE by service, with the parts of the page it leaves incomplete. */
  unavailable: { service: string; error: ApiError; parts: string[] }[];
}

export function problemsOf(panels: Record<PanelName, Panel<unknown>>): Problems {
  const tagged = (Object.entries(panels) as [PanelName, Panel<unknown>][]).flatMap(([name, panel]) =>
    (panel.result?.errors ?? []).map((error) => ({ name, error })),
  );
  const inputErrors = distinctErrors(tagged.filter(({ error }) => error.code === 'BAD_USER_INPUT').map(({ error }) => error));
  const unavailable = new Map<string, { service: string; error: ApiError; parts: Set<string> }>();
  for (const { name, error } of tagged) {
    if (error.code !== 'SERVICE_UNAVAILABLE') continue;
    const service = error.service ?? '?';
    const entry = unavailable.get(service) ?? { service, error, parts: new Set<string>() };
    for (const part of affectedParts(name, error)) entry.parts.add(part);
    unavailable.set(service, entry);
  }
  return {
    inputErrors,
    invalidFields: new Set(inputErrors.flatMap((error) => (error.field ? [error.field] : []))),
    unavailable: [...unavailable.values()].map((entry) => ({ ...entry, parts: [...entry.parts] })),
  };
}

/** Above the panels: what the controls asked for that the API refused, and which services are away. */
export function ProblemNotices({ problems }: { problems: Problems }) {
  return (
    <>
      {problems.inputErrors.length > 0 && (
        <div className="notice" data-testid="input-errors">
          {problems.inputErrors.map((error, index) => (
            <ErrorMessage key={index} error={error} />
          ))}
        </div>
      )}
      {problems.unavailable.map(({ service, error, parts }) => (
        <div key={service} className="notice warning" role="status" data-testid="unavailable" data-service={service}>
          <ErrorMessage error={error} />
          <p>{t('error.affected', { parts: parts.join(', ') })}</p>
        </div>
      ))}
    </>
  );
}

/** In place of a panel that did not come back: loading, or why not. */
export function PanelProblems({ panel }: { panel: Panel<unknown> }) {
  if (!panel.result) return <p className="muted placeholder">{t('app.loading')}</p>;
  const { errors } = panel.result;
  return (
    <div className="placeholder">
      {errors.some((error) => error.code === 'BAD_USER_INPUT') ? (
        <p className="muted">{t('error.notLoaded')}</p>
      ) : (
        errors.map((error, index) => <ErrorMessage key={index} error={error} />)
      )}
    </div>
  );
}

import type { ReactNode } from 'react';
import type { ApiError } from '../api/client';
import { TITLES_SERVICE, TOP_ITEM_LISTS, type ItemViews, type StatsOverview, type TopItemList } from '../api/operations';
import { formatCount, formatMilliseconds, t, type MessageKey } from '../i18n';

export const TOP_ITEM_TITLES: Record<TopItemList, MessageKey> = {
  topKeyboards: 'top.keyboards',
  topBoxes: 'top.boxes',
  topSwitches: 'top.switches',
};

function Table({ list, title, head, rows }: { list: string; title: string; head: string[]; rows: ReactNode[][] }) {
  return (
    <section className="top-list" data-list={list}>
      <h3>{title}</h3>
      {rows.length === 0 ? (
        <p className="muted">{t('top.empty')}</p>
      ) : (
        <table>
          <thead>
            <tr>
              {head.map((cell, index) => (
                <th key={index} className={index ? 'number' : undefined}>
                  {cell}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((row, rowIndex) => (
              <tr key={rowIndex}>
                {row.map((cell, index) => (
                  <td key={index} className={index ? 'number' : undefined}>
                    {cell}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/**
 * Whether a list's missing titles are missing because the catalogue could not be asked: an error on the
 * list, or the catalogue unreachable (the gateway's error for an unreachable subgraph carries no path).
 */
export const titlesUnavailable = (list: TopItemList, errors: ApiError[]) =>
  errors.some((error) => error.path?.[1] === list || (error.code === 'SERVICE_UNAVAILABLE' && error.service === TITLES_SERVICE));

/** An item's title; without one it was deleted, unless its title could not be fetched. */
function itemTitle(row: ItemViews, unavailable: boolean) {
  if (row.item) return row.item.title;
  return (
    <span className="muted" title={row.id} data-missing={unavailable ? 'unavailable' : 'deleted'}>
      {unavailable ? t('top.titleUnavailable') : t('top.deleted')}
    </span>
  );
}

export function TopLists({ overview, errors }: { overview: StatsOverview; errors: ApiError[] }) {
  return (
    <div className="top-lists">
      <Table
        list="topActivities"
        title={t('top.activities')}
        head={[t('top.activity'), t('top.events'), t('top.visitors')]}
        rows={overview.topActivities.map((row) => [row.activity.title, formatCount(row.events), formatCount(row.visitors)])}
      />
      <Table
        list="topOperations"
        title={t('top.operations')}
        head={[t('top.operation'), t('top.calls'), t('top.errors'), t('top.averageDuration')]}
        rows={overview.topOperations.map((row) => [
          row.name ?? <span className="muted">{t('top.anonymousOperation')}</span>,
          formatCount(row.count),
          formatCount(row.errors),
          formatMilliseconds(row.averageDurationMs),
        ])}
      />
      {TOP_ITEM_LISTS.map((list) => (
        <Table
          key={list}
          list={list}
          title={t(TOP_ITEM_TITLES[list])}
          head={[t('top.title'), t('top.views'), t('top.visitors')]}
          rows={overview[list].map((row) => [
            itemTitle(row, titlesUnavailable(list, errors)),
            formatCount(row.views),
            formatCount(row.visitors),
          ])}
        />
      ))}
    </div>
  );
}

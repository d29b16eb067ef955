import type { StatsDb } from '../db/client';

export function listActivityKinds(db: StatsDb): Promise<ActivityKindRow[]> {
  return db.activityKind.findMany({ orderBy: { tag: 'asc' } });
}

/** A kind of activity as stored: its tag and its title in each language. */
export interface ActivityKindRow {
  tag: string;
  titleEn: string;
  titleRu: string;
}

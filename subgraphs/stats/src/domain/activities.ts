import type { StatsDb } from '../db/client';

export function listActivityKinds(db: StatsDb) {
  return db.activityKind.findMany({ orderBy: { tag: 'asc' } });
}

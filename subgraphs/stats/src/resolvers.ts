import type { RequestContext } from '@keylab/server';
import type { StatsDb } from './db/client';
import { requireAdmin } from './domain/access';
import { listActivityKinds } from './domain/activities';

export interface StatsContext extends RequestContext {
  db: StatsDb;
}

export const resolvers = {
  Query: {
    activityKinds: (_: unknown, __: unknown, ctx: StatsContext) => {
      requireAdmin(ctx);
      return listActivityKinds(ctx.db);
    },
  },
  ActivityKind: {
    title: (kind: { titleEn: string; titleRu: string }, _: unknown, ctx: StatsContext) =>
      ctx.locale === 'ru' ? kind.titleRu : kind.titleEn,
  },
};

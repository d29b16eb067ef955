import type { RequestContext } from '@keylab/server';
import type { StatsDb } from './db/client';
import type { ResultCache } from './domain/cache';

/** What the statistics resolvers know about a request. */
export interface StatsContext extends RequestContext {
  db: StatsDb;
  cache: ResultCache;
  exports: { publicUrl: string; secret: string };
}

import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/client';

/** Query events are on, so that tests (and a profiler) can count the SQL a request costs. */
export function createKeyboardsDb(databaseUrl: string) {
  return new PrismaClient({
    adapter: new PrismaPg({ connectionString: databaseUrl, max: 10 }),
    log: [{ emit: 'event', level: 'query' }],
  });
}

export type KeyboardsDb = ReturnType<typeof createKeyboardsDb>;

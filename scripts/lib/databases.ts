import { createKeyboardsDb, seedKeyboards } from '@keylab/keyboards-subgraph/seed';
import { createStatsDb, seedStats } from '@keylab/stats-subgraph/seed';
import { createUsersDb, seedUsers } from '@keylab/users-subgraph/seed';
import { ensureDatabase } from './postgres';
import { applyMigrations } from './prisma';
import { DATA_SERVICES, databaseUrl, type DataService } from './services';

async function seed(service: DataService, url: string): Promise<void> {
  if (service.name === 'users') {
    const db = createUsersDb(url);
    await seedUsers(db).finally(() => db.$disconnect());
  } else if (service.name === 'keyboards') {
    const db = createKeyboardsDb(url);
    await seedKeyboards(db).finally(() => db.$disconnect());
  } else {
    const db = createStatsDb(url);
    await seedStats(db).finally(() => db.$disconnect());
  }
}

export interface PreparedDatabase {
  service: DataService;
  url: string;
  created: boolean;
  applied: string[];
}

/** Creates each service's database if missing, applies pending migrations and loads the seed rows. */
export async function prepareDatabases(options: { suffix?: string; seed?: boolean } = {}): Promise<PreparedDatabase[]> {
  return Promise.all(
    DATA_SERVICES.map(async (service) => {
      const url = databaseUrl(service, options.suffix);
      const created = await ensureDatabase(url);
      const applied = await applyMigrations(service, url);
      if (options.seed !== false) await seed(service, url);
      return { service, url, created, applied };
    }),
  );
}

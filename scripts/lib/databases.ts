import { parseConfig } from '@keylab/config';
import {
  createKeyboardsDb,
  fileStorage,
  keyboardsSettings,
  seedCatalogueFiles,
  seedKeyboards,
} from '@keylab/keyboards-subgraph/seed';
import { createStatsDb, seedStats } from '@keylab/stats-subgraph/seed';
import { createUsersDb, seedUsers, type SeedOptions } from '@keylab/users-subgraph/seed';
import { ensureDatabase } from './postgres';
import { applyMigrations } from './prisma';
import { DATA_SERVICES, databaseUrl, ROOT, TEST_FILES_DIR, type DataService } from './services';

/** The first administrator of a real (not test) installation: from ADMIN_* or generated into .data/. */
function adminSeed(): SeedOptions {
  const { ADMIN_EMAIL, ADMIN_PASSWORD } = process.env;
  if (ADMIN_EMAIL && ADMIN_PASSWORD) return { admin: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD } };
  return { generatedAdminDir: process.env.KEYLAB_DATA_DIR || `${ROOT}.data` };
}

async function seed(service: DataService, url: string, test: boolean): Promise<Pick<PreparedDatabase, 'generatedAdmin'>> {
  if (service.name === 'users') {
    const db = createUsersDb(url);
    return seedUsers(db, test ? {} : adminSeed()).finally(() => db.$disconnect());
  } else if (service.name === 'keyboards') {
    const db = createKeyboardsDb(url);
    const storage = fileStorage(
      parseConfig(keyboardsSettings, test ? { ...process.env, FILES_DIR: TEST_FILES_DIR } : process.env),
    );
    await seedKeyboards(db)
      .then(() => seedCatalogueFiles(db, storage))
      .finally(() => db.$disconnect());
  } else {
    const db = createStatsDb(url);
    await seedStats(db).finally(() => db.$disconnect());
  }
  return {};
}

export interface PreparedDatabase {
  service: DataService;
  url: string;
  created: boolean;
  applied: string[];
  /** An administrator made by this run, to show once. */
  generatedAdmin?: { email: string; password: string; file: string };
}

/** Creates each service's database if missing, applies pending migrations and loads the seed rows. */
export async function prepareDatabases(options: { suffix?: string; seed?: boolean } = {}): Promise<PreparedDatabase[]> {
  return Promise.all(
    DATA_SERVICES.map(async (service) => {
      const url = databaseUrl(service, options.suffix);
      const created = await ensureDatabase(url);
      const applied = await applyMigrations(service, url);
      const seeded = options.seed === false ? {} : await seed(service, url, Boolean(options.suffix));
      return { service, url, created, applied, ...seeded };
    }),
  );
}

/**
 * What to say about a generated administrator. The password is shown only to a person at a terminal
 * outside production: a container runtime or a CI system keeps its logs, so there it is only in the file.
 */
export function adminBanner(
  admin: { email: string; password: string; file: string },
  shownTo = { terminal: Boolean(process.stdout.isTTY), production: process.env.NODE_ENV === 'production' },
): string {
  const password = shownTo.terminal && !shownTo.production ? ` / ${admin.password}` : '';
  const where = password ? `shown once; kept in ${admin.file}` : `password in ${admin.file} (not printed to logs)`;
  return `  administrator created: ${admin.email}${password}\n  (${where}; set ADMIN_EMAIL and ADMIN_PASSWORD to choose your own)`;
}

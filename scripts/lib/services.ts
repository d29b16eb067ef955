/** The services that own a database, where their Prisma schema lives, and how they are reached. */
export interface DataService {
  name: 'users' | 'keyboards' | 'stats';
  database: string;
  /** Environment variable that overrides the service's database URL. */
  urlVariable: string;
  port: number;
}

export const DATA_SERVICES: DataService[] = [
  { name: 'users', database: 'keylab_users', urlVariable: 'USERS_DATABASE_URL', port: 4001 },
  { name: 'keyboards', database: 'keylab_keyboards', urlVariable: 'KEYBOARDS_DATABASE_URL', port: 4002 },
  { name: 'stats', database: 'keylab_stats', urlVariable: 'STATS_DATABASE_URL', port: 4003 },
];

export const ROOT = new URL('../../', import.meta.url).pathname;
/** Files of the test catalogue: shared by every test stack (content-addressed, so writes never clash). */
export const TEST_FILES_DIR = `${ROOT}.data/test-files`;
export const POSTGRES_URL = process.env.POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

/** The service's database URL: its own variable, else the server of POSTGRES_URL with the default name. */
export function databaseUrl(service: DataService, suffix = ''): string {
  const own = process.env[service.urlVariable];
  if (own && !suffix) return own;
  const url = new URL(own ?? POSTGRES_URL);
  url.pathname = `/${own ? url.pathname.slice(1) : service.database}${suffix}`;
  return url.toString();
}

export const schemaPath = (service: DataService) => `${ROOT}prisma/${service.name}/schema.prisma`;
export const migrationsPath = (service: DataService) => `${ROOT}prisma/${service.name}/migrations`;

import { DATA_SERVICES, databaseUrl, TEST_FILES_DIR } from '../../scripts/lib/services';

/** The test databases: each service's database with a _test suffix (scripts/lib/services.ts names them). */
export const TEST_DATABASES = Object.fromEntries(
  DATA_SERVICES.map((service) => [service.name, databaseUrl(service, '_test')]),
) as Record<(typeof DATA_SERVICES)[number]['name'], string>;

export { TEST_FILES_DIR };

/** The test databases: the services' default databases with a _test suffix, made by the global setup. */
export const TEST_DATABASES = {
  users: process.env.USERS_TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/keylab_users_test',
  keyboards: process.env.KEYBOARDS_TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/keylab_keyboards_test',
  stats: process.env.STATS_TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/keylab_stats_test',
};

/** Files of the test catalogue: shared by every test stack (content-addressed, so writes never clash). */
export const TEST_FILES_DIR = new URL('../../../.data/test-files', import.meta.url).pathname;

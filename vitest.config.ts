import { defineConfig } from 'vitest/config';
import { DATA_SERVICES, databaseUrl } from './scripts/lib/services.ts';

const testDatabases = Object.fromEntries(
  DATA_SERVICES.map((service) => [`${service.name.toUpperCase()}_TEST_DATABASE_URL`, databaseUrl(service, '_test')]),
);

export default defineConfig({
  test: {
    include: ['{gateway,subgraphs,workers,packages,web,test}/**/*.test.ts'],
    exclude: ['**/node_modules/**'],
    globalSetup: ['./test/global-setup.ts'],
    env: { ...testDatabases, APOLLO_TELEMETRY_DISABLED: '1', NODE_ENV: 'test' },
    pool: 'forks',
    maxWorkers: 4,
    fileParallelism: true,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ['default', './test/summary-reporter.ts'],
  },
});

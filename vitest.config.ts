import { defineConfig } from 'vitest/config';

// Two projects: `unit` (files named *.unit.test.ts) needs no service and runs alone with
// `npm run test:unit`; `stack` talks to PostgreSQL, Redis, RabbitMQ and Chromium, after a global setup
// that prepares the test databases and builds the browser pages. `npm test` runs both.
const EVERY_TEST = ['{gateway,subgraphs,workers,packages,web,test}/**/*.test.ts'];
const UNIT_TEST = '**/*.unit.test.ts';

export default defineConfig({
  test: {
    exclude: ['**/node_modules/**'],
    env: { APOLLO_TELEMETRY_DISABLED: '1', NODE_ENV: 'test' },
    pool: 'forks',
    maxWorkers: 4,
    fileParallelism: true,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ['default', './test/summary-reporter.ts'],
    projects: [
      { extends: true, test: { name: 'unit', include: [UNIT_TEST] } },
      {
        extends: true,
        test: {
          name: 'stack',
          include: EVERY_TEST,
          exclude: ['**/node_modules/**', UNIT_TEST],
          globalSetup: ['./test/global-setup.ts'],
        },
      },
    ],
  },
});

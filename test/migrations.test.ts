import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { dropDatabase, ensureDatabase } from '../scripts/lib/postgres';
import { applyMigrations, schemaDrift } from '../scripts/lib/prisma';
import { DATA_SERVICES, databaseUrl, migrationsPath } from '../scripts/lib/services';

const migrationFolders = (service: (typeof DATA_SERVICES)[number]) =>
  readdirSync(migrationsPath(service), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();

describe.each(DATA_SERVICES)('$name database', (service) => {
  it('migrates a fresh database, and a second run applies nothing', async () => {
    const url = databaseUrl(service, `_fresh_${crypto.randomUUID().slice(0, 8)}`);
    expect(await ensureDatabase(url)).toBe(true);
    try {
      expect(await applyMigrations(service, url)).toEqual(migrationFolders(service));
      expect(await applyMigrations(service, url)).toEqual([]);
    } finally {
      await dropDatabase(url);
    }
  });

  it('has migrations that match its Prisma schema (no change left without a migration)', async () => {
    expect(await schemaDrift(service)).toBe('');
  });
});

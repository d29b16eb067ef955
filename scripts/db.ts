// Database tasks for every service, offline: npm run db:setup | db:migrate | db:generate | db:seed,
// and npm run db:migration -- <users|keyboards|stats> <name> after a change to prisma/<service>/schema.prisma.
import { ensureDatabase } from './lib/postgres';
import { applyMigrations, createMigration, generateClient } from './lib/prisma';
import { DATA_SERVICES, databaseUrl } from './lib/services';
import { requireServices } from './lib/preflight';

const [command, ...args] = process.argv.slice(2);

// Seeding imports the generated Prisma clients, so it loads only after `generate` has made them.
const prepareDatabases = async (options?: { suffix?: string }) => (await import('./lib/databases')).prepareDatabases(options);

async function main(): Promise<void> {
  switch (command) {
    case 'generate':
      await Promise.all(DATA_SERVICES.map(generateClient));
      console.log('prisma clients generated for', DATA_SERVICES.map((s) => s.name).join(', '));
      return;
    case 'setup':
      await requireServices(['postgres']);
      for (const db of await prepareDatabases()) {
        console.log(`${db.service.name}: ${db.created ? 'created, ' : ''}${db.applied.length} migration(s) applied, seeded`);
        if (db.generatedAdmin) console.log((await import('./lib/databases')).adminBanner(db.generatedAdmin));
      }
      return;
    case 'migrate':
      await requireServices(['postgres']);
      for (const service of DATA_SERVICES) {
        await ensureDatabase(databaseUrl(service));
        const applied = await applyMigrations(service);
        console.log(`${service.name}: ${applied.length ? applied.join(', ') : 'up to date'}`);
      }
      return;
    case 'setup-test':
      await requireServices(['postgres']);
      await prepareDatabases({ suffix: '_test' });
      console.log('test databases ready');
      return;
    case 'seed':
      await requireServices(['postgres']);
      await prepareDatabases();
      console.log('seeded');
      return;
    case 'create-migration': {
      const [name, migrationName] = args;
      const service = DATA_SERVICES.find((s) => s.name === name);
      if (!service || !migrationName) throw new Error('usage: npm run db:migration -- <users|keyboards|stats> <migration_name>');
      await requireServices(['postgres']);
      const folder = await createMigration(service, migrationName);
      console.log(folder ? `created ${folder}` : `${name}: the schema matches the migrations; nothing to create`);
      return;
    }
    default:
      throw new Error('usage: tsx scripts/db.ts generate|setup|setup-test|migrate|seed|create-migration <service> <name>');
  }
}

main().catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});

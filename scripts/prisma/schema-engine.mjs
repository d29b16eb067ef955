// Prisma's schema engine as WebAssembly: `prisma migrate deploy` and `migrate diff` without the native
// engine download. Node 20 and 22 load the engine's .wasm import only under --experimental-wasm-modules,
// so scripts/prisma/migrations.ts runs this file as a child process:
//   node --experimental-wasm-modules schema-engine.mjs apply <schema.prisma> <migrations dir> <database url>
//   node --experimental-wasm-modules schema-engine.mjs diff  <schema.prisma> <migrations dir> <scratch url>
// apply prints {"applied": [names]}; diff prints {"sql": "..."} (empty when the schema matches).
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { PrismaPg } from '@prisma/adapter-pg';
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';
import { SchemaEngine } from '@prisma/schema-engine-wasm';

// adapter-pg cannot read PostgreSQL's internal "char" type (OID 18), which the engine's catalog queries
// return (for example pg_constraint.confdeltype); those values are plain one-letter text.
const charAsText = (result) => {
  for (const field of result?.fields ?? []) {
    if (field.dataTypeID === 18) field.dataTypeID = 25;
  }
  return result;
};

class CharAsTextClient extends pg.Client {
  query(config, values, callback) {
    const done = typeof values === 'function' ? values : callback;
    if (done) {
      return super.query(config, typeof values === 'function' ? undefined : values, (error, result) =>
        done(error, charAsText(result)),
      );
    }
    const pending = super.query(config, values);
    return typeof pending?.then === 'function' ? pending.then(charAsText) : pending;
  }
}

// adapter-pg runs a migration script statement by statement, split at every ';', which cuts dollar-quoted
// bodies (DO blocks, functions) and quoted text apart. The native engine sends the script whole, as here:
// one simple query, which PostgreSQL runs as one implicit transaction.
function wholeScripts(factory) {
  const whole = (adapter) => {
    adapter.executeScript = async (script) => {
      try {
        await adapter.client.query(script);
      } catch (error) {
        adapter.onError(error);
      }
    };
    return adapter;
  };
  for (const method of ['connect', 'connectToShadowDb']) {
    const open = factory[method].bind(factory);
    factory[method] = async () => whole(await open());
  }
  return factory;
}

const noFilters = { externalTables: [], externalEnums: [] };

function migrationsList(dir) {
  const lockPath = join(dir, 'migration_lock.toml');
  const folders = existsSync(dir)
    ? readdirSync(dir, { withFileTypes: true })
        .filter((entry) => entry.isDirectory() && existsSync(join(dir, entry.name, 'migration.sql')))
        .map((entry) => entry.name)
        .sort()
    : [];
  return {
    baseDir: dir,
    lockfile: {
      path: 'migration_lock.toml',
      content: existsSync(lockPath) ? readFileSync(lockPath, 'utf8') : null,
    },
    shadowDbInitScript: '',
    migrationDirectories: folders.map((name) => ({
      path: name,
      migrationFile: {
        path: 'migration.sql',
        content: { tag: 'ok', value: readFileSync(join(dir, name, 'migration.sql'), 'utf8') },
      },
    })),
  };
}

async function main() {
  const [command, schemaArg, migrationsArg, url] = process.argv.slice(2);
  if (!['apply', 'diff'].includes(command) || !schemaArg || !migrationsArg || !url) {
    throw new Error('usage: schema-engine.mjs apply|diff <schema.prisma> <migrations dir> <database url>');
  }
  const schemaPath = resolve(schemaArg);
  const migrationsDir = resolve(migrationsArg);
  const schema = readFileSync(schemaPath, 'utf8');
  const pool = new pg.Pool({ connectionString: url, Client: CharAsTextClient, max: 2 });
  const log = (message) => {
    if (process.env.SCHEMA_ENGINE_DEBUG) process.stderr.write(`${message}\n`);
  };
  const engine = await SchemaEngine.new(
    { datamodels: [[schemaPath, schema]] },
    log,
    bindMigrationAwareSqlAdapterFactory(wholeScripts(new PrismaPg(pool))),
  );
  try {
    if (command === 'apply') {
      const result = await engine.applyMigrations({
        migrationsList: migrationsList(migrationsDir),
        filters: noFilters,
      });
      process.stdout.write(JSON.stringify({ applied: result.appliedMigrationNames }));
    } else {
      const list = migrationsList(migrationsDir);
      const from = list.migrationDirectories.length ? { tag: 'migrations', ...list } : { tag: 'empty' };
      const result = await engine.diff({
        from,
        to: { tag: 'schemaDatamodel', files: [{ path: schemaPath, content: schema }] },
        script: true,
        shadowDatabaseUrl: null,
        exitCode: null,
        filters: noFilters,
      });
      const sql = result.stdout ?? '';
      const empty = /^\s*(-- This is an empty migration\.)?\s*$/.test(sql);
      process.stdout.write(JSON.stringify({ sql: empty ? '' : sql }));
    }
  } finally {
    engine.free?.();
    await pool.end();
  }
}

main().catch((error) => {
  const message = error?.message ?? String(error);
  process.stderr.write(`${message}\n`);
  process.exit(1);
});

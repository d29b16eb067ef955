// Imports an original KeyLab deployment from CSV files shaped like data/keylab-original/:
//   npm run import:keylab -- <folder>     (default: data/keylab-original)
// Accounts keep their legacy password hashes and are upgraded to Argon2id at their first sign-in; the
// original's default items join the default catalogue, other items keep their owner. Running it twice
// changes nothing.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse } from 'csv-parse/sync';
import { createKeyboardsDb, seedKeyboards } from '@keylab/keyboards-subgraph/seed';
import { createUsersDb, importLegacyUsers, type LegacyUserRow } from '@keylab/users-subgraph/seed';
import { requireServices } from './lib/preflight';
import { DATA_SERVICES, databaseUrl, ROOT } from './lib/services';

const folder = resolve(process.argv[2] ?? `${ROOT}data/keylab-original`);
const urlOf = (name: string) => databaseUrl(DATA_SERVICES.find((service) => service.name === name)!);

await requireServices(['postgres']);
const rows = parse(readFileSync(`${folder}/users/users.csv`), {
  columns: true,
  skip_empty_lines: true,
  trim: true,
}) as LegacyUserRow[];
const users = createUsersDb(urlOf('users'));
const keyboards = createKeyboardsDb(urlOf('keyboards'));
try {
  const report = await importLegacyUsers(users, rows);
  console.log(
    `users: ${report.created} imported, ${report.unchanged} already there, ${report.conflicts.length} address conflicts`,
  );
  for (const email of report.conflicts) console.log(`  not imported: ${email} belongs to another account`);
  await seedKeyboards(keyboards, pathToFileURL(`${folder}/`));
  console.log('catalogue: box types, switches, boxes, kits, keycaps and keyboards imported');
} finally {
  await Promise.all([users.$disconnect(), keyboards.$disconnect()]);
}

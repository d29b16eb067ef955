// Imports an original KeyLab deployment from CSV files shaped like data/keylab-original/:
//   npm run import:keylab -- <folder>     (default: data/keylab-original)
// Accounts keep their legacy password hashes and are upgraded to Argon2id at their first sign-in.
// Running it twice changes nothing.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'csv-parse/sync';
import { createUsersDb, importLegacyUsers, type LegacyUserRow } from '@keylab/users-subgraph/seed';
import { requireServices } from './lib/preflight';
import { DATA_SERVICES, databaseUrl, ROOT } from './lib/services';

const folder = resolve(process.argv[2] ?? `${ROOT}data/keylab-original`);

await requireServices(['postgres']);
const rows = parse(readFileSync(`${folder}/users/users.csv`), {
  columns: true,
  skip_empty_lines: true,
  trim: true,
}) as LegacyUserRow[];
const db = createUsersDb(databaseUrl(DATA_SERVICES.find((service) => service.name === 'users')!));
try {
  const report = await importLegacyUsers(db, rows);
  console.log(
    `users: ${report.created} imported, ${report.unchanged} already there, ${report.conflicts.length} address conflicts`,
  );
  for (const email of report.conflicts) console.log(`  not imported: ${email} belongs to another account`);
} finally {
  await db.$disconnect();
}

import { prepareDatabases } from '../scripts/lib/databases';

/** Once per run: the test databases exist, are migrated and hold the seed rows. */
export default async function setup(): Promise<void> {
  await prepareDatabases({ suffix: '_test' });
}

import { buildPages } from '@keylab/web';
import { prepareDatabases } from '../scripts/lib/databases';

/** Once per run: the test databases exist, are migrated and hold the seed rows; the browser pages are built. */
export default async function setup(): Promise<void> {
  await Promise.all([prepareDatabases({ suffix: '_test' }), buildPages()]);
}

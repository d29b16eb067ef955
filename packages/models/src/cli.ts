/**
 * Writes the generated catalogue assets: `npm run models:generate -- [dir] [--seed N]`
 * (default dir: .data/models; default seed: 1).
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_SEED, writeCatalogueAssets } from './catalogue.ts';

const { values, positionals } = parseArgs({
  options: { seed: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  allowPositionals: true,
});
if (values.help) {
  console.log('Usage: npm run models:generate -- [dir] [--seed N]   (default dir .data/models, default seed 1)');
  process.exit(0);
}
const seed = values.seed === undefined ? DEFAULT_SEED : Number(values.seed);
if (!Number.isSafeInteger(seed)) {
  console.error(`--seed must be an integer, not "${values.seed}"`);
  process.exit(2);
}
const dir = resolve(positionals[0] ?? '.data/models');
const started = performance.now();
const manifest = await writeCatalogueAssets(dir, { seed });
const bytes = manifest.files.reduce((sum, file) => sum + file.bytes, 0);
const seconds = ((performance.now() - started) / 1000).toFixed(1);
console.log(`Wrote ${manifest.files.length} files (${(bytes / 1024).toFixed(0)} KiB, seed ${seed}) to ${dir} in ${seconds} s`);

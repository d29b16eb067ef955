// Builds the browser pages with Vite into web/dist/<page>/ (served by the gateway at /<page>/). A build
// runs only when a source changed since the last one (a hash of the sources is kept beside the output),
// so `npm ci`, `npm start` and the tests can all ask for it. Run directly: `npm run build -w @keylab/web`.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const WEB = fileURLToPath(new URL('.', import.meta.url));
const ROOT = join(WEB, '..');
export const PAGES_DIR = join(WEB, 'dist');
/** Each page: its folder under web/ and the path the gateway serves it at. */
export const PAGES = ['admin', 'graphiql'] as const;
const STAMP = join(PAGES_DIR, '.sources-sha256');
const SOURCES = [...PAGES, 'shared', 'build.ts', 'package.json', 'tsconfig.json'].map((path) => join(WEB, path));
// The explorer's example operations, and the versions of everything bundled.
const EXTRA_SOURCES = [join(ROOT, 'docs/operations.graphql'), join(ROOT, 'package-lock.json')];

function filesUnder(path: string): string[] {
  if (!existsSync(path)) return [];
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path)
    .sort()
    .flatMap((name) => filesUnder(join(path, name)));
}

function sourcesDigest(): string {
  const hash = createHash('sha256');
  for (const file of [...SOURCES.flatMap(filesUnder), ...EXTRA_SOURCES]) {
    hash.update(relative(ROOT, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex');
}

const upToDate = (digest: string) =>
  existsSync(STAMP) &&
  readFileSync(STAMP, 'utf8') === digest &&
  PAGES.every((page) => existsSync(join(PAGES_DIR, page, 'index.html')));

/** Builds every page unless the last build was made from the same sources. Returns whether it built. */
export async function buildPages({ force = false }: { force?: boolean } = {}): Promise<boolean> {
  const digest = sourcesDigest();
  if (!force && upToDate(digest)) return false;
  const { build } = await import('vite');
  for (const page of PAGES) {
    await build({
      configFile: false,
      root: join(WEB, page),
      base: `/${page}/`,
      logLevel: 'warn',
      build: {
        outDir: join(PAGES_DIR, page),
        emptyOutDir: true,
        // GraphiQL's editor (Monaco) is large by nature; it is served from this origin with a year-long cache.
        chunkSizeWarningLimit: 8_000,
        rolldownOptions: {
          // React libraries mark modules "use client", which means nothing outside a server-components build.
          onwarn: (warning, warn) => (warning.code === 'MODULE_LEVEL_DIRECTIVE' ? undefined : warn(warning)),
        },
      },
    });
  }
  writeFileSync(STAMP, digest);
  return true;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const started = performance.now();
  const built = await buildPages({ force: process.argv.includes('--force') });
  console.log(built ? `pages built in ${((performance.now() - started) / 1000).toFixed(1)} s` : 'pages up to date');
}

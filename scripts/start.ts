// npm start: checks the local services, prepares the databases, then runs every process of the system
// with a mail catcher, prints one line per process when it is ready and the URLs to open. Ctrl-C stops all.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { buildPages } from '@keylab/web';
import { adminBanner, prepareDatabases } from './lib/databases';
import { requireServices } from './lib/preflight';
import { DATA_SERVICES, databaseUrl, ROOT } from './lib/services';

const LOG_DIR = `${ROOT}.data/logs`;
const MAIL_SMTP_PORT = Number(process.env.MAIL_SMTP_PORT ?? 1025);
const MAIL_WEB_PORT = Number(process.env.MAIL_WEB_PORT ?? 1080);
const GATEWAY_PORT = Number(process.env.PORT ?? 4000);

interface ProcessSpec {
  name: string;
  cwd: string;
  command: string[];
  env: Record<string, string>;
  /** URL that answers 200 once the process is ready. */
  readyUrl: string;
}

const tsx = [process.execPath, '--import', 'tsx', 'src/main.ts'];
const dbUrl = (name: string) => databaseUrl(DATA_SERVICES.find((s) => s.name === name)!);

const processes: ProcessSpec[] = [
  {
    name: 'mail catcher',
    cwd: ROOT,
    command: [
      process.execPath,
      `${ROOT}node_modules/.bin/maildev`,
      '--smtp',
      String(MAIL_SMTP_PORT),
      '--web',
      String(MAIL_WEB_PORT),
      '--ip',
      '127.0.0.1',
      '--web-ip',
      '127.0.0.1',
    ],
    env: {},
    readyUrl: `http://127.0.0.1:${MAIL_WEB_PORT}/healthz`,
  },
  {
    name: 'users',
    cwd: `${ROOT}subgraphs/users`,
    command: tsx,
    env: { DATABASE_URL: dbUrl('users'), KEYLAB_DATA_DIR: `${ROOT}.data` },
    readyUrl: 'http://127.0.0.1:4001/ready',
  },
  {
    name: 'keyboards',
    cwd: `${ROOT}subgraphs/keyboards`,
    command: tsx,
    env: { DATABASE_URL: dbUrl('keyboards') },
    readyUrl: 'http://127.0.0.1:4002/ready',
  },
  {
    name: 'stats',
    cwd: `${ROOT}subgraphs/stats`,
    command: tsx,
    env: { DATABASE_URL: dbUrl('stats') },
    readyUrl: 'http://127.0.0.1:4003/ready',
  },
  {
    name: 'email worker',
    cwd: `${ROOT}workers/email`,
    command: tsx,
    env: { SMTP_URL: process.env.SMTP_URL ?? `smtp://127.0.0.1:${MAIL_SMTP_PORT}` },
    readyUrl: 'http://127.0.0.1:4010/ready',
  },
  {
    name: 'gateway',
    cwd: `${ROOT}gateway`,
    command: tsx,
    env: { PORT: String(GATEWAY_PORT) },
    readyUrl: `http://127.0.0.1:${GATEWAY_PORT}/ready`,
  },
];

const children: ChildProcess[] = [];
let stopping = false;

async function waitUntilReady(spec: ProcessSpec, child: ChildProcess, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`${spec.name} exited with code ${child.exitCode}; see ${LOG_DIR}/${slug(spec.name)}.log`);
    try {
      const response = await fetch(spec.readyUrl, { signal: AbortSignal.timeout(2_000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  throw new Error(`${spec.name} was not ready after ${timeoutMs / 1000} s; see ${LOG_DIR}/${slug(spec.name)}.log`);
}

const slug = (name: string) => name.replaceAll(' ', '-');

function launch(spec: ProcessSpec): ChildProcess {
  const log = createWriteStream(`${LOG_DIR}/${slug(spec.name)}.log`, { flags: 'a' });
  const child = spawn(spec.command[0]!, spec.command.slice(1), {
    cwd: spec.cwd,
    env: { ...process.env, APOLLO_TELEMETRY_DISABLED: '1', ...spec.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.pipe(log);
  child.stderr!.pipe(log);
  child.stderr!.on('data', (chunk: Buffer) => {
    const text = chunk.toString();
    if (/"level":(50|60)|Error|bad setting/.test(text)) process.stderr.write(`[${spec.name}] ${text}`);
  });
  child.on('exit', (code, signal) => {
    if (!stopping) {
      console.error(
        `${spec.name} stopped unexpectedly (${signal ?? `code ${code}`}); stopping everything. Log: ${LOG_DIR}/${slug(spec.name)}.log`,
      );
      void stop(1);
    }
  });
  children.push(child);
  return child;
}

async function stop(exitCode = 0): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log('\nstopping…');
  await Promise.all(
    children.reverse().map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
          setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
        }),
    ),
  );
  console.log('stopped');
  process.exit(exitCode);
}

async function main(): Promise<void> {
  await requireServices(['postgres', 'redis', 'rabbitmq']);
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
  mkdirSync(LOG_DIR, { recursive: true });
  for (const db of await prepareDatabases()) {
    const applied = db.applied.length ? `${db.applied.length} migration(s) applied` : 'migrations up to date';
    console.log(`✓ database ${new URL(db.url).pathname.slice(1)}: ${db.created ? 'created, ' : ''}${applied}, seed loaded`);
    if (db.generatedAdmin) console.log(adminBanner(db.generatedAdmin));
  }
  // The browser pages are built at install; a change to their sources since then is built here.
  console.log(`✓ browser pages ${(await buildPages()) ? 'built' : 'up to date'}`);
  // The gateway reads the subgraphs' keys, so the subgraphs start first; they start side by side.
  const [gateway, ...others] = [...processes].reverse();
  await Promise.all(
    others.reverse().map(async (spec) => {
      await waitUntilReady(spec, launch(spec));
      console.log(`✓ ${spec.name} ready (${new URL(spec.readyUrl).origin})`);
    }),
  );
  await waitUntilReady(gateway!, launch(gateway!));
  console.log(`✓ gateway ready`);
  console.log(`
KeyLab Supergraph is running.
  GraphQL API and Apollo Sandbox: http://localhost:${GATEWAY_PORT}/graphql
  GraphiQL (works offline):       http://localhost:${GATEWAY_PORT}/graphiql/
  Statistics dashboard (admins):  http://localhost:${GATEWAY_PORT}/admin/
  Mail inbox (sign-up emails):    http://localhost:${MAIL_WEB_PORT}/
  Logs:                           ${LOG_DIR}/
Press Ctrl-C to stop every process.`);
}

main().catch((error: Error) => {
  console.error(error.message);
  void stop(1);
});

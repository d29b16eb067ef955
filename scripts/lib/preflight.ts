import { connect } from 'node:net';
import pg from 'pg';
import { DATA_SERVICES, databaseUrl, POSTGRES_URL } from './services';

export type Dependency = 'postgres' | 'redis' | 'rabbitmq';

interface Target {
  label: string;
  url: string;
  defaultPort: number;
  howToStart: string;
}

const TARGETS: Record<Dependency, Target> = {
  postgres: {
    label: 'PostgreSQL',
    url: POSTGRES_URL,
    defaultPort: 5432,
    howToStart: 'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start   (or: docker compose up -d postgres)',
  },
  redis: {
    label: 'Redis',
    url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    defaultPort: 6379,
    howToStart: 'redis-server --daemonize yes --port 6379   (or: docker compose up -d redis)',
  },
  rabbitmq: {
    label: 'RabbitMQ',
    url: process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672',
    defaultPort: 5672,
    howToStart: 'rabbitmq-server -detached   (or: docker compose up -d rabbitmq)',
  },
};

function reachable(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 1_500 });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/** Exits with one line per missing service, saying where it was looked for and how to start it. */
export async function requireServices(dependencies: Dependency[]): Promise<void> {
  const missing: string[] = [];
  await Promise.all(
    dependencies.map(async (dependency) => {
      const target = TARGETS[dependency];
      // AMQP_URL may name every node of a cluster, comma-separated: one that answers is enough.
      const nodes = target.url.split(',').map((part) => new URL(part.trim()));
      const addresses = nodes.map((url) => ({ host: url.hostname, port: Number(url.port || target.defaultPort) }));
      const answers = await Promise.all(addresses.map(({ host, port }) => reachable(host, port)));
      if (!answers.includes(true)) {
        const where = addresses.map(({ host, port }) => `${host}:${port}`).join(', ');
        missing.push(`${target.label} is not reachable at ${where}. Start it with: ${target.howToStart}`);
      }
    }),
  );
  if (missing.length) {
    for (const line of missing) console.error(line);
    process.exit(2);
  }
  if (dependencies.includes('postgres')) await requireHll();
}

/** The PostgreSQL server the stats database lives on, at its maintenance database (the stats one may not exist yet). */
function statsServerUrl(): URL {
  const url = new URL(databaseUrl(DATA_SERVICES.find((service) => service.name === 'stats')!));
  url.pathname = '/postgres';
  return url;
}

/** Whether the server can create the `hll` extension (its files are installed), and its version (SHOW server_version_num). */
export async function hllStatus(
  url: string = statsServerUrl().toString(),
): Promise<{ available: boolean; serverVersionNum: number }> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  await client.connect();
  try {
    const available = await client.query("SELECT 1 FROM pg_available_extensions WHERE name = 'hll'");
    const version = await client.query<{ server_version_num: string }>('SHOW server_version_num');
    return { available: (available.rowCount ?? 0) > 0, serverVersionNum: Number(version.rows[0]!.server_version_num) };
  } finally {
    await client.end();
  }
}

/**
 * What to tell someone whose PostgreSQL lacks the `hll` extension (null when it has it): what is missing,
 * the Debian package for the server's major version (server_version_num 150004 is 15) and how to get it.
 */
export function hllMissingMessage(available: boolean, serverVersionNum: number, where = 'PostgreSQL'): string | null {
  if (available) return null;
  const major = Math.floor(serverVersionNum / 10_000);
  const pkg = `postgresql-${major}-hll`;
  return [
    `${where} (version ${major}) does not have the hll extension (HyperLogLog, Citus's postgresql-hll), which the stats database needs.`,
    `Install the Debian package ${pkg} on the database server, then run this again:`,
    `  sudo apt-get install ${pkg}`,
    `Or run PostgreSQL from docker compose, whose image has it (stop the local server first, it takes port 5432):`,
    `  docker compose up -d --build postgres`,
  ].join('\n');
}

/** Exits with hllMissingMessage when the stats database's server cannot create the extension. */
async function requireHll(): Promise<void> {
  const url = statsServerUrl();
  const where = `PostgreSQL at ${url.hostname}:${url.port || 5432}`;
  let message: string | null;
  try {
    const { available, serverVersionNum } = await hllStatus(url.toString());
    message = hllMissingMessage(available, serverVersionNum, where);
  } catch (error) {
    message = `${where} is reachable but could not be asked for its extensions: ${(error as Error).message}`;
  }
  if (message) {
    console.error(message);
    process.exit(2);
  }
}

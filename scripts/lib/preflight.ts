import { connect } from 'node:net';
import { POSTGRES_URL } from './services';

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
      const url = new URL(target.url);
      const port = Number(url.port || target.defaultPort);
      if (!(await reachable(url.hostname, port))) {
        missing.push(`${target.label} is not reachable at ${url.hostname}:${port}. Start it with: ${target.howToStart}`);
      }
    }),
  );
  if (missing.length) {
    for (const line of missing) console.error(line);
    process.exit(2);
  }
}

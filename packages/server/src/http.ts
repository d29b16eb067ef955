import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import type { Logger } from '@keylab/logger';

/** Named checks of the connections a process needs to do its work (database, Redis, RabbitMQ, ...). */
export type ReadinessChecks = Record<string, () => Promise<unknown>>;

const CHECK_TIMEOUT_MS = 2_000;

async function runCheck(check: () => Promise<unknown>) {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer in ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
      }),
    ]);
    return { ok: true as const, ms: Math.round(performance.now() - started) };
  } catch (error) {
    return { ok: false as const, error: (error as Error).message };
  } finally {
    clearTimeout(timer);
  }
}

/** A readiness report is reused this long, so a flood of /ready requests costs the services behind little. */
const READY_REUSE_MS = 1_000;

/** GET /health (alive) and GET /ready (every check passes: 200, else 503 with each check's state). */
export function mountHealth(app: Express, service: string, checks: ReadinessChecks): void {
  app.get('/health', (_req, res) => {
    res.json({ status: 'ok', service });
  });
  let last: { at: number; report: Promise<{ ready: boolean; body: unknown }> } | undefined;
  const readiness = async () => {
    const names = Object.keys(checks);
    const results = await Promise.all(names.map((name) => runCheck(checks[name]!)));
    const ready = results.every((result) => result.ok);
    const report = Object.fromEntries(names.map((name, i) => [name, results[i]]));
    return { ready, body: { status: ready ? 'ready' : 'unready', service, checks: report } };
  };
  app.get('/ready', async (_req, res) => {
    // Concurrent requests share one round of checks, and its result for a second.
    if (!last || Date.now() - last.at > READY_REUSE_MS) last = { at: Date.now(), report: readiness() };
    const { ready, body } = await last.report;
    res.status(ready ? 200 : 503).json(body);
  });
}

export interface RunningServer {
  server: Server;
  port: number;
  /** Base URL, for example http://127.0.0.1:4001 */
  url: string;
  /** Stops accepting, lets in-flight requests finish, then closes idle keep-alive sockets. */
  close(): Promise<void>;
}

export async function listen(app: Express, port: number, host = '127.0.0.1'): Promise<RunningServer> {
  const server = createServer(app);
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const actualPort = (server.address() as AddressInfo).port;
  return {
    server,
    port: actualPort,
    url: `http://127.0.0.1:${actualPort}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), 10_000).unref();
      }),
  };
}

/**
 * Starts a process's service. A failure to start (a port taken, a database that will not answer) is
 * logged through the process's logger with its reason and ends the process with exit code 1, so its
 * supervisor sees why and may start it again.
 */
export async function startOrExit<T>(logger: Logger, start: () => Promise<T>): Promise<T> {
  try {
    return await start();
  } catch (error) {
    logger.fatal({ err: error }, 'did not start');
    process.exit(1);
  }
}

/** Runs `stop` once on SIGINT or SIGTERM, then exits; a second signal exits at once. */
export function stopOnSignal(logger: Logger, stop: () => Promise<void>): void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(1);
    stopping = true;
    logger.info({ signal }, 'stopping');
    stop()
      .then(() => process.exit(0))
      .catch((error: unknown) => {
        logger.error({ err: error }, 'stop failed');
        process.exit(1);
      });
  };
  process.once('SIGINT', handler);
  process.once('SIGTERM', handler);
}

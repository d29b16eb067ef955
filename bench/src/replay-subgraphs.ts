/**
 * Replayed subgraphs: one port per subgraph, in a forked child process, each a caching proxy in front of a real
 * subgraph. The first time a request body is seen it goes to the real subgraph, and a 200 answer without GraphQL
 * errors is kept (status, content type, cache control, bytes); from then on the same body on the same port gets
 * those bytes back at once. A gateway in front of it does all its own work (planning, HTTP to the subgraphs,
 * parsing, merging and shaping the results, serializing the answer) while the subgraphs cost next to nothing,
 * as with the static subgraphs of The Guild's gateway benchmark.
 *
 * Anything else (other methods and paths, answers with errors, more than MAX_ENTRIES distinct bodies) is passed
 * through to the real subgraph every time, so a gateway that changes what it sends stays correct, only slower.
 */
import { fork } from 'node:child_process';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

const MAX_ENTRIES = 1_000;
/** Request headers not passed on to the real subgraph. */
const HOP_HEADERS = new Set(['host', 'connection', 'keep-alive', 'content-length', 'transfer-encoding']);
/** Answer headers kept and replayed. */
const KEPT_HEADERS = ['content-type', 'cache-control'];

export interface ReplayCounts {
  /** Answered from memory. */
  replayed: number;
  /** Sent on to the real subgraph. */
  passedThrough: number;
}

export interface RunningReplay {
  /** Each subgraph's GraphQL endpoint on the proxy, by the same names as the real ones. */
  urls: Record<string, string>;
  pid: number;
  counts(): Promise<ReplayCounts>;
  close(): Promise<void>;
}

interface Kept {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

const SERVE_FLAG = '--serve-replay=';

type FromParent = { type: 'counts' } | { type: 'close' };
type FromChild = { type: 'ready'; urls: Record<string, string> } | ({ type: 'counts' } & ReplayCounts) | { type: 'closed' };

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function proxy(target: string, kept: Map<string, Kept>, counts: ReplayCounts) {
  const origin = new URL(target).origin;
  const graphqlPath = new URL(target).pathname;
  return async (req: IncomingMessage, res: ServerResponse) => {
    const body = await readBody(req);
    const cacheable = req.method === 'POST' && req.url === graphqlPath;
    const key = cacheable ? body.toString('utf8') : '';
    const hit = cacheable ? kept.get(key) : undefined;
    if (hit) {
      counts.replayed += 1;
      res.writeHead(hit.status, { ...hit.headers, 'content-length': hit.body.length });
      res.end(hit.body);
      return;
    }
    counts.passedThrough += 1;
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (!HOP_HEADERS.has(name) && value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
    }
    let answer: Response;
    try {
      answer = await fetch(`${origin}${req.url}`, {
        method: req.method,
        headers,
        body: req.method === 'GET' || req.method === 'HEAD' ? undefined : body,
      });
    } catch (error) {
      res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`replay proxy: ${(error as Error).message}`);
      return;
    }
    const bytes = Buffer.from(await answer.arrayBuffer());
    const replayed: Record<string, string> = {};
    for (const name of KEPT_HEADERS) {
      const value = answer.headers.get(name);
      if (value !== null) replayed[name] = value;
    }
    if (cacheable && answer.status === 200 && kept.size < MAX_ENTRIES && !bytes.includes('"errors":')) {
      kept.set(key, { status: answer.status, headers: replayed, body: bytes });
    }
    res.writeHead(answer.status, { ...replayed, 'content-length': bytes.length });
    res.end(bytes);
  };
}

/** Child side: one proxy port per subgraph; answers its URLs, counts and closes when asked (or when the parent goes). */
async function serveReplay(targets: Record<string, string>): Promise<void> {
  const send = (message: FromChild) => new Promise<void>((resolve) => process.send!(message, () => resolve()));
  process.on('SIGINT', () => {});
  const counts: ReplayCounts = { replayed: 0, passedThrough: 0 };
  const servers: Server[] = [];
  const urls: Record<string, string> = {};
  for (const [name, target] of Object.entries(targets)) {
    const kept = new Map<string, Kept>();
    const handle = proxy(target, kept, counts);
    const server = createServer((req, res) => {
      handle(req, res).catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`replay proxy: ${(error as Error).message}`);
      });
    });
    server.keepAliveTimeout = 65_000;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push(server);
    urls[name] = `http://127.0.0.1:${(server.address() as AddressInfo).port}${new URL(target).pathname}`;
  }
  const close = () =>
    Promise.all(
      servers.map(
        (server) =>
          new Promise<void>((resolve) => {
            server.close(() => resolve());
            server.closeAllConnections();
          }),
      ),
    );
  process.on('message', async (message: FromParent) => {
    if (message.type === 'counts') await send({ type: 'counts', ...counts });
    if (message.type === 'close') {
      await close();
      await send({ type: 'closed' });
      process.exit(0);
    }
  });
  process.on('disconnect', () => void close().finally(() => process.exit(0)));
  await send({ type: 'ready', urls });
}

/** Parent side: start the proxy process in front of `targets` (subgraph name → real GraphQL endpoint). */
export function startReplaySubgraphs(targets: Record<string, string>): Promise<RunningReplay> {
  const child = fork(fileURLToPath(import.meta.url), [`${SERVE_FLAG}${JSON.stringify(targets)}`], { stdio: 'inherit' });
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`the replay process exited (code ${code}) before it was ready`));
    child.once('exit', onExit);
    child.once('message', (message: FromChild) => {
      if (message.type !== 'ready') return;
      child.off('exit', onExit);
      let closing: Promise<void> | undefined;
      resolve({
        urls: message.urls,
        pid: child.pid!,
        counts: () =>
          new Promise<ReplayCounts>((done, fail) => {
            const onMessage = (reply: FromChild) => {
              if (reply.type !== 'counts') return;
              child.off('message', onMessage);
              done({ replayed: reply.replayed, passedThrough: reply.passedThrough });
            };
            child.on('message', onMessage);
            if (!child.connected) fail(new Error('the replay process is gone'));
            else child.send({ type: 'counts' } satisfies FromParent);
          }),
        close: () =>
          (closing ??= new Promise<void>((done) => {
            if (child.exitCode !== null || child.signalCode !== null) return done();
            const timer = setTimeout(() => child.kill(), 15_000);
            child.once('exit', () => {
              clearTimeout(timer);
              done();
            });
            child.send({ type: 'close' } satisfies FromParent);
          })),
      });
    });
  });
}

const served = process.argv.find((arg) => arg.startsWith(SERVE_FLAG));
if (served) {
  serveReplay(JSON.parse(served.slice(SERVE_FLAG.length)) as Record<string, string>).catch((error: unknown) => {
    console.error('the replay proxy failed to start:', error);
    process.exit(1);
  });
}

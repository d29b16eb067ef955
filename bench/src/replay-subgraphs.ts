/**
 * Replayed subgraphs, in a child process: per subgraph a port whose proxy sends a request body to the real subgraph
 * the first time and keeps a 200 answer without GraphQL errors; the same body then gets those bytes back at once.
 * A gateway in front does all its own work while the subgraphs cost next to nothing, as with the static subgraphs
 * of The Guild's benchmark. Anything else is passed through every time: a gateway that changes what it sends stays
 * correct, only slower.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buffer } from 'node:stream/consumers';
import { serveAsChild, startChild } from './child-process';

const MAX_ENTRIES = 1_000;
const HOP_HEADERS = new Set(['host', 'connection', 'keep-alive', 'content-length', 'transfer-encoding']);
const KEPT_HEADERS = ['content-type', 'cache-control'];

export interface ReplayCounts {
  replayed: number;
  passedThrough: number;
}

export interface RunningReplay {
  /** Each subgraph's endpoint on the proxy, by the same names as the real ones. */
  urls: Record<string, string>;
  pid: number;
  counts(): Promise<ReplayCounts>;
  close(): Promise<void>;
}

/** A 200 answer's headers and body. */
interface Kept {
  headers: Record<string, string>;
  body: Buffer;
}

function proxy(target: string, kept: Map<string, Kept>, counts: ReplayCounts) {
  const { origin, pathname: graphqlPath } = new URL(target);
  return async (req: IncomingMessage, res: ServerResponse) => {
    const body = await buffer(req);
    const cacheable = req.method === 'POST' && req.url === graphqlPath;
    const key = cacheable ? body.toString('utf8') : '';
    const hit = cacheable ? kept.get(key) : undefined;
    if (hit) {
      counts.replayed += 1;
      res.writeHead(200, { ...hit.headers, 'content-length': hit.body.length });
      res.end(hit.body);
      return;
    }
    counts.passedThrough += 1;
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (!HOP_HEADERS.has(name) && value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
    }
    const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
    const answer = await fetch(`${origin}${req.url}`, { method: req.method, headers, body: hasBody ? body : undefined });
    const bytes = Buffer.from(await answer.arrayBuffer());
    const replayed: Record<string, string> = {};
    for (const name of KEPT_HEADERS) {
      const value = answer.headers.get(name);
      if (value !== null) replayed[name] = value;
    }
    if (cacheable && answer.status === 200 && kept.size < MAX_ENTRIES && !bytes.includes('"errors":')) {
      kept.set(key, { headers: replayed, body: bytes });
    }
    res.writeHead(answer.status, { ...replayed, 'content-length': bytes.length });
    res.end(bytes);
  };
}

export async function startReplaySubgraphs(targets: Record<string, string>): Promise<RunningReplay> {
  const child = await startChild<Record<string, string>>('the replay process', import.meta.url, targets);
  return { urls: child.ready, pid: child.pid, counts: () => child.ask<ReplayCounts>('counts'), close: child.close };
}

serveAsChild(import.meta.url, async (targets: Record<string, string>) => {
  const counts: ReplayCounts = { replayed: 0, passedThrough: 0 };
  const servers: Server[] = [];
  const urls: Record<string, string> = {};
  for (const [name, target] of Object.entries(targets)) {
    const handle = proxy(target, new Map(), counts);
    const server = createServer((req, res) => {
      handle(req, res).catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
        res.end(`replay proxy: ${(error as Error).message}`);
      });
    });
    server.keepAliveTimeout = 65_000;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push(server);
    urls[name] = `http://127.0.0.1:${(server.address() as AddressInfo).port}${new URL(target).pathname}`;
  }
  const close = async () => {
    await Promise.all(
      servers.map((server) => {
        const closed = new Promise((resolve) => server.close(resolve));
        server.closeAllConnections();
        return closed;
      }),
    );
  };
  return { ready: urls, answer: async () => ({ ...counts }), close };
});

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JWK } from 'jose';

export interface JwksServer {
  url: string;
  /** What GET answers: the keys, a 503, or a connection closed without an answer. */
  state: { keys: JWK[]; mode: 'up' | 'failing' | 'unreachable' };
  /** Requests received, answered or not. */
  readonly requests: number;
  close(): Promise<void>;
}

/** The users service's JWKS endpoint, on loopback, with keys and availability the test changes. */
export async function startJwksServer(keys: JWK[]): Promise<JwksServer> {
  const state: JwksServer['state'] = { keys, mode: 'up' };
  let requests = 0;
  const server = createServer((req, res) => {
    requests += 1;
    if (state.mode === 'unreachable') return void req.socket.destroy();
    if (state.mode === 'failing') return void res.writeHead(503).end();
    res.writeHead(200, { 'content-type': 'application/jwk-set+json' }).end(JSON.stringify({ keys: state.keys }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    state,
    get requests() {
      return requests;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

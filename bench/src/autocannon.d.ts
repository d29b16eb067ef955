// The parts of autocannon 8 the benchmarks use (the package ships no types).
declare module 'autocannon' {
  import type { EventEmitter } from 'node:events';

  type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

  export interface Request {
    method?: Method;
    path?: string;
    headers?: Record<string, string>;
    body?: string | Buffer;
    /** Called before each send with a copy of the request, defaults filled in; a falsy answer starts the list over. */
    setupRequest?: (request: Request, context: Record<string, unknown>) => Request | null | undefined;
    /** Every answer's body as a string (empty when bodies are not kept). */
    onResponse?: (status: number, body: string, context: Record<string, unknown>, headers: Record<string, unknown>) => void;
  }

  export interface Client {
    setRequests(requests: Request[]): void;
  }

  export interface Options extends Request {
    url: string;
    connections: number;
    /** Seconds. */
    duration: number;
    /** Seconds before a request counts as a timeout (and an error). */
    timeout: number;
    setupClient?: (client: Client) => void;
    requests?: Request[];
  }

  export interface Result {
    /** Seconds. */
    duration: number;
    errors: number;
    timeouts: number;
    resets: number;
  }

  export interface Instance extends EventEmitter, PromiseLike<Result> {
    on(event: 'response', listener: (client: Client, statusCode: number, bytes: number, responseTimeMs: number) => void): this;
    stop(): void;
  }

  export default function autocannon(options: Options): Instance;
}

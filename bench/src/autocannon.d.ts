// Minimal types for the parts of autocannon 8 that the benchmarks use (the package ships none).
declare module 'autocannon' {
  import type { EventEmitter } from 'node:events';

  export interface Options {
    url: string;
    method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
    headers?: Record<string, string>;
    body?: string;
    /** Concurrent connections. */
    connections?: number;
    /** Seconds. */
    duration?: number;
    pipelining?: number;
    /** Seconds before a request counts as a timeout (and an error). */
    timeout?: number;
    /** Returning false counts the response as a mismatch. */
    verifyBody?: (body: string) => boolean;
    /** Called with each connection's client object as it is made (internals beyond `Client`: untyped). */
    setupClient?: (client: Client) => void;
    /** Requests each connection sends in turn, starting over after the last. */
    requests?: Request[];
  }

  /** One entry of `requests` (or of `Client.setRequests`). */
  export interface Request {
    method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
    path?: string;
    headers?: Record<string, string>;
    body?: string | Buffer;
    /**
     * Called before each send with a copy of the request (defaults filled in) and the connection's context (reset
     * when the list starts over); answers the request to send. A falsy answer starts the list over.
     */
    setupRequest?: (request: Request, context: Record<string, unknown>) => Request | null | undefined;
    /** Called with every answer to this request (the body as a string, empty when bodies are not kept). */
    onResponse?: (status: number, body: string, context: Record<string, unknown>, headers: Record<string, unknown>) => void;
  }

  /** A connection, as `setupClient` gets it. */
  export interface Client {
    /** Replaces the requests this connection sends (pipelining 1 only). */
    setRequests(requests: Request[]): void;
  }

  export interface Histogram {
    average: number;
    mean: number;
    stddev: number;
    min: number;
    max: number;
    total?: number;
    [percentile: `p${string}`]: number;
  }

  export interface Result {
    /** Seconds. */
    duration: number;
    errors: number;
    timeouts: number;
    mismatches: number;
    non2xx: number;
    resets: number;
    '2xx': number;
    statusCodeStats: Record<string, { count: number }>;
    latency: Histogram;
    requests: Histogram;
    throughput: Histogram;
  }

  export interface Instance extends EventEmitter, PromiseLike<Result> {
    on(event: 'response', listener: (client: unknown, statusCode: number, bytes: number, responseTimeMs: number) => void): this;
    on(event: string, listener: (...args: unknown[]) => void): this;
    stop(): void;
  }

  export default function autocannon(options: Options): Instance;
}

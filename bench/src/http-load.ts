/**
 * The one way the benchmarks run autocannon: fixed connections for a fixed time, no pipelining, every answer
 * recorded with its exact latency (autocannon's own histogram keeps whole milliseconds and no p95).
 */
import autocannon, { type Client, type Request } from 'autocannon';
import type { Sign } from './gateway-proof';
import { stopWhenInterrupted } from './run';

export interface LoadOptions {
  /** The request's URL, or with `requests` the origin their paths go to. */
  url: string;
  connections: number;
  seconds: number;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  /** Called once per connection: the requests it sends in turn, starting over after the last. */
  requests?: () => Request[];
  /**
   * Applied to every request's headers as it is sent (straight to a subgraph: a fresh gateway proof each time). The
   * request is then built anew each time, as with a `setupRequest`.
   */
  sign?: Sign;
  /** A 2xx answer carrying GraphQL `errors` counts as a GraphQL error. */
  graphql?: boolean;
  /** Drop bodies unread: autocannon decodes every chunk as UTF-8 to keep them, which caps big downloads. */
  discardBodies?: boolean;
  timeoutSeconds?: number;
}

export interface Answer {
  ms: number;
  /** When it arrived, on the monotonic clock every process's V8 profiler uses too. */
  atUs: number;
  status: number;
  bytes: number;
  /** Which of the connection's requests it answers. */
  step: number;
  graphqlError: boolean;
}

export interface LoadResult {
  seconds: number;
  startUs: number;
  endUs: number;
  answers: Answer[];
  /** Socket errors, timeouts included. */
  errors: number;
  timeouts: number;
  /** Times a connection started its requests over early (a `setupRequest` answered null). */
  resets: number;
}

export const nowUs = () => Number(process.hrtime.bigint() / 1000n);

/** Set when a connection had no body queue to replace: bodies were then kept, which limits the figures. */
export let bodiesKept = false;

function discardBodies(client: Client): void {
  const queue = (client as unknown as { pipelinedRequests?: { addBody?: unknown } }).pipelinedRequests;
  if (queue && typeof queue.addBody === 'function') queue.addBody = () => {};
  else bodiesKept = true;
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const answers: Answer[] = [];
  // autocannon calls the answered request's onResponse, then emits `response`, synchronously, for the same answer.
  let answered = { step: 0, graphqlError: false };
  const { sign } = options;
  const signed = (request: Request): Request =>
    sign
      ? {
          ...request,
          setupRequest: (defaults, context) => {
            const built = request.setupRequest ? request.setupRequest(defaults, context) : defaults;
            return built && { ...built, headers: sign(built.headers ?? {}) };
          },
        }
      : request;
  const recorded = (requests: Request[]) =>
    requests.map((request, step): Request => ({
      ...signed(request),
      onResponse: (status, body, context, headers) => {
        answered = { step, graphqlError: !!options.graphql && status >= 200 && status < 300 && body.includes('"errors":') };
        request.onResponse?.(status, body, context, headers);
      },
    }));
  const startUs = nowUs();
  const instance = autocannon({
    url: options.url,
    method: options.method ?? 'GET',
    headers: options.headers ?? {},
    body: options.body ?? '',
    connections: options.connections,
    duration: options.seconds,
    timeout: options.timeoutSeconds ?? 10,
    requests: recorded([{}]),
    setupClient: (client) => {
      if (options.discardBodies) discardBodies(client);
      if (options.requests) client.setRequests(recorded(options.requests()));
    },
  });
  instance.on('response', (_client, status, bytes, ms) => {
    answers.push({ ms, atUs: nowUs(), status, bytes, ...answered });
    answered = { step: 0, graphqlError: false };
  });
  const done = stopWhenInterrupted(() => instance.stop());
  const { duration, errors, timeouts, resets } = await instance;
  const result = { seconds: duration, startUs, endUs: nowUs(), answers, errors, timeouts, resets };
  await done();
  return result;
}

/** An uncounted warm-up, then the measured run, told on one line: `  name: warm-up 2 s, measuring 10 s... `. */
export async function afterWarmUp<T>(name: string, warmUpSeconds: number, seconds: number, run: (seconds: number) => Promise<T>) {
  process.stdout.write(`  ${name}: warm-up ${warmUpSeconds} s, `);
  await run(warmUpSeconds);
  process.stdout.write(`measuring ${seconds} s... `);
  return run(seconds);
}

export interface Figures {
  requests: number;
  perSecond: number;
  p50: number;
  p95: number;
  p99: number;
  non2xx: number;
  graphqlErrors: number;
  bytes: number;
}

/** Nearest-rank percentiles and counts of `answers` over `seconds`. */
export function figures(answers: Answer[], seconds: number): Figures {
  const sorted = Float64Array.from(answers, (answer) => answer.ms).sort();
  const percentile = (p: number) => (sorted.length ? sorted[Math.max(1, Math.ceil((p / 100) * sorted.length)) - 1]! : Number.NaN);
  return {
    requests: answers.length,
    perSecond: answers.length / seconds,
    p50: percentile(50),
    p95: percentile(95),
    p99: percentile(99),
    non2xx: answers.filter((answer) => answer.status < 200 || answer.status >= 300).length,
    graphqlErrors: answers.filter((answer) => answer.graphqlError).length,
    bytes: answers.reduce((sum, answer) => sum + answer.bytes, 0),
  };
}

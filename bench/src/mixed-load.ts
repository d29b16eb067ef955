/**
 * A mixed load with autocannon: several scenarios at once, each its own autocannon instance with its own
 * connections (so a fixed share of the total concurrency), every connection sending its scenario's steps in
 * turn and starting over after the last. Each answer is recorded against the step that asked for it (exact
 * latency, status, GraphQL errors), so results split per scenario and per operation.
 *
 * How an answer finds its step: for each answer autocannon calls the request's `onResponse`, then emits
 * `response` with the latency, synchronously one after the other; without pipelining a connection has one
 * request in flight, so the step `onResponse` names is the one the latency belongs to.
 */
import autocannon, { type Client, type Instance, type Request } from 'autocannon';

export interface HttpRequest {
  method: 'GET' | 'POST';
  /** Path and query, on the scenario's origin. */
  path: string;
  headers: Record<string, string>;
  body?: string;
}

/** One connection of a scenario. */
export interface Connection {
  /** Unique across the scenarios of one run, from 0. */
  id: number;
  /** What a step keeps for the next ones (an id it created); emptied when the steps start over. */
  kept: Record<string, string>;
}

export interface Step {
  /** Its name in the per-operation results. */
  name: string;
  /** The request to send, or null to start the steps over (it needs what an earlier step failed to keep). */
  build(connection: Connection): HttpRequest | null;
  /** Reads a successful answer's body (GraphQL scenarios only: other bodies are not kept). */
  read?(connection: Connection, body: string): void;
}

export interface Scenario {
  name: string;
  /** `http://host:port`: every step goes there. */
  origin: string;
  connections: number;
  /** GraphQL answers: a 200 carrying `errors` counts as an error, and bodies are kept for `read`. */
  graphql: boolean;
  steps: Step[];
}

export interface StepResult {
  name: string;
  /** Latencies in ms, ascending. */
  latencies: Float64Array;
  non2xx: number;
  graphqlErrors: number;
  /** The first failed answer: status and the start of its body. */
  firstFailure?: string;
}

export interface ScenarioResult {
  scenario: Scenario;
  /** Measured seconds. */
  duration: number;
  /** Every answer's latency in ms, ascending. */
  latencies: Float64Array;
  /** Socket errors and timeouts (autocannon's `errors`, which counts timeouts too). */
  socketErrors: number;
  timeouts: number;
  non2xx: number;
  graphqlErrors: number;
  /** Times a connection started its steps over because a step could not be built. */
  restarts: number;
  steps: StepResult[];
}

export interface RunningMix {
  done: Promise<ScenarioResult[]>;
  /** Stops every instance (each then resolves with what it measured). */
  stop(): void;
}

interface StepRecord {
  latencies: number[];
  non2xx: number;
  graphqlErrors: number;
  firstFailure?: string;
}

/** Set when a connection had no body queue to replace (bodies were then kept, which costs the load generator). */
export let bodiesKept = false;

/** autocannon decodes and keeps every body as a string (for `verifyBody`); file downloads need neither. */
function discardBodies(client: Client): void {
  const queue = (client as unknown as { pipelinedRequests?: { addBody?: unknown } }).pipelinedRequests;
  if (queue && typeof queue.addBody === 'function') queue.addBody = () => {};
  else bodiesKept = true;
}

const ascending = (values: number[]) => Float64Array.from(values).sort();

function startScenario(
  scenario: Scenario,
  seconds: number,
  firstConnectionId: number,
): { instance: Instance; done: Promise<ScenarioResult> } {
  const records: StepRecord[] = scenario.steps.map(() => ({ latencies: [], non2xx: 0, graphqlErrors: 0 }));
  // The step whose answer autocannon is reporting: set by onResponse, read by the `response` event right after.
  let answered: StepRecord | undefined;
  let nextConnectionId = firstConnectionId;

  const requestsOf = (connection: Connection): Request[] =>
    scenario.steps.map((step, index) => ({
      setupRequest: (defaults) => {
        if (index === 0) connection.kept = {};
        const built = step.build(connection);
        if (!built) return null;
        return { ...defaults, method: built.method, path: built.path, headers: built.headers, body: built.body ?? '' };
      },
      onResponse: (status, body) => {
        const record = records[index]!;
        answered = record;
        let failed = false;
        if (status < 200 || status >= 300) {
          record.non2xx += 1;
          failed = true;
        } else if (scenario.graphql && body.includes('"errors":')) {
          record.graphqlErrors += 1;
          failed = true;
        }
        if (failed) record.firstFailure ??= `HTTP ${status} ${body.slice(0, 500)}`.trim();
        else step.read?.(connection, body);
      },
    }));

  const instance = autocannon({
    url: scenario.origin,
    connections: scenario.connections,
    duration: seconds,
    setupClient: (client) => {
      if (!scenario.graphql) discardBodies(client);
      client.setRequests(requestsOf({ id: nextConnectionId++, kept: {} }));
    },
  });
  instance.on('response', (_client, _status, _bytes, ms) => {
    answered?.latencies.push(ms);
    answered = undefined;
  });
  const done = Promise.resolve(instance).then((result) => {
    const steps = scenario.steps.map((step, index) => {
      const record = records[index]!;
      return { name: step.name, ...record, latencies: ascending(record.latencies) };
    });
    return {
      scenario,
      duration: result.duration,
      latencies: ascending(records.flatMap((record) => record.latencies)),
      socketErrors: result.errors,
      timeouts: result.timeouts,
      non2xx: steps.reduce((sum, step) => sum + step.non2xx, 0),
      graphqlErrors: steps.reduce((sum, step) => sum + step.graphqlErrors, 0),
      restarts: result.resets,
      steps,
    };
  });
  return { instance, done };
}

/** Starts every scenario at once for `seconds`; connection ids run on from one scenario to the next. */
export function startMix(scenarios: Scenario[], seconds: number): RunningMix {
  let firstConnectionId = 0;
  const started = scenarios.map((scenario) => {
    const one = startScenario(scenario, seconds, firstConnectionId);
    firstConnectionId += scenario.connections;
    return one;
  });
  return {
    done: Promise.all(started.map((one) => one.done)),
    stop: () => started.forEach((one) => one.instance.stop()),
  };
}

/**
 * Splits `total` connections by weight (largest remainder), at least one each; throws when there are fewer
 * connections than weights.
 */
export function splitConnections(total: number, weights: number[]): number[] {
  if (total < weights.length)
    throw new Error(`${weights.length} scenarios need at least ${weights.length} connections, got ${total}`);
  const sum = weights.reduce((a, b) => a + b, 0);
  const exact = weights.map((weight) => (total * weight) / sum);
  const shares = exact.map(Math.floor);
  const byRemainder = exact
    .map((value, index) => ({ index, remainder: value - Math.floor(value) }))
    .sort((a, b) => b.remainder - a.remainder);
  for (let left = total - shares.reduce((a, b) => a + b, 0), i = 0; left > 0; left -= 1, i += 1)
    shares[byRemainder[i]!.index]! += 1;
  // Every scenario runs: a zero takes one connection from the largest share.
  for (let i = 0; i < shares.length; i += 1) {
    if (shares[i]! > 0) continue;
    const largest = shares.indexOf(Math.max(...shares));
    shares[largest]! -= 1;
    shares[i] = 1;
  }
  return shares;
}

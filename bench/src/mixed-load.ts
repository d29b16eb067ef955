/**
 * A mixed load: several scenarios at once, each its own load with its own connections (a fixed share of the total
 * concurrency), every connection sending its scenario's steps in turn. Each answer is counted against its step.
 */
import type { HttpRequest } from './graphql';
import { runLoad, type Answer, type LoadResult } from './http-load';

export interface Connection {
  /** Unique across the scenarios of one run, from 0. */
  id: number;
  /** What a step keeps for the next ones; emptied when the steps start over. */
  kept: Record<string, string>;
}

export interface Step {
  name: string;
  /** The request to send, or null to start the steps over (an earlier step failed to keep what it needs). */
  build(connection: Connection): HttpRequest | null;
  /** Reads a successful answer's body (GraphQL scenarios only: other bodies are not kept). */
  read?(connection: Connection, body: string): void;
}

export interface Scenario {
  name: string;
  /** `http://host:port`: every step goes there. */
  origin: string;
  connections: number;
  graphql: boolean;
  steps: Step[];
}

export interface StepResult {
  name: string;
  answers: Answer[];
  /** The first failed answer: status and the start of its body. */
  firstFailure?: string;
}

export interface ScenarioResult extends LoadResult {
  scenario: Scenario;
  steps: StepResult[];
}

function runScenario(scenario: Scenario, seconds: number, nextConnectionId: () => number): Promise<ScenarioResult> {
  const firstFailures: (string | undefined)[] = scenario.steps.map(() => undefined);
  const requestsOf = (connection: Connection) =>
    scenario.steps.map((step, index) => ({
      setupRequest: (defaults: object) => {
        if (index === 0) connection.kept = {};
        const built = step.build(connection);
        return built && { ...defaults, ...built, body: built.body ?? '' };
      },
      onResponse: (status: number, body: string) => {
        if (status >= 200 && status < 300 && !(scenario.graphql && body.includes('"errors":'))) step.read?.(connection, body);
        else firstFailures[index] ??= `HTTP ${status} ${body.slice(0, 500)}`.trim();
      },
    }));
  return runLoad({
    url: scenario.origin,
    connections: scenario.connections,
    seconds,
    graphql: scenario.graphql,
    discardBodies: !scenario.graphql,
    requests: () => requestsOf({ id: nextConnectionId(), kept: {} }),
  }).then((result) => ({
    ...result,
    scenario,
    steps: scenario.steps.map((step, index) => ({
      name: step.name,
      answers: result.answers.filter((answer) => answer.step === index),
      firstFailure: firstFailures[index],
    })),
  }));
}

/** Every scenario at once for `seconds`; connection ids are unique across them. */
export function runMix(scenarios: Scenario[], seconds: number): Promise<ScenarioResult[]> {
  let nextId = 0;
  return Promise.all(scenarios.map((scenario) => runScenario(scenario, seconds, () => nextId++)));
}

/** Splits `total` connections by weight (largest remainder), at least one each. */
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
    shares[shares.indexOf(Math.max(...shares))]! -= 1;
    shares[i] = 1;
  }
  return shares;
}

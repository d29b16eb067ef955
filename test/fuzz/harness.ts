/**
 * What the fuzz test files share: a plain keep-alive HTTP client, a pool, response checks with the
 * public error codes, the bugs already known (matched by the server's own log line), a tally for the
 * report, a heap monitor, and snapshots of the rows a rejected request must not change.
 */
import { Agent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Readable } from 'node:stream';
import { ERROR_CODES } from '@keylab/errors';
import { createLogger, type Logger } from '@keylab/logger';
import { createStatsDb, removeVisitors } from '@keylab/stats-subgraph';
import { TEST_DATABASES, type Stack } from '@keylab/test-support';
import { POLLUTION_CANARY, SEED, type Caller, type FuzzRequest, type World } from './generators';

/**
 * Codes a client may see in extensions.code (README: "Error codes a client can rely on"): ours, as
 * @keylab/errors lists them, and GraphQL's and Apollo's own.
 */
export const PUBLIC_CODES = new Set<string>([
  ...ERROR_CODES,
  'BAD_USER_INPUT',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  'RATE_LIMITED',
  'INTERNAL',
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
]);

/** Requests in flight at once. */
export const CONCURRENCY = 20;

/** FUZZ_SCALE=0.2 for a quick run, 3 for a long one (counts of every stream are multiplied). */
export const SCALE = Number(process.env.FUZZ_SCALE ?? '1') || 1;
export const scaled = (count: number) => Math.max(1, Math.round(count * SCALE));

/** How to replay: printed with every failure. */
export const replayHint = (file: string, index?: number) =>
  `seed ${SEED}: replay with FUZZ_SEED=${SEED}${index === undefined ? '' : ` FUZZ_CASE=${index}`} npx vitest run ${file}`;

/** FUZZ_CASE=n: send only case n of each stream (to replay one failure). */
export const ONLY_CASE = process.env.FUZZ_CASE === undefined ? undefined : Number(process.env.FUZZ_CASE);

// ---------------------------------------------------------------------------------------------------
// Server logs

export interface LogLine {
  level: number;
  msg?: string;
  requestId?: string;
  graph?: string;
  err?: { message?: string; type?: string };
  [key: string]: unknown;
}

/** A logger for the stack that keeps its warnings and errors (not the debug noise), at most `cap` of them. */
export function keptLogs(cap = 5_000): { logger: Logger; lines: LogLine[]; byRequest(id: string): LogLine[] } {
  const lines: LogLine[] = [];
  const logger = createLogger('fuzz', process.env.TEST_LOG_LEVEL ?? 'warn', {
    write(line: string) {
      if (lines.length >= cap) return;
      const parsed = JSON.parse(line) as LogLine;
      if (parsed.err?.message && parsed.err.message.length > 2_000) parsed.err.message = parsed.err.message.slice(0, 2_000);
      delete parsed.stack;
      if (parsed.err) delete (parsed.err as Record<string, unknown>).stack;
      lines.push(parsed);
    },
  });
  return { logger, lines, byRequest: (id) => lines.filter((line) => line.requestId === id) };
}

// ---------------------------------------------------------------------------------------------------
// HTTP

export interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  /** The body, cut at 256 kB (the rest is read and dropped). */
  body: Buffer;
  ms: number;
  /** A transport failure: no answer (status 0), or the answer was cut. */
  error?: string;
}

const MAX_KEPT_BODY = 256 * 1024;

export interface HttpClient {
  send(
    method: string,
    path: string,
    headers: Record<string, string>,
    body?: string | Uint8Array | Readable,
    timeoutMs?: number,
  ): Promise<Answer>;
  close(): void;
}

/** node:http with keep-alive: lighter than fetch, and it sends what fetch would refuse to. */
export function httpClient(origin: string, sockets = CONCURRENCY): HttpClient {
  const url = new URL(origin);
  const agent = new Agent({ keepAlive: true, maxSockets: sockets });
  return {
    send(method, path, headers, body, timeoutMs = 30_000) {
      return new Promise<Answer>((resolve) => {
        const started = performance.now();
        const finish = (answer: Omit<Answer, 'ms'>) => resolve({ ...answer, ms: Math.round(performance.now() - started) });
        const fixed = typeof body === 'string' || body instanceof Uint8Array;
        const length =
          typeof body === 'string' ? Buffer.byteLength(body) : body instanceof Uint8Array ? body.byteLength : undefined;
        const all: Record<string, string> = { ...headers };
        if (fixed && !('content-length' in all) && !('transfer-encoding' in all)) all['content-length'] = String(length);
        let request;
        try {
          request = httpRequest({ host: url.hostname, port: url.port, method, path, headers: all, agent });
        } catch (error) {
          finish({ status: -1, headers: {}, body: Buffer.alloc(0), error: `not sendable: ${(error as Error).message}` });
          return;
        }
        let settled = false;
        request.setTimeout(timeoutMs, () => request.destroy(new Error(`no answer in ${timeoutMs} ms`)));
        request.on('response', (response) => {
          const chunks: Buffer[] = [];
          let kept = 0;
          response.on('data', (chunk: Buffer) => {
            if (kept < MAX_KEPT_BODY) chunks.push(chunk);
            kept += chunk.length;
          });
          const done = (error?: string) => {
            if (settled) return;
            settled = true;
            finish({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks), error });
            if (!fixed && body && !request.writableFinished) request.destroy();
          };
          response.on('end', () => done());
          response.on('aborted', () => done('answer cut off'));
          response.on('error', (error) => done(`answer failed: ${error.message}`));
        });
        request.on('error', (error) => {
          if (settled) return;
          settled = true;
          finish({ status: 0, headers: {}, body: Buffer.alloc(0), error: error.message });
        });
        if (body === undefined) request.end();
        else if (fixed) request.end(body);
        else {
          body.on('error', () => request.destroy());
          request.on('close', () => body.destroy());
          body.pipe(request);
        }
      });
    },
    close: () => agent.destroy(),
  };
}

/** Runs `work` over `items` with `concurrency` in flight. */
export async function pool<T>(
  items: readonly T[],
  concurrency: number,
  work: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      await work(items[index]!, index);
    }
  });
  await Promise.all(lanes);
}

// ---------------------------------------------------------------------------------------------------
// Checking GraphQL answers

interface GraphQLErrorJson {
  message?: unknown;
  path?: unknown;
  extensions?: Record<string, unknown>;
}

export interface Verdict {
  /** Every extensions.code seen. */
  codes: string[];
  internal: boolean;
  /** The request was refused (4xx, or errors in the answer). */
  rejected: boolean;
  /** Root fields that answered with data. */
  succeeded: string[];
  problems: string[];
  requestIds: string[];
}

/** An HTML error page that shows a stack trace or a file path. */
const htmlErrorPage = (answer: Answer) =>
  String(answer.headers['content-type'] ?? '').startsWith('text/html') &&
  answer.status >= 400 &&
  /\bat [\w.<>]+ \(|node_modules|\/work\//.test(answer.body.toString('utf8'));

/** Internals that must never reach a client: stack frames, SQL, Prisma, file paths. */
const LEAKS =
  /PrismaClient|invalid byte sequence|Invalid `\w+|node_modules|\/work\/|\n\s+at |at async |\bSQLSTATE\b|violates (unique|foreign key) constraint/;

export function checkGraphQLAnswer(answer: Answer, request: Pick<FuzzRequest, 'method'>): Verdict {
  const verdict: Verdict = {
    codes: [],
    internal: false,
    rejected: answer.status >= 400,
    succeeded: [],
    problems: [],
    requestIds: [],
  };
  if (answer.status === -1) return verdict;
  if (answer.status === 0) verdict.problems.push(`no answer: ${answer.error}`);
  else if (answer.status >= 500) verdict.problems.push(`HTTP ${answer.status}`);
  if (answer.error && answer.status > 0) verdict.problems.push(`answer cut: ${answer.error}`);
  const header = answer.headers['x-request-id'];
  if (typeof header === 'string') verdict.requestIds.push(header);
  const type = String(answer.headers['content-type'] ?? '');
  if (htmlErrorPage(answer)) verdict.problems.push('an HTML error page with a stack trace instead of a GraphQL error');
  if (!type.includes('json') || request.method === 'HEAD' || answer.body.length === 0) return verdict;
  let parsed: unknown;
  try {
    parsed = JSON.parse(answer.body.toString('utf8'));
  } catch {
    if (answer.body.length < MAX_KEPT_BODY) verdict.problems.push('a JSON content type with a body that is not JSON');
    return verdict;
  }
  for (const result of Array.isArray(parsed) ? parsed : [parsed]) {
    if (!result || typeof result !== 'object') continue;
    const { errors, data, error } = result as { errors?: unknown; data?: unknown; error?: GraphQLErrorJson };
    const list: GraphQLErrorJson[] = Array.isArray(errors)
      ? (errors as GraphQLErrorJson[])
      : error
        ? [{ ...error, extensions: error as Record<string, unknown> }]
        : [];
    if (list.length) verdict.rejected = true;
    for (const item of list) {
      const code = item.extensions?.code;
      if (typeof code !== 'string')
        verdict.problems.push(`an error without extensions.code: ${JSON.stringify(item).slice(0, 300)}`);
      else {
        verdict.codes.push(code);
        if (!PUBLIC_CODES.has(code)) verdict.problems.push(`a code outside the public set: ${code}`);
        if (code === 'INTERNAL') verdict.internal = true;
      }
      if (typeof item.extensions?.requestId === 'string') verdict.requestIds.push(item.extensions.requestId);
      if (item.extensions?.stacktrace || item.extensions?.exception) verdict.problems.push('a stack trace in the answer');
      if (typeof item.message === 'string' && LEAKS.test(item.message))
        verdict.problems.push(`internals in a message: ${item.message.slice(0, 300)}`);
    }
    if (data && typeof data === 'object') {
      for (const [field, value] of Object.entries(data)) if (value !== null) verdict.succeeded.push(field);
    }
  }
  return verdict;
}

// ---------------------------------------------------------------------------------------------------
// Known bugs: each has an it.fails reproduction in a test file. A failure of one of these kinds is
// counted under its id instead of failing the fuzz run; anything else fails it.

export interface KnownBug {
  id: string;
  title: string;
  /** The HTTP status the bug answers with, when it is a 5xx (else the answer must be < 500). */
  status?: number;
  /** Matches the server's log line of the failure... */
  matches?(log: LogLine): boolean;
  /** ... or the answer itself, when the failure is not logged. */
  matchesAnswer?(answer: Answer): boolean;
  /** Problems of the answer (besides INTERNAL and its own status) that the bug accounts for. */
  explains?(problem: string): boolean;
}

/** The text a known bug's `matches` looks at. */
export const errorText = (log: LogLine) => `${log.err?.message ?? ''} ${log.msg ?? ''}`;

// All the bugs this fuzzing found are fixed; a new one goes here, with an it.fails reproduction.
export const KNOWN_BUGS: KnownBug[] = [];

// ---------------------------------------------------------------------------------------------------
// The tally and the report

export interface Finding {
  index: number;
  kind: string;
  field?: string;
  as: Caller;
  request: string;
  status: number;
  answer: string;
  problems: string[];
  log?: string;
}

function describeRequest(request: FuzzRequest): string {
  const body =
    request.body === undefined
      ? ''
      : typeof request.body === 'string'
        ? request.body
        : `<${request.body.byteLength} bytes: ${Buffer.from(request.body.subarray(0, 48)).toString('hex')}…>`;
  const headers = Object.entries(request.headers)
    .filter(([name]) => name !== 'x-forwarded-for')
    .map(([name, value]) => `${name}: ${value.length > 80 ? `${value.slice(0, 80)}…(${value.length})` : value}`)
    .join('; ');
  return `${request.method} ${request.path.length > 300 ? `${request.path.slice(0, 300)}…` : request.path} as ${request.as} [${headers}] ${
    body.length > 600 ? `${body.slice(0, 600)}…(${body.length} chars)` : body
  }`;
}

export class Tally {
  sent = 0;
  readonly byKind = new Map<string, { sent: number; statuses: Map<number, number>; rejected: number }>();
  readonly codes = new Map<string, number>();
  readonly known = new Map<string, { count: number; example: Finding }>();
  readonly internals: Finding[] = [];
  readonly problems: Finding[] = [];
  readonly slowest: { ms: number; request: string }[] = [];

  constructor(
    readonly file: string,
    private readonly logs: { byRequest(id: string): LogLine[] },
  ) {}

  /** Counts one answer, checks it, and sorts any failure into known bugs or findings. */
  record(index: number, request: FuzzRequest, answer: Answer): Verdict {
    const verdict = checkGraphQLAnswer(answer, request);
    if (answer.status === -1) return verdict;
    this.sent += 1;
    const kind = this.byKind.get(request.kind) ?? { sent: 0, statuses: new Map(), rejected: 0 };
    kind.sent += 1;
    kind.statuses.set(answer.status, (kind.statuses.get(answer.status) ?? 0) + 1);
    if (verdict.rejected) kind.rejected += 1;
    this.byKind.set(request.kind, kind);
    for (const code of verdict.codes) this.codes.set(code, (this.codes.get(code) ?? 0) + 1);
    this.noteTime(answer.ms, request);
    if (!verdict.internal && !verdict.problems.length) return verdict;

    const logs = [...new Set(verdict.requestIds)].flatMap((id) => this.logs.byRequest(id)).filter((line) => line.level >= 50);
    const finding: Finding = {
      index,
      kind: request.kind,
      field: request.field,
      as: request.as,
      request: describeRequest(request),
      status: answer.status,
      answer: answer.body.toString('utf8').slice(0, 600),
      problems: verdict.internal ? ['INTERNAL', ...verdict.problems] : verdict.problems,
      log:
        logs.map((line) => `${line.graph ?? 'gateway'}: ${line.msg} ${line.err?.message ?? ''}`.slice(0, 1_200)).join('\n') ||
        undefined,
    };
    const bug = KNOWN_BUGS.find(
      (candidate) =>
        (candidate.matches && logs.length > 0 && logs.every((line) => candidate.matches!(line))) ||
        candidate.matchesAnswer?.(answer),
    );
    // A known bug explains an INTERNAL, its own 5xx status and the problems it says it causes; anything else is news.
    const explained = bug && verdict.problems.every((problem) => problem === `HTTP ${bug.status}` || bug.explains?.(problem));
    if (bug && explained) {
      const entry = this.known.get(bug.id) ?? { count: 0, example: finding };
      entry.count += 1;
      this.known.set(bug.id, entry);
    } else if (verdict.internal && verdict.problems.length === 0) {
      if (this.internals.length < 200) this.internals.push(finding);
    } else if (this.problems.length < 200) this.problems.push(finding);
    return verdict;
  }

  private noteTime(ms: number, request: FuzzRequest) {
    if (this.slowest.length >= 5 && ms <= this.slowest.at(-1)!.ms) return;
    this.slowest.push({ ms, request: describeRequest(request).slice(0, 200) });
    this.slowest.sort((a, b) => b.ms - a.ms);
    this.slowest.length = Math.min(this.slowest.length, 5);
  }

  /** Unknown INTERNAL errors and other problems, written out for the assertion message. */
  failures(): string {
    const all = [...this.problems, ...this.internals];
    if (!all.length) return '';
    return [
      `${all.length} unexpected answers (${replayHint(this.file)}):`,
      ...all
        .slice(0, 15)
        .map(
          (f) =>
            `#${f.index} ${f.kind}${f.field ? ` ${f.field}` : ''}: ${f.problems.join(', ')} (HTTP ${f.status})\n  request: ${f.request}\n  answer: ${f.answer}${
              f.log ? `\n  log: ${f.log}` : ''
            }`,
        ),
    ].join('\n');
  }

  /** FUZZ_REPORT=<path>: every finding as JSON, for a closer look. */
  async dump(): Promise<void> {
    const path = process.env.FUZZ_REPORT;
    if (!path) return;
    const { writeFile } = await import('node:fs/promises');
    const file = `${path}.${this.file.split('/').pop()}.json`;
    await writeFile(
      file,
      JSON.stringify({ problems: this.problems, internals: this.internals, known: [...this.known] }, null, 2),
    );
  }

  report(extra: string[] = []): string {
    const kinds = [...this.byKind.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(
        ([kind, { sent, statuses, rejected }]) =>
          `  ${kind.padEnd(16)} ${String(sent).padStart(6)} sent, ${String(rejected).padStart(6)} refused; statuses ${[
            ...statuses.entries(),
          ]
            .sort(([a], [b]) => a - b)
            .map(([status, count]) => `${status}×${count}`)
            .join(' ')}`,
      );
    const known = [...this.known.entries()].map(
      ([id, { count, example }]) => `  known bug ${id}: ${count}× (e.g. #${example.index} ${example.field ?? example.kind})`,
    );
    return [
      `[fuzz] ${this.file}: ${this.sent} requests, seed ${SEED}`,
      ...kinds,
      `  codes: ${[...this.codes.entries()].map(([code, count]) => `${code}×${count}`).join(' ')}`,
      ...known,
      `  unknown INTERNAL: ${this.internals.length}, other problems: ${this.problems.length}`,
      `  slowest: ${this.slowest.map((s) => `${s.ms} ms`).join(', ')}`,
      ...extra,
    ].join('\n');
  }
}

// ---------------------------------------------------------------------------------------------------
// Memory

/** global.gc, or the same through V8's flag when the process was started without --expose-gc. */
export function exposeGc(): (() => void) | undefined {
  const existing = (globalThis as { gc?: () => void }).gc;
  if (typeof existing === 'function') return existing;
  try {
    setFlagsFromString('--expose-gc');
    return runInNewContext('gc') as () => void;
  } catch {
    return undefined;
  }
}

export interface MemoryFigures {
  gc: boolean;
  startMb: number;
  peakMb: number;
  endMb: number;
  rssPeakMb: number;
}

const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;

/** Samples the heap every 100 ms until stopped; the start and end figures are taken after a full GC. */
export function watchMemory(): { stop(): MemoryFigures } {
  const gc = exposeGc();
  gc?.();
  const start = process.memoryUsage();
  let peak = start.heapUsed;
  let rssPeak = start.rss;
  const timer = setInterval(() => {
    const now = process.memoryUsage();
    peak = Math.max(peak, now.heapUsed);
    rssPeak = Math.max(rssPeak, now.rss);
  }, 100);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      gc?.();
      gc?.();
      const end = process.memoryUsage();
      return { gc: Boolean(gc), startMb: mb(start.heapUsed), peakMb: mb(peak), endMb: mb(end.heapUsed), rssPeakMb: mb(rssPeak) };
    },
  };
}

export const describeMemory = (m: MemoryFigures) =>
  `heap after GC ${m.startMb} MB → ${m.endMb} MB (growth ${Math.round((m.endMb - m.startMb) * 10) / 10} MB), peak ${m.peakMb} MB, rss peak ${m.rssPeakMb} MB, gc ${m.gc ? 'forced' : 'not available'}`;

/** Prototype pollution would show in this very process (the stack runs here). */
export function pollutionCheck(): string[] {
  const found: string[] = [];
  const probe = {} as Record<string, unknown>;
  for (const key of [POLLUTION_CANARY, 'isAdmin', 'roles', 'polluted']) if (key in probe) found.push(`Object.prototype.${key}`);
  return found;
}

// ---------------------------------------------------------------------------------------------------
// Rows

export interface DefaultIds {
  box: string[];
  kit: string[];
  keyboard: string[];
  keycap: string[];
  file: string[];
}

/** The default (seed) catalogue as it is now: what an ordinary user can never change. */
export async function defaultIds(stack: Stack): Promise<DefaultIds> {
  const db = stack.keyboards.db;
  const nobody = { where: { ownerId: null }, select: { id: true } };
  const [box, kit, keyboard, file] = await Promise.all([
    db.box.findMany(nobody),
    db.kit.findMany(nobody),
    db.keyboard.findMany(nobody),
    db.storedFile.findMany(nobody),
  ]);
  const keycap = await db.keycap.findMany({ where: { kitId: { in: kit.map((k) => k.id) } }, select: { id: true } });
  const ids = (rows: { id: string }[]) => rows.map((row) => row.id).sort();
  return { box: ids(box), kit: ids(kit), keyboard: ids(keyboard), keycap: ids(keycap), file: ids(file) };
}

export type Snapshot = Record<string, Record<string, unknown>[]>;

const plain = (rows: object[]): Record<string, unknown>[] => JSON.parse(JSON.stringify(rows)) as Record<string, unknown>[];

/**
 * Every row the requests could touch: the given users' accounts, roles, sessions, refresh tokens, codes
 * and emails, their boxes, kits, keycaps, keyboards and files, and the default catalogue (by id).
 */
export async function snapshotRows(
  stack: Stack,
  userIds: string[],
  defaults: DefaultIds,
  emailDomain = 'fuzz.invalid',
): Promise<Snapshot> {
  const kb = stack.keyboards.db;
  const us = stack.users.db;
  const owned = { where: { ownerId: { in: userIds } }, orderBy: { id: 'asc' as const } };
  const byId = (ids: string[]) => ({ where: { id: { in: ids } }, orderBy: { id: 'asc' as const } });
  const [
    boxes,
    kits,
    keyboards,
    files,
    defaultBoxes,
    defaultKits,
    defaultKeyboards,
    defaultKeycaps,
    defaultFiles,
    switches,
    boxTypes,
  ] = await Promise.all([
    kb.box.findMany(owned),
    kb.kit.findMany(owned),
    kb.keyboard.findMany(owned),
    kb.storedFile.findMany(owned),
    kb.box.findMany(byId(defaults.box)),
    kb.kit.findMany(byId(defaults.kit)),
    kb.keyboard.findMany(byId(defaults.keyboard)),
    kb.keycap.findMany(byId(defaults.keycap)),
    kb.storedFile.findMany(byId(defaults.file)),
    kb.switch.findMany({ orderBy: { id: 'asc' } }),
    kb.boxType.findMany({ orderBy: { id: 'asc' } }),
  ]);
  const keycaps = await kb.keycap.findMany({ where: { kitId: { in: kits.map((kit) => kit.id) } }, orderBy: { id: 'asc' } });
  const users = await us.user.findMany({ where: { id: { in: userIds } }, orderBy: { id: 'asc' } });
  const emails = users.map((user) => user.email);
  const [roles, sessions, codes] = await Promise.all([
    us.userRole.findMany({ where: { userId: { in: userIds } }, orderBy: [{ userId: 'asc' }, { roleName: 'asc' }] }),
    us.session.findMany({
      where: { userId: { in: userIds } },
      orderBy: { id: 'asc' },
      include: { tokens: { orderBy: { tokenHash: 'asc' } } },
    }),
    us.verificationCode.findMany({
      where: { OR: [{ userId: { in: userIds } }, { email: { in: emails } }, { email: { endsWith: `@${emailDomain}` } }] },
      orderBy: { id: 'asc' },
    }),
  ]);
  const outbox = await us.$queryRaw<{ id: string; payload: unknown }[]>`
    SELECT id::text, payload FROM outbox
     WHERE payload->>'to' = ANY(${emails}) OR payload->>'to' LIKE ${`%@${emailDomain}`} OR payload->>'userId' = ANY(${userIds})
     ORDER BY id`;
  return {
    boxes: plain(boxes),
    kits: plain(kits),
    keycaps: plain(keycaps),
    keyboards: plain(keyboards),
    files: plain(files),
    defaultBoxes: plain(defaultBoxes),
    defaultKits: plain(defaultKits),
    defaultKeyboards: plain(defaultKeyboards),
    defaultKeycaps: plain(defaultKeycaps),
    defaultFiles: plain(defaultFiles),
    switches: plain(switches),
    boxTypes: plain(boxTypes),
    users: plain(users.map(({ passwordHash, ...user }) => ({ ...user, passwordHash: passwordHash ? 'set' : null }))),
    roles: plain(roles),
    sessions: plain(sessions),
    codes: plain(codes),
    outbox: plain(outbox),
  };
}

/** The differences between two snapshots: rows added or removed, and for a changed row the columns that changed. */
export function diffSnapshots(before: Snapshot, after: Snapshot, only?: string[]): string[] {
  const lines: string[] = [];
  const key = (row: Record<string, unknown>) =>
    String(row.id ?? row.tokenHash ?? `${String(row.userId)}/${String(row.roleName)}`);
  for (const table of only ?? Object.keys(before)) {
    const was = new Map((before[table] ?? []).map((row) => [key(row), row]));
    const now = new Map((after[table] ?? []).map((row) => [key(row), row]));
    for (const [id, row] of was) {
      const current = now.get(id);
      if (!current) lines.push(`${table}: removed ${JSON.stringify(row).slice(0, 300)}`);
      else {
        const columns = [...new Set([...Object.keys(row), ...Object.keys(current)])].filter(
          (column) =>
            JSON.stringify(row[column]) !== JSON.stringify(current[column]) &&
            // A concurrent seed (another run's global setup, test/import.test.ts) upserts the default
            // catalogue with the same values, which refreshes updatedAt and nothing else.
            !(column === 'updatedAt' && table.startsWith('default')),
        );
        const change = (column: string) =>
          `${column}: ${JSON.stringify(row[column])?.slice(0, 120)} → ${JSON.stringify(current[column])?.slice(0, 120)}`;
        if (columns.length) lines.push(`${table} ${id}: ${columns.map(change).join('; ')}`);
      }
    }
    for (const [id, row] of now) if (!was.has(id)) lines.push(`${table}: added ${JSON.stringify(row).slice(0, 300)}`);
  }
  return lines;
}

/** Whether the stack still answers: the gateway's health and readiness and a simple query. */
export async function stackAnswers(client: HttpClient): Promise<string[]> {
  const failures: string[] = [];
  const health = await client.send('GET', '/health', {});
  if (health.status !== 200) failures.push(`/health answered ${health.status} ${health.error ?? ''}`);
  const ready = await client.send('GET', '/ready', {});
  if (ready.status !== 200) failures.push(`/ready answered ${ready.status}: ${ready.body.toString().slice(0, 300)}`);
  const query = await client.send(
    'POST',
    '/graphql',
    { 'content-type': 'application/json' },
    '{"query":"{ boxTypes { id title } }"}',
  );
  const data = query.status === 200 ? (JSON.parse(query.body.toString()) as { data?: { boxTypes?: unknown[] } }).data : undefined;
  if (!data?.boxTypes?.length) failures.push(`a simple query answered ${query.status}: ${query.body.toString().slice(0, 300)}`);
  return failures;
}

// ---------------------------------------------------------------------------------------------------
// Setup shared by the GraphQL files

/** The ids the generators pick from: box types, switches and the default catalogue. */
export async function catalogueWorld(stack: Stack, defaults: DefaultIds, emailDomain: string): Promise<World> {
  const [boxTypes, switches] = await Promise.all([
    stack.keyboards.db.boxType.findMany({ select: { id: true } }),
    stack.keyboards.db.switch.findMany({ select: { id: true } }),
  ]);
  const none = { box: [], kit: [], keyboard: [], keycap: [] };
  return {
    boxTypeIds: boxTypes.map((row) => row.id),
    switchIds: switches.map((row) => row.id),
    defaults: { box: defaults.box, kit: defaults.kit, keyboard: defaults.keyboard, keycap: defaults.keycap.slice(0, 50) },
    victim: { ...none, upload: [] },
    mine: none,
    myUploads: { model: [], preview: [] },
    emailDomain,
  };
}

/** One visitor id for every request of a run, so that its statistics events can be removed afterwards. */
export const runVisitorId = () => `fuzz${crypto.randomUUID().replaceAll('-', '')}`;

/** Visitor ids the gateway gave out (Set-Cookie kl_vid) to requests whose own visitor id it refused. */
export const assignedVisitors = new Set<string>();

/**
 * Removes the statistics rows of a run's visitors. Call it after stack.close(): the publishers have flushed
 * by then and the consumer has stopped, so no event of the run can arrive afterwards.
 */
export async function removeRunStatistics(visitorId: string): Promise<void> {
  // The rollups hold no visitor rows: removeVisitors recomputes the days these visitors touched.
  const db = createStatsDb(TEST_DATABASES.stats);
  try {
    await removeVisitors(db, { ids: [visitorId, ...assignedVisitors] });
  } finally {
    await db.$disconnect();
  }
}

/** Sends the cases of a stream with the caller's token, the run's visitor id and a client address of their own. */
export function sender(
  client: HttpClient,
  tokens: Partial<Record<Caller, string>>,
  visitorId: string,
): (request: FuzzRequest) => Promise<Answer> {
  return (request) => {
    const headers = { ...request.headers };
    const token = tokens[request.as];
    if (token && !('authorization' in headers)) headers.authorization = `Bearer ${token}`;
    if (!('x-visitor-id' in headers)) headers['x-visitor-id'] = visitorId;
    return client.send(request.method, request.path, headers, request.body).then((answer) => {
      const cookies = answer.headers['set-cookie'] ?? [];
      for (const cookie of cookies) {
        const assigned = /^kl_vid=([A-Za-z0-9_-]+)/.exec(cookie)?.[1];
        if (assigned) assignedVisitors.add(assigned);
      }
      return answer;
    });
  };
}

/** Round-robin over several streams, so that every kind of case is in flight at any moment. */
export function interleave<T>(streams: T[][]): T[] {
  const out: T[] = [];
  const longest = Math.max(0, ...streams.map((s) => s.length));
  for (let i = 0; i < longest; i += 1) for (const stream of streams) if (i < stream.length) out.push(stream[i]!);
  return out;
}

/**
 * File download: one ~5 MB GLB, uploaded through the gateway like a user's model, then downloaded whole
 * under the same fixed load from nginx (the same bytes from disk: the baseline), from the keyboards subgraph
 * directly, and through the gateway's /files proxy.
 *
 *   npm run bench:files                                  (from the repository root)
 *   BENCH_SECONDS=20 BENCH_CONNECTIONS=50 npm run bench:files
 *
 * The stack (users, keyboards, stats subgraphs and the gateway, over the keylab_*_test databases and the test
 * file store) runs in a child process, nginx in another; both are stopped at the end and on Ctrl-C, and the
 * upload is removed again. When nginx is missing it is installed with apt-get; when that is not possible the
 * run goes on without the baseline. A benchmark, not a test: nothing here asserts on timing.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import autocannon, { type Instance } from 'autocannon';
import { contentKey, inspectFile } from '@keylab/files';
import { bigGlb } from './src/big-glb';
import { machine, percentile, positiveInt, table } from './src/common';
import { cpuSeconds } from './src/cpu';
import { ensureNginx, startNginx, type RunningNginx } from './src/nginx';
import { startBenchStack, type RunningStack } from './src/stack-process';

process.env.APOLLO_TELEMETRY_DISABLED = '1';

const FILE_BYTES = 5 * 1024 * 1024;
const RANGE = { header: 'bytes=0-1023', length: 1024 };
const MB = 1e6;

interface Target {
  name: string;
  url: string;
  /** The process tree serving it, for CPU time (the stack's process serves both the subgraph and the gateway). */
  serverPid?: number;
}

interface Row {
  target: Target;
  /** Measured seconds. */
  duration: number;
  requests: number;
  requestsPerSecond: number;
  megabytesPerSecond: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
  /** 2xx answers with fewer bytes than the file. */
  short: number;
  /** Share of one core, over the measured seconds. */
  serverCpu: number | null;
  clientCpu: number;
}

/** Everything to stop on the way out, normal or not. */
const running: { stack?: RunningStack; nginx?: RunningNginx; tmp?: string; load?: Instance } = {};
let releasing: Promise<void> | undefined;
let interrupted = false;

function release(): Promise<void> {
  return (releasing ??= (async () => {
    running.load?.stop();
    await running.nginx?.stop().catch((error: unknown) => console.error('stopping nginx failed:', error));
    await running.stack?.close().catch((error: unknown) => console.error('closing the stack failed:', error));
    if (running.tmp) await rm(running.tmp, { recursive: true, force: true });
  })());
}

for (const [signal, code] of [
  ['SIGINT', 130],
  ['SIGTERM', 143],
] as const) {
  // Once: a second Ctrl-C kills at once (the stack process then cleans up when it sees us gone).
  process.once(signal, () => {
    interrupted = true;
    console.error(`\n${signal}: stopping nginx and the stack...`);
    void release().finally(() => process.exit(code));
  });
}
// Last resort (an exit without `release`): nginx would outlive us otherwise.
process.on('exit', () => {
  running.nginx?.kill();
  if (running.tmp) rmSync(running.tmp, { recursive: true, force: true });
});

const sha256Hex = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** One GraphQL operation through the gateway as the signed-in user; throws on any error. */
async function graphql<T>(gatewayUrl: string, token: string, query: string, variables?: Record<string, unknown>): Promise<T> {
  const response = await fetch(gatewayUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const text = await response.text();
  const body = JSON.parse(text) as { data?: T; errors?: unknown[] };
  if (response.status !== 200 || body.errors?.length || !body.data) {
    throw new Error(`GraphQL got HTTP ${response.status}: ${text.slice(0, 1000)}`);
  }
  return body.data;
}

/**
 * As a user would: POST the model to /uploads/model, then attach the upload to a new box of theirs
 * (`createBox`), which makes its URL public. Answers the content key the file is served under.
 */
async function uploadAndAttach(gatewayUrl: string, token: string, glb: Buffer, sha256: string): Promise<string> {
  const origin = new URL(gatewayUrl).origin;
  const response = await fetch(`${origin}/uploads/model`, {
    method: 'POST',
    headers: { 'content-type': 'model/gltf-binary', authorization: `Bearer ${token}` },
    body: glb,
  });
  const text = await response.text();
  if (response.status !== 201) throw new Error(`the upload got HTTP ${response.status}, expected 201:\n${text.slice(0, 1000)}`);
  const answer = JSON.parse(text) as { uploadId?: string; sha256?: string; byteSize?: number };
  if (!answer.uploadId || answer.sha256 !== sha256 || answer.byteSize !== glb.length) {
    throw new Error(`unexpected upload answer: ${text.slice(0, 1000)}`);
  }
  const key = contentKey(answer.sha256, 'glb');

  const { boxTypes } = await graphql<{ boxTypes: { id: string }[] }>(gatewayUrl, token, '{ boxTypes { id } }');
  const { createBox } = await graphql<{ createBox: { box: { model: { url: string } | null } } }>(
    gatewayUrl,
    token,
    'mutation ($input: CreateBoxInput!) { createBox(input: $input) { box { model { url } } } }',
    { input: { title: 'Bench file download', boxTypeId: boxTypes[0]!.id, modelUploadId: answer.uploadId } },
  );
  // The URL names the configured public origin; the gateway under test is on a free port.
  const path = createBox.box.model && new URL(createBox.box.model.url).pathname;
  if (path !== `/files/${key}`) throw new Error(`the box's model URL is ${createBox.box.model?.url}, expected …/files/${key}`);
  return key;
}

/**
 * Before any load: a whole GET (200, Content-Length, ETag, the very bytes) and a Range GET (206, the first
 * KiB). Answers a one-line summary; throws when the target does not serve the file right.
 */
async function checkTarget(target: Target, glb: Buffer, sha256: string): Promise<string> {
  const fail = (message: string) => new Error(`${target.name}: ${message} (${target.url})`);
  let whole: Response;
  let part: Response;
  try {
    whole = await fetch(target.url);
  } catch (error) {
    throw fail(`the GET failed: ${(error as Error).message}`);
  }
  const body = Buffer.from(await whole.arrayBuffer());
  const length = whole.headers.get('content-length');
  const etag = whole.headers.get('etag');
  if (whole.status !== 200) throw fail(`the GET got HTTP ${whole.status}, expected 200: ${body.toString('utf8', 0, 300)}`);
  if (length !== String(glb.length)) throw fail(`Content-Length ${length}, expected ${glb.length}`);
  if (!etag) throw fail('no ETag');
  if (sha256Hex(body) !== sha256) throw fail('the GET answered other bytes than the ones uploaded');
  try {
    part = await fetch(target.url, { headers: { range: RANGE.header } });
  } catch (error) {
    throw fail(`the Range GET failed: ${(error as Error).message}`);
  }
  const partBody = Buffer.from(await part.arrayBuffer());
  const contentRange = part.headers.get('content-range');
  if (part.status !== 206) throw fail(`${RANGE.header} got HTTP ${part.status}, expected 206`);
  if (contentRange !== `bytes 0-${RANGE.length - 1}/${glb.length}` || !partBody.equals(glb.subarray(0, RANGE.length))) {
    throw fail(`${RANGE.header} answered Content-Range ${contentRange} and ${partBody.length} bytes`);
  }
  return `200 ${length} B, ETag ${etag}, ${whole.headers.get('content-type')}; ${RANGE.header} -> 206 ${contentRange}`;
}

let bodiesKept = false;

/**
 * autocannon keeps every response body as a string for `verifyBody`/`expectBody` (neither used here):
 * `body += chunk`, decoding each chunk as UTF-8. For 5 MB binary bodies that work alone caps the load
 * generator near 120 MB/s, whatever the server. Each connection's queue gets a no-op instead.
 */
function discardBodies(client: unknown): void {
  const queue = (client as { pipelinedRequests?: { addBody?: unknown } }).pipelinedRequests;
  if (queue && typeof queue.addBody === 'function') queue.addBody = () => {};
  else bodiesKept = true;
}

async function load(url: string, seconds: number, connections: number, fileBytes: number) {
  const latencies: number[] = [];
  let bytes = 0;
  let short = 0;
  const instance = autocannon({ url, method: 'GET', connections, duration: seconds, setupClient: discardBodies });
  running.load = instance;
  // autocannon's own histogram keeps whole milliseconds; record the exact times instead.
  instance.on('response', (_client, status, responseBytes, ms) => {
    latencies.push(ms);
    bytes += responseBytes;
    if (status >= 200 && status < 300 && responseBytes < fileBytes) short++;
  });
  const result = await instance;
  running.load = undefined;
  // Stopped by a signal: go no further, the handler exits once everything is released.
  if (interrupted) await new Promise<never>(() => {});
  return { result, bytes, short, latencies: Float64Array.from(latencies).sort() };
}

async function measure(target: Target, seconds: number, warmUpSeconds: number, connections: number, fileBytes: number) {
  process.stdout.write(`  ${target.name}: warm-up ${warmUpSeconds} s, `);
  await load(target.url, warmUpSeconds, connections, fileBytes);
  process.stdout.write(`measuring ${seconds} s... `);
  const serverBefore = target.serverPid ? cpuSeconds(target.serverPid) : null;
  const clientBefore = process.cpuUsage();
  const { result, bytes, short, latencies } = await load(target.url, seconds, connections, fileBytes);
  const client = process.cpuUsage(clientBefore);
  const serverAfter = target.serverPid ? cpuSeconds(target.serverPid) : null;
  const row: Row = {
    target,
    duration: result.duration,
    requests: latencies.length,
    requestsPerSecond: latencies.length / result.duration,
    megabytesPerSecond: bytes / MB / result.duration,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    errors: result.errors,
    non2xx: result.non2xx,
    short,
    serverCpu: serverBefore !== null && serverAfter !== null ? (serverAfter - serverBefore) / result.duration : null,
    clientCpu: (client.user + client.system) / 1e6 / result.duration,
  };
  process.stdout.write(`${row.megabytesPerSecond.toFixed(0)} MB/s\n`);
  return row;
}

async function main(): Promise<void> {
  const seconds = positiveInt('BENCH_SECONDS', 10);
  const connections = positiveInt('BENCH_CONNECTIONS', 10);
  const warmUpSeconds = 2;
  const inProcess = process.env.BENCH_IN_PROCESS === '1';

  console.log('KeyLab file download benchmark');
  console.log(`machine:  ${machine()}`);
  console.log(
    `settings: ${seconds} s per target after a ${warmUpSeconds} s warm-up, ${connections} connections, no pipelining, ` +
      `GET of the whole file; stack ${inProcess ? 'in the benchmark process' : 'in a child process'}`,
  );

  const started = Date.now();
  const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
  // The stack starts in its own process while the model is made here and nginx is looked for.
  const stackStarting = startBenchStack(inProcess).then((stack) => (running.stack = stack));
  const nginxFound = ensureNginx((line) => console.log(line));
  // Awaited below; until then a failure must not count as unhandled.
  stackStarting.catch(() => undefined);
  let exitCode = 0;
  try {
    const glb = await bigGlb(FILE_BYTES);
    const inspected = await inspectFile(glb, 'model');
    const sha256 = inspected.sha256;
    console.log(
      `model:    ${glb.length} B GLB, ${inspected.model!.vertexCount} vertices, ${inspected.model!.triangleCount} triangles, sha256 ${sha256.slice(0, 12)}…`,
    );
    const stack = await stackStarting;
    console.log(`stack up after ${elapsed()}`);

    const gatewayOrigin = new URL(stack.gatewayUrl).origin;
    const uploadStarted = Date.now();
    const key = await uploadAndAttach(stack.gatewayUrl, stack.token, glb, sha256);
    console.log(
      `uploaded: POST ${gatewayOrigin}/uploads/model and createBox in ${Date.now() - uploadStarted} ms; served at /files/${key}`,
    );

    const targets: Target[] = [];
    const nginxPath = await nginxFound;
    if ('path' in nginxPath) {
      const tmp = (running.tmp = await mkdtemp(join(tmpdir(), 'keylab-bench-nginx-')));
      const www = join(tmp, 'www');
      const file = join(www, 'files', key);
      mkdirSync(dirname(file), { recursive: true });
      await writeFile(file, glb);
      const nginx = (running.nginx = await startNginx(nginxPath.path, tmp, www));
      console.log(`nginx:    ${nginx.version} (${nginxPath.path}) on ${nginx.origin}, serving a copy from ${www}`);
      targets.push({ name: 'nginx, from disk', url: `${nginx.origin}/files/${key}`, serverPid: nginx.pid });
    } else {
      console.log(`nginx:    NOT AVAILABLE, no baseline this run. ${nginxPath.reason}`);
    }
    const serverPid = inProcess ? undefined : stack.pid;
    targets.push(
      { name: 'keyboards subgraph, direct', url: `${new URL(stack.keyboardsUrl).origin}/files/${key}`, serverPid },
      { name: 'via gateway', url: `${gatewayOrigin}/files/${key}`, serverPid },
    );
    console.log('\nchecks:');
    for (const target of targets) console.log(`  ${target.name}: ${await checkTarget(target, glb, sha256)}`);

    console.log('\nload:');
    const rows: Row[] = [];
    for (const target of targets) rows.push(await measure(target, seconds, warmUpSeconds, connections, glb.length));

    const percent = (share: number | null) => (share === null ? 'n/a' : `${(share * 100).toFixed(0)}%`);
    console.log(`\nGET /files/${key} (${(glb.length / MB).toFixed(2)} MB), MB = 10^6 bytes\n`);
    console.log(
      table(
        ['target', 'req/s', 'MB/s', 'p50 ms', 'p99 ms', 'errors', 'non-2xx', 'short', 'server CPU', 'bench CPU'],
        rows.map((row) => [
          row.target.name,
          row.requestsPerSecond.toFixed(1),
          row.megabytesPerSecond.toFixed(0),
          row.p50.toFixed(1),
          row.p99.toFixed(1),
          String(row.errors),
          String(row.non2xx),
          String(row.short),
          percent(row.serverCpu),
          percent(row.clientCpu),
        ]),
      ),
    );
    if (bodiesKept) {
      console.log(
        '\nWARNING: this autocannon keeps response bodies (no pipelinedRequests.addBody to replace): it limits the figures.',
      );
    }
    console.log(
      '\nserver CPU: the serving process tree (nginx master and worker; the stack process, which runs the gateway and\n' +
        'every subgraph, for both of the others; Postgres not included). bench CPU: this process, autocannon' +
        (inProcess ? ' and the whole stack' : '') +
        ' (GC and\nthread-pool threads included). 100% = one core busy.',
    );

    const byName = (name: string) => rows.find((row) => row.target.name === name);
    const nginxRow = byName('nginx, from disk');
    const direct = byName('keyboards subgraph, direct')!;
    const viaGateway = byName('via gateway')!;
    const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}x`;
    console.log('\nthroughput ratios (MB/s):');
    if (nginxRow) {
      console.log(`  gateway / nginx  ${ratio(viaGateway.megabytesPerSecond, nginxRow.megabytesPerSecond)}`);
      console.log(`  direct / nginx   ${ratio(direct.megabytesPerSecond, nginxRow.megabytesPerSecond)}`);
    } else {
      console.log('  (no nginx baseline)');
    }
    console.log(`  gateway / direct ${ratio(viaGateway.megabytesPerSecond, direct.megabytesPerSecond)}`);
    if (direct.serverCpu !== null && viaGateway.serverCpu !== null) {
      const perRequest = (row: Row) => ((row.serverCpu! * row.duration * 1000) / Math.max(1, row.requests)).toFixed(1);
      console.log(
        `\nserver CPU per download: direct ${perRequest(direct)} ms, via gateway ${perRequest(viaGateway)} ms` +
          (nginxRow?.serverCpu != null ? `, nginx ${perRequest(nginxRow)} ms` : ''),
      );
    }
  } catch (error) {
    console.error(`\nbenchmark aborted: ${(error as Error).message}`);
    exitCode = 1;
    // A stack still starting is closed as soon as it is up.
    await stackStarting.catch(() => undefined);
  } finally {
    await release();
  }
  console.log(`\ndone in ${elapsed()}`);
  process.exit(exitCode);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

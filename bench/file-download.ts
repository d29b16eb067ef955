/**
 * File download: one ~5 MB GLB, uploaded through the gateway like a user's model, then downloaded whole under the
 * same fixed load from nginx alone (the same bytes from disk: the baseline), behind nginx as docker compose serves
 * it (docker/nginx/keylab.conf: the keyboards subgraph answers X-Accel-Redirect, nginx sends the bytes), from the
 * keyboards subgraph directly, and through the gateway's /files proxy (the Node path of `npm start`).
 *
 *   npm run bench:files                                  (from the repository root)
 *   BENCH_SECONDS=20 BENCH_CONNECTIONS=50 npm run bench:files
 *
 * The gateway and each subgraph run in a process of their own, as `npm start` runs them (src/deployed-stack.ts),
 * beside them a second keyboards process with FILES_ACCEL_REDIRECT for nginx, and each nginx in another; the upload is
 * removed again. When nginx is missing it is installed with apt-get, or the run goes on without the nginx targets.
 * A benchmark, not a test.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { contentKey, inspectFile } from '@keylab/files';
import { TEST_FILES_DIR } from '@keylab/test-support';
import { freePort, waitFor } from '@keylab/testing';
import { bigGlb } from './src/big-glb';
import { machine, positiveInt, table } from './src/common';
import { killOnExit, stopProcess } from './src/child-process';
import { msPerRequest, readCpu, type CpuReadings } from './src/cpu';
import { startDeployedStack, type DeployedStack } from './src/deployed-stack';
import { gatewayProof, type Sign } from './src/gateway-proof';
import { queryData } from './src/graphql';
import { bodiesKept, figures, runLoad, type Figures, type LoadResult } from './src/http-load';
import { summarizeProfile, type ProfileSummary } from './src/cpu-profile';
import { ensureNginx, startKeylabNginx, startNginx } from './src/nginx';
import { profileProcess } from './src/process-profile';
import { closeAtEnd, elapsed, runBenchmark } from './src/run';

const FILE_BYTES = 5 * 1024 * 1024;
const RANGE = { header: 'bytes=0-1023', length: 1024 };
const MB = 1e6;
const WARM_UP_SECONDS = 2;
const ACCEL_PREFIX = '/internal-files/';
const KEYBOARDS_DIR = fileURLToPath(new URL('../subgraphs/keyboards', import.meta.url));
const ACCEL_LOG = fileURLToPath(new URL('../.data/bench/logs/keyboards-accel.log', import.meta.url));
const TARGETS = {
  nginx: 'nginx alone, from disk',
  proxied: 'nginx + X-Accel-Redirect',
  direct: 'keyboards subgraph, direct',
  gateway: 'via gateway (Node)',
} as const;

interface Target {
  name: string;
  url: string;
  /** The processes serving it, by name, for CPU time (through the gateway: the gateway and the keyboards subgraph). */
  servers: Record<string, number>;
  /** Straight to the subgraph: every request gets a fresh gateway proof, as the gateway's /files proxy signs its own. */
  sign?: Sign;
  /** The ETag it must answer (ours is the file's SHA-256; nginx alone makes its own). */
  etag?: string;
}

interface Row extends Figures {
  target: Target;
  seconds: number;
  errors: number;
  /** 2xx answers with fewer bytes than the file. */
  short: number;
  /** Shares of one core over the measured seconds: each server by name, `bench`, `machine`. */
  cpu: CpuReadings;
  /** All the servers together. */
  serverCpu: number | null;
}

/** As a user would: POST the model to /uploads/model, then attach it to a new box of theirs, which makes it public. */
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

  const signedIn = { authorization: `Bearer ${token}` };
  const { data } = await queryData<{ boxTypes: { id: string }[] }>('boxTypes', gatewayUrl, signedIn, '{ boxTypes { id } }');
  const input = { title: 'Bench file download', boxTypeId: data.boxTypes[0]!.id, modelUploadId: answer.uploadId };
  const created = await queryData<{ createBox: { box: { model: { url: string } | null } } }>(
    'createBox',
    gatewayUrl,
    signedIn,
    'mutation ($input: CreateBoxInput!) { createBox(input: $input) { box { model { url } } } }',
    { input },
  );
  // The URL names the configured public origin; the gateway under test is on a free port.
  const url = created.data.createBox.box.model?.url;
  if (!url || new URL(url).pathname !== `/files/${key}`)
    throw new Error(`the box's model URL is ${url}, expected …/files/${key}`);
  return key;
}

/** Before any load: a whole GET (200, Content-Length, ETag, the very bytes) and a Range GET (206, the first KiB). */
async function checkTarget(target: Target, glb: Buffer): Promise<string> {
  const fail = (message: string) => new Error(`${target.name}: ${message} (${target.url})`);
  const get = async (headers: Record<string, string> = {}) => {
    const response = await fetch(target.url, { headers: target.sign?.(headers) ?? headers }).catch((error: Error) => {
      throw fail(`the GET failed: ${error.message}`);
    });
    return { response, body: Buffer.from(await response.arrayBuffer()), header: (name: string) => response.headers.get(name) };
  };
  const whole = await get();
  const length = whole.header('content-length');
  if (whole.response.status !== 200)
    throw fail(`the GET got HTTP ${whole.response.status}, expected 200: ${whole.body.toString('utf8', 0, 300)}`);
  if (length !== String(glb.length)) throw fail(`Content-Length ${length}, expected ${glb.length}`);
  if (!whole.header('etag')) throw fail('no ETag');
  if (target.etag && whole.header('etag') !== target.etag) throw fail(`ETag ${whole.header('etag')}, expected ${target.etag}`);
  if (whole.header('x-accel-redirect')) throw fail('the X-Accel-Redirect header reached the client');
  if (!whole.body.equals(glb)) throw fail('the GET answered other bytes than the ones uploaded');
  const part = await get({ range: RANGE.header });
  const contentRange = part.header('content-range');
  if (part.response.status !== 206) throw fail(`${RANGE.header} got HTTP ${part.response.status}, expected 206`);
  if (contentRange !== `bytes 0-${RANGE.length - 1}/${glb.length}` || !part.body.equals(glb.subarray(0, RANGE.length))) {
    throw fail(`${RANGE.header} answered Content-Range ${contentRange} and ${part.body.length} bytes`);
  }
  return `200 ${length} B, ETag ${whole.header('etag')}, ${whole.header('content-type')}; ${RANGE.header} -> 206 ${contentRange}`;
}

/**
 * A second keyboards process beside the stack's, as compose runs it behind nginx (FILES_ACCEL_REDIRECT): the same
 * databases, files folder, keys and exchange, its own port and cache prefix; its output to .data/bench/logs.
 */
async function startAccelKeyboards(stack: DeployedStack): Promise<{ url: string; pid: number; close(): Promise<void> }> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  mkdirSync(dirname(ACCEL_LOG), { recursive: true });
  const log = openSync(ACCEL_LOG, 'w');
  const env = {
    NODE_ENV: stack.nodeEnv,
    LOG_LEVEL: 'warn',
    HOST: '127.0.0.1',
    PORT: String(port),
    GATEWAY_SECRET: stack.gatewaySecret,
    APOLLO_TELEMETRY_DISABLED: '1',
    DATABASE_URL: stack.databaseUrls.keyboards,
    JWKS_URL: stack.jwksUrl,
    FILES_DIR: TEST_FILES_DIR,
    FILES_PUBLIC_URL: stack.filesPublicUrl,
    FILE_URL_SECRET: randomBytes(32).toString('base64url'),
    CACHE_PREFIX: `bench-${randomUUID()}`,
    STATS_EXCHANGE: stack.statsExchange,
    FILES_ACCEL_REDIRECT: ACCEL_PREFIX,
  };
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: KEYBOARDS_DIR,
    env: { ...process.env, ...env },
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  killOnExit(child);
  const ready = async () => {
    if (child.exitCode !== null) throw new Error(`exited (${child.exitCode}): ${readFileSync(ACCEL_LOG, 'utf8').slice(-2000)}`);
    return (await fetch(`${url}/ready`).catch(() => null))?.ok === true;
  };
  try {
    await waitFor(ready, 100_000);
  } catch (error) {
    await stopProcess(child);
    throw new Error(`the keyboards process with X-Accel-Redirect: ${(error as Error).message}`);
  }
  return { url, pid: child.pid!, close: () => stopProcess(child) };
}

interface Slice {
  result: LoadResult;
  before: CpuReadings;
  after: CpuReadings;
}

async function loadSlice(target: Target, seconds: number, connections: number): Promise<Slice> {
  const cpu = () => readCpu(target.servers);
  const before = cpu();
  const result = await runLoad({ url: target.url, connections, seconds, discardBodies: true, sign: target.sign });
  return { result, before, after: cpu() };
}

/** A target's slices together: every answer over all their seconds, and each reading's CPU over the same seconds. */
function rowOf(target: Target, slices: Slice[], fileBytes: number): Row {
  const seconds = slices.reduce((sum, slice) => sum + slice.result.seconds, 0);
  const answers = slices.flatMap((slice) => slice.result.answers);
  const used = (name: string) => {
    const each = slices.map(({ before, after }) =>
      before[name] == null || after[name] == null ? null : after[name]! - before[name]!,
    );
    return each.includes(null) ? null : each.reduce((sum: number, value) => sum + value!, 0) / seconds;
  };
  const cpu: CpuReadings = {
    ...Object.fromEntries(Object.keys(slices[0]!.after).map((name) => [name, used(name)])),
    bench: used('bench')!,
    machine: used('machine')!,
  };
  const servers = Object.keys(target.servers).map((name) => cpu[name] ?? null);
  return {
    target,
    seconds,
    errors: slices.reduce((sum, slice) => sum + slice.result.errors, 0),
    ...figures(answers, seconds),
    short: answers.filter((answer) => answer.status >= 200 && answer.status < 300 && answer.bytes < fileBytes).length,
    cpu,
    serverCpu: servers.includes(null) ? null : servers.reduce((sum: number, share) => sum + share!, 0),
  };
}

/**
 * Each target warmed up, then loaded in `slices` alternating slices (A, B, C, D, A, B, ...) of `seconds / slices`, so
 * that whatever else comes and goes on the machine weighs on all alike.
 */
async function measureAll(
  targets: Target[],
  seconds: number,
  slices: number,
  connections: number,
  fileBytes: number,
): Promise<Row[]> {
  for (const target of targets) {
    process.stdout.write(`  warm-up ${WARM_UP_SECONDS} s: ${target.name}\n`);
    await loadSlice(target, WARM_UP_SECONDS, connections);
  }
  const loaded = new Map<Target, Slice[]>(targets.map((target) => [target, []]));
  for (let slice = 1; slice <= slices; slice += 1) {
    for (const target of targets) {
      const done = await loadSlice(target, seconds / slices, connections);
      loaded.get(target)!.push(done);
      const mbPerSecond = done.result.answers.reduce((sum, answer) => sum + answer.bytes, 0) / MB / done.result.seconds;
      process.stdout.write(`  slice ${slice}/${slices}, ${target.name}: ${mbPerSecond.toFixed(0)} MB/s\n`);
    }
  }
  return targets.map((target) => rowOf(target, loaded.get(target)!, fileBytes));
}

/**
 * Where the Node path's CPU goes: the gateway's and the keyboards subgraph's processes sampled (one every 500 µs) over
 * one more load through the gateway, by package and by function, per download. Profiles in .data/bench.
 */
async function profileNodePath(target: Target, seconds: number, connections: number): Promise<void> {
  const dir = fileURLToPath(new URL('../.data/bench/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  const profiles = [];
  for (const [name, pid] of Object.entries(target.servers)) {
    profiles.push({
      name,
      path: `${dir}files-${name}.cpuprofile`,
      ...(await profileProcess(pid, seconds * 1000 + 500, `${dir}files-${name}.cpuprofile`)),
    });
  }
  const result = await runLoad({ url: target.url, connections, seconds, discardBodies: true, sign: target.sign });
  const downloads = Math.max(1, result.answers.length);
  const perDownload = (ms: number) => (ms / downloads).toFixed(3);
  for (const { name, path, done } of profiles) {
    const summary: ProfileSummary = summarizeProfile(await done);
    console.log(`\nprofile of ${name} (${path}), ${downloads} downloads: busy ${perDownload(summary.busyMs)} ms per download`);
    console.log(
      table(
        ['package', 'self ms', 'on stack ms'],
        summary.categories.slice(0, 10).map((entry) => [entry.category, perDownload(entry.selfMs), perDownload(entry.onStackMs)]),
      ),
    );
    console.log(
      table(
        ['function (self)', 'where', 'self ms', 'total ms'],
        summary.functions
          .slice(0, 12)
          .map((entry) => [
            entry.name.slice(0, 48),
            entry.location.slice(-56),
            perDownload(entry.selfMs),
            perDownload(entry.totalMs),
          ]),
      ),
    );
  }
}

runBenchmark(async () => {
  const seconds = positiveInt('BENCH_SECONDS', 10);
  const connections = positiveInt('BENCH_CONNECTIONS', 10);
  const slices = positiveInt('BENCH_SLICES', 2);
  const profile = process.env.BENCH_PROFILE === '1';
  console.log('KeyLab file download benchmark');
  console.log(`machine:  ${machine()}`);
  console.log(
    `settings: ${seconds} s per target in ${slices} alternating slices after a ${WARM_UP_SECONDS} s warm-up, ` +
      `${connections} connections, no pipelining, ` +
      'GET of the whole file; gateway, users, keyboards and stats each in its own process, the load generator in this one',
  );

  // The stack starts in its own processes while the model is made here and nginx is looked for.
  const stackStarting = closeAtEnd('the stack', startDeployedStack());
  const nginxFound = ensureNginx((line) => console.log(line));
  const glb = await bigGlb(FILE_BYTES);
  const { sha256, model } = await inspectFile(glb, 'model');
  console.log(
    `model:    ${glb.length} B GLB, ${model!.vertexCount} vertices, ${model!.triangleCount} triangles, sha256 ${sha256.slice(0, 12)}…`,
  );
  const stack = await stackStarting;
  console.log(`stack up after ${elapsed()} (NODE_ENV=${stack.nodeEnv})`);

  const gatewayOrigin = new URL(stack.gatewayUrl).origin;
  const uploadStarted = Date.now();
  const key = await uploadAndAttach(stack.gatewayUrl, stack.token, glb, sha256);
  console.log(
    `uploaded: POST ${gatewayOrigin}/uploads/model and createBox in ${Date.now() - uploadStarted} ms; served at /files/${key}`,
  );

  const targets: Target[] = [];
  const etag = `"${sha256}"`;
  const { gateway, keyboards } = stack.pids;
  const nginxPath = await nginxFound;
  if ('path' in nginxPath) {
    const nginx = await closeAtEnd('nginx', startNginx(nginxPath.path, { [`files/${key}`]: glb }));
    console.log(`nginx:    ${nginx.version} (${nginxPath.path}) on ${nginx.origin}, serving a copy from ${nginx.root}`);
    targets.push({ name: TARGETS.nginx, url: `${nginx.origin}/files/${key}`, servers: { nginx: nginx.pid } });
    const accel = await closeAtEnd('the keyboards process with X-Accel-Redirect', startAccelKeyboards(stack));
    const proxied = await closeAtEnd(
      'nginx in front',
      startKeylabNginx(nginxPath.path, { gateway: gatewayOrigin, keyboards: accel.url, filesDir: TEST_FILES_DIR }),
    );
    console.log(
      `in front: docker/nginx/keylab.conf on ${proxied.origin}: /files to the keyboards process on ${accel.url} ` +
        `(FILES_ACCEL_REDIRECT=${ACCEL_PREFIX}), the rest to the gateway`,
    );
    targets.push({
      name: TARGETS.proxied,
      url: `${proxied.origin}/files/${key}`,
      servers: { nginx: proxied.pid, keyboards: accel.pid },
      etag,
    });
  } else {
    console.log(`nginx:    NOT AVAILABLE, no nginx targets this run. ${nginxPath.reason}`);
  }
  targets.push(
    {
      name: TARGETS.direct,
      url: `${new URL(stack.subgraphUrls.keyboards).origin}/files/${key}`,
      servers: { keyboards },
      sign: gatewayProof(stack.gatewaySecret),
      etag,
    },
    { name: TARGETS.gateway, url: `${gatewayOrigin}/files/${key}`, servers: { gateway, keyboards }, etag },
  );
  console.log('\nchecks:');
  for (const target of targets) console.log(`  ${target.name}: ${await checkTarget(target, glb)}`);

  console.log('\nload:');
  const rows = await measureAll(targets, seconds, slices, connections, glb.length);

  const mbPerSecond = (row: Row) => row.bytes / MB / row.seconds;
  const percent = (share: number | null) => (share === null ? 'n/a' : `${(share * 100).toFixed(0)}%`);
  console.log(`\nGET /files/${key} (${(glb.length / MB).toFixed(2)} MB), MB = 10^6 bytes\n`);
  console.log(
    table(
      ['target', 'req/s', 'MB/s', 'p50 ms', 'p99 ms', 'errors', 'non-2xx', 'short', 'server CPU', 'bench CPU', 'machine'],
      rows.map((row) => [
        row.target.name,
        row.perSecond.toFixed(1),
        mbPerSecond(row).toFixed(0),
        ...[row.p50, row.p99].map((ms) => ms.toFixed(1)),
        ...[row.errors, row.non2xx, row.short].map(String),
        ...[row.serverCpu, row.cpu.bench, row.cpu.machine].map(percent),
      ]),
    ),
  );
  if (bodiesKept) {
    console.log(
      '\nWARNING: this autocannon keeps response bodies (no pipelinedRequests.addBody to replace): it limits the figures.',
    );
  }
  console.log(
    '\nserver CPU: the serving processes (nginx master and worker; behind nginx, nginx and the keyboards process that\n' +
      'answers X-Accel-Redirect; the keyboards subgraph; through the gateway the gateway and the keyboards subgraph;\n' +
      'Postgres not included). bench CPU: this process, autocannon (GC and thread-pool threads included). machine: every\n' +
      'process (200% on two cores). 100% = one core busy. summary: `proxied` is the production layout (nginx + X-Accel-Redirect), `gateway` the Node path.',
  );

  const byName = (name: string) => rows.find((row) => row.target.name === name);
  const [nginxRow, proxied, direct, viaGateway] = [TARGETS.nginx, TARGETS.proxied, TARGETS.direct, TARGETS.gateway].map(byName);
  const ratio = (a: Row | undefined, b: Row | undefined) => (a && b ? `${(mbPerSecond(a) / mbPerSecond(b)).toFixed(2)}x` : 'n/a');
  const perDownload = (row: Row, share: number | null | undefined) =>
    msPerRequest(share, row.seconds, row.requests)?.toFixed(1) ?? 'n/a';
  const servers = (row: Row) => {
    const names = Object.keys(row.target.servers);
    return names.length > 1 ? ` (${names.map((name) => `${name} ${perDownload(row, row.cpu[name])}`).join(' + ')})` : '';
  };
  console.log('\nserver CPU per download (ms):');
  for (const row of rows) console.log(`  ${row.target.name.padEnd(26)} ${perDownload(row, row.serverCpu)}${servers(row)}`);

  if (profile && viaGateway) {
    console.log(`\nprofiling the Node path (${TARGETS.gateway}) over ${seconds} s more of the same load:`);
    await profileNodePath(viaGateway.target, seconds, connections);
  }

  console.log('\nsummary:');
  console.log(`gateway vs nginx: ${ratio(viaGateway, nginxRow)}`);
  console.log(`proxied vs nginx: ${ratio(proxied, nginxRow)}`);
  console.log(`direct vs nginx: ${ratio(direct, nginxRow)}`);
  console.log(`gateway vs direct: ${ratio(viaGateway, direct)}`);
  for (const [label, row] of [
    ['nginx', nginxRow],
    ['proxied', proxied],
    ['direct', direct],
    ['gateway', viaGateway],
  ] as const) {
    if (!row) continue;
    console.log(`${label} MB/s: ${mbPerSecond(row).toFixed(0)}`);
    console.log(`${label} server cpu ms per download: ${perDownload(row, row.serverCpu)}`);
  }
});

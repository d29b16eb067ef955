/**
 * File download: one ~5 MB GLB, uploaded through the gateway like a user's model, then downloaded whole
 * under the same fixed load from nginx (the same bytes from disk: the baseline), from the keyboards subgraph
 * directly, and through the gateway's /files proxy.
 *
 *   npm run bench:files                                  (from the repository root)
 *   BENCH_SECONDS=20 BENCH_CONNECTIONS=50 npm run bench:files
 *
 * The stack runs in a child process, nginx in another; the upload is removed again. When nginx is missing it is
 * installed with apt-get, or the run goes on without the baseline. A benchmark, not a test.
 */
import { contentKey, inspectFile } from '@keylab/files';
import { bigGlb } from './src/big-glb';
import { machine, positiveInt, table } from './src/common';
import { cpuShares, readCpu } from './src/cpu';
import { gatewayProof, type Sign } from './src/gateway-proof';
import { queryData } from './src/graphql';
import { afterWarmUp, bodiesKept, figures, runLoad, type Figures } from './src/http-load';
import { ensureNginx, startNginx } from './src/nginx';
import { closeAtEnd, elapsed, runBenchmark } from './src/run';
import { startBenchStack } from './src/stack-process';

const FILE_BYTES = 5 * 1024 * 1024;
const RANGE = { header: 'bytes=0-1023', length: 1024 };
const MB = 1e6;
const WARM_UP_SECONDS = 2;

interface Target {
  name: string;
  url: string;
  /** The process tree serving it, for CPU time (the stack's process serves both the subgraph and the gateway). */
  serverPid?: number;
  /** Straight to the subgraph: every request gets a fresh gateway proof, as the gateway's /files proxy signs its own. */
  sign?: Sign;
}

interface Row extends Figures {
  target: Target;
  seconds: number;
  errors: number;
  /** 2xx answers with fewer bytes than the file. */
  short: number;
  /** Shares of one core over the measured seconds. */
  serverCpu: number | null;
  clientCpu: number;
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
  if (!whole.body.equals(glb)) throw fail('the GET answered other bytes than the ones uploaded');
  const part = await get({ range: RANGE.header });
  const contentRange = part.header('content-range');
  if (part.response.status !== 206) throw fail(`${RANGE.header} got HTTP ${part.response.status}, expected 206`);
  if (contentRange !== `bytes 0-${RANGE.length - 1}/${glb.length}` || !part.body.equals(glb.subarray(0, RANGE.length))) {
    throw fail(`${RANGE.header} answered Content-Range ${contentRange} and ${part.body.length} bytes`);
  }
  return `200 ${length} B, ETag ${whole.header('etag')}, ${whole.header('content-type')}; ${RANGE.header} -> 206 ${contentRange}`;
}

async function measure(target: Target, seconds: number, connections: number, fileBytes: number): Promise<Row> {
  const cpu = () => readCpu({ server: target.serverPid });
  const { result, before, after } = await afterWarmUp(target.name, WARM_UP_SECONDS, seconds, async (seconds) => {
    const before = cpu();
    const result = await runLoad({ url: target.url, connections, seconds, discardBodies: true, sign: target.sign });
    return { result, before, after: cpu() };
  });
  const shares = cpuShares(before, after, result.seconds);
  const short = result.answers.filter((answer) => answer.status >= 200 && answer.status < 300 && answer.bytes < fileBytes).length;
  const row: Row = {
    target,
    seconds: result.seconds,
    errors: result.errors,
    ...figures(result.answers, result.seconds),
    short,
    serverCpu: shares.server ?? null,
    clientCpu: shares.bench,
  };
  process.stdout.write(`${(row.bytes / MB / row.seconds).toFixed(0)} MB/s\n`);
  return row;
}

runBenchmark(async () => {
  const seconds = positiveInt('BENCH_SECONDS', 10);
  const connections = positiveInt('BENCH_CONNECTIONS', 10);
  const inProcess = process.env.BENCH_IN_PROCESS === '1';
  console.log('KeyLab file download benchmark');
  console.log(`machine:  ${machine()}`);
  console.log(
    `settings: ${seconds} s per target after a ${WARM_UP_SECONDS} s warm-up, ${connections} connections, no pipelining, ` +
      `GET of the whole file; stack ${inProcess ? 'in the benchmark process' : 'in a child process'}`,
  );

  // The stack starts in its own process while the model is made here and nginx is looked for.
  const stackStarting = closeAtEnd('the stack', startBenchStack(inProcess));
  const nginxFound = ensureNginx((line) => console.log(line));
  const glb = await bigGlb(FILE_BYTES);
  const { sha256, model } = await inspectFile(glb, 'model');
  console.log(
    `model:    ${glb.length} B GLB, ${model!.vertexCount} vertices, ${model!.triangleCount} triangles, sha256 ${sha256.slice(0, 12)}…`,
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
    const nginx = await closeAtEnd('nginx', startNginx(nginxPath.path, { [`files/${key}`]: glb }));
    console.log(`nginx:    ${nginx.version} (${nginxPath.path}) on ${nginx.origin}, serving a copy from ${nginx.root}`);
    targets.push({ name: 'nginx, from disk', url: `${nginx.origin}/files/${key}`, serverPid: nginx.pid });
  } else {
    console.log(`nginx:    NOT AVAILABLE, no baseline this run. ${nginxPath.reason}`);
  }
  const serverPid = inProcess ? undefined : stack.pid;
  targets.push(
    {
      name: 'keyboards subgraph, direct',
      url: `${new URL(stack.subgraphUrls.keyboards).origin}/files/${key}`,
      serverPid,
      sign: gatewayProof(stack.gatewaySecret),
    },
    { name: 'via gateway', url: `${gatewayOrigin}/files/${key}`, serverPid },
  );
  console.log('\nchecks:');
  for (const target of targets) console.log(`  ${target.name}: ${await checkTarget(target, glb)}`);

  console.log('\nload:');
  const rows: Row[] = [];
  for (const target of targets) rows.push(await measure(target, seconds, connections, glb.length));

  const mbPerSecond = (row: Row) => row.bytes / MB / row.seconds;
  const percent = (share: number | null) => (share === null ? 'n/a' : `${(share * 100).toFixed(0)}%`);
  console.log(`\nGET /files/${key} (${(glb.length / MB).toFixed(2)} MB), MB = 10^6 bytes\n`);
  console.log(
    table(
      ['target', 'req/s', 'MB/s', 'p50 ms', 'p99 ms', 'errors', 'non-2xx', 'short', 'server CPU', 'bench CPU'],
      rows.map((row) => [
        row.target.name,
        row.perSecond.toFixed(1),
        mbPerSecond(row).toFixed(0),
        ...[row.p50, row.p99].map((ms) => ms.toFixed(1)),
        ...[row.errors, row.non2xx, row.short].map(String),
        ...[row.serverCpu, row.clientCpu].map(percent),
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
  const ratio = (a: Row, b: Row) => `${(mbPerSecond(a) / mbPerSecond(b)).toFixed(2)}x`;
  console.log('\nthroughput ratios (MB/s):');
  if (nginxRow) {
    console.log(`  gateway / nginx  ${ratio(viaGateway, nginxRow)}`);
    console.log(`  direct / nginx   ${ratio(direct, nginxRow)}`);
  } else {
    console.log('  (no nginx baseline)');
  }
  console.log(`  gateway / direct ${ratio(viaGateway, direct)}`);
  if (direct.serverCpu !== null && viaGateway.serverCpu !== null) {
    const perRequest = (row: Row) => ((row.serverCpu! * row.seconds * 1000) / Math.max(1, row.requests)).toFixed(1);
    console.log(
      `\nserver CPU per download: direct ${perRequest(direct)} ms, via gateway ${perRequest(viaGateway)} ms` +
        (nginxRow?.serverCpu != null ? `, nginx ${perRequest(nginxRow)} ms` : ''),
    );
  }
});

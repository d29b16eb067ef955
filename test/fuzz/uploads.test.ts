/**
 * Fuzzing the upload endpoints through the gateway (POST /uploads/model|preview|sound): truncated and
 * lying GLB files, decompression bombs, wrong magic bytes, oversize and empty bodies, wrong content
 * types, odd multipart bodies, bad credentials and paths, and HTTP bodies whose length lies. Every answer
 * must be a 4xx with a reason (413 past a limit), never a 5xx; nothing may be stored, nothing left in
 * the temporary folder. Replay: FUZZ_SEED=<seed> (printed with every failure), FUZZ_CASE=<n> for one case.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdir, rm, stat } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REJECT_REASONS } from '@keylab/files';
import { startStack, type Stack, type TestUser } from '@keylab/test-support';
import { clientAddress, sample } from './generators';
import {
  ONLY_CASE,
  describeMemory,
  httpClient,
  interleave,
  keptLogs,
  pool,
  replayHint,
  scaled,
  stackAnswers,
  watchMemory,
  type Answer,
  type HttpClient,
  type MemoryFigures,
} from './harness';
import * as up from './upload-generators';

const FILE = 'test/fuzz/uploads.test.ts';
const UPLOAD_CONCURRENCY = 6;
/** Every reason of the upload route, not_found of the download route, and why a token was refused. */
const REASONS = new Set<string>([...REJECT_REASONS, 'not_found', 'TOKEN_INVALID', 'TOKEN_EXPIRED', 'TOKEN_REVOKED']);
const LEAKS = /PrismaClient|node_modules|\/work\/|\n\s+at |ENOENT|EACCES|\/tmp\//;

let stack: Stack;
let user: TestUser;
let client: HttpClient;
let port = 0;
const logs = keptLogs();
let memory: MemoryFigures | undefined;
const counts = new Map<string, Map<number, number>>();
const accepted: { family: string; uploadId: string }[] = [];
/** Empty temporary files that clients leaving mid-body left behind (the known race), removed by the test. */
let leakedTempFiles = 0;

beforeAll(async () => {
  stack = await startStack({ logger: logs.logger });
  user = await stack.createUser();
  const origin = new URL(stack.gatewayUrl);
  port = Number(origin.port);
  client = httpClient(origin.origin, UPLOAD_CONCURRENCY);
});

afterAll(async () => {
  const lines = [...counts.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(
      ([family, statuses]) =>
        `  ${family.padEnd(16)} ${[...statuses.entries()]
          .sort(([a], [b]) => a - b)
          .map(([status, n]) => `${status}×${n}`)
          .join(' ')}`,
    );
  const total = [...counts.values()].reduce((sum, statuses) => sum + [...statuses.values()].reduce((a, b) => a + b, 0), 0);
  if (total) {
    console.log(
      [
        `[fuzz] ${FILE}: ${total} requests`,
        ...lines,
        `  accepted (valid files the fuzz happened to make): ${accepted.length}`,
        `  empty temporary files left by aborted uploads (known race, removed): ${leakedTempFiles}`,
        memory ? `  memory: ${describeMemory(memory)}` : '',
      ]
        .filter(Boolean)
        .join('\n'),
    );
  }
  client?.close();
  if (stack) await stack.keyboards.db.storedFile.deleteMany({ where: { ownerId: user?.id } });
  await stack?.close();
});

function count(family: string, status: number) {
  const statuses = counts.get(family) ?? new Map<number, number>();
  statuses.set(status, (statuses.get(status) ?? 0) + 1);
  counts.set(family, statuses);
}

/** A body written while it is sent: `head`, then `fill` bytes up to `size`. */
function streamed(body: up.StreamedBody): Readable {
  let sent = 0;
  const chunk = Buffer.alloc(64 * 1024, body.fill ?? 0x41);
  return new Readable({
    read() {
      if (sent === 0 && body.head) {
        sent += body.head.length;
        this.push(body.head);
        return;
      }
      if (sent >= body.size) {
        this.push(null);
        return;
      }
      const n = Math.min(chunk.length, body.size - sent);
      sent += n;
      this.push(n === chunk.length ? chunk : chunk.subarray(0, n));
    },
  });
}

function send(c: up.UploadCase): Promise<Answer> {
  const headers: Record<string, string> = { 'x-forwarded-for': clientAddress(), ...c.headers };
  if (c.as === 'user' && !('authorization' in headers)) headers.authorization = `Bearer ${user.token}`;
  if (c.body === undefined || c.body instanceof Uint8Array) return client.send(c.method, c.path, headers, c.body, 60_000);
  if (c.body.declared) headers['content-length'] = String(c.body.size);
  return client.send(c.method, c.path, headers, streamed(c.body), 60_000);
}

/** What is wrong with an answer to an upload case (nothing: []). */
function check(c: up.UploadCase, answer: Answer): string[] {
  const problems: string[] = [];
  if (answer.status === 0) return [`no answer: ${answer.error}`];
  if (answer.status >= 500) problems.push(`HTTP ${answer.status}`);
  if (answer.status === 201 && !c.mayAccept) problems.push('accepted');
  if (answer.status !== 201 && !c.statuses.includes(answer.status))
    problems.push(`HTTP ${answer.status}, expected ${c.statuses.join(' or ')}`);
  const type = String(answer.headers['content-type'] ?? '');
  if (!type.includes('json')) {
    // Only routes that do not exist answer with something else (Express's own 404 page).
    if (answer.status !== 404 && c.method !== 'HEAD') problems.push(`a ${type || 'typeless'} answer`);
    return problems;
  }
  let json: { uploadId?: string; error?: { code?: string; reason?: string; message?: string } };
  try {
    json = JSON.parse(answer.body.toString('utf8')) as typeof json;
  } catch {
    return [...problems, 'a JSON content type with a body that is not JSON'];
  }
  if (answer.status === 201) {
    if (!json.uploadId) problems.push('201 without an uploadId');
    else accepted.push({ family: c.family, uploadId: json.uploadId });
    return problems;
  }
  const error = json.error;
  if (!error?.code || !['BAD_USER_INPUT', 'UNAUTHENTICATED', 'NOT_FOUND', 'FORBIDDEN', 'RATE_LIMITED'].includes(error.code))
    problems.push(`error code ${error?.code}`);
  if (!error?.message || LEAKS.test(error.message)) problems.push(`message ${JSON.stringify(error?.message)}`);
  if (error?.code === 'BAD_USER_INPUT' || error?.reason) {
    if (!error.reason || !REASONS.has(error.reason)) problems.push(`reason ${error.reason}`);
    else if (c.reasons && !c.reasons.includes(error.reason))
      problems.push(`reason ${error.reason}, expected ${c.reasons.join(' or ')}`);
  }
  if (answer.status === 413 && error?.reason !== 'too_large') problems.push('413 without too_large');
  return problems;
}

const describeCase = (c: up.UploadCase) => {
  const body =
    c.body === undefined
      ? ''
      : c.body instanceof Uint8Array
        ? `${c.body.byteLength} bytes ${Buffer.from(c.body.subarray(0, 32)).toString('hex')}`
        : `${c.body.size} bytes streamed (${c.body.declared ? 'with' : 'without'} Content-Length)`;
  const headers = Object.entries(c.headers).map(([name, value]) => `${name}: ${value.slice(0, 100)}`);
  return `${c.family} ${c.method} ${c.path.slice(0, 120)} as ${c.as} [${headers.join('; ')}] ${body}`;
};

async function uploadTempFiles(): Promise<string[]> {
  return (await readdir(tmpdir())).filter((name) => name.startsWith('keylab-upload-'));
}

/** Sha256 content keys a rejected body would be stored under, were it stored. */
function contentKeys(c: up.UploadCase): string[] {
  if (!(c.body instanceof Uint8Array) || c.body.byteLength === 0) return [];
  const sha = createHash('sha256').update(c.body).digest('hex');
  const extensions = c.path.endsWith('/model') ? ['glb'] : c.path.endsWith('/sound') ? ['mp3', 'ogg', 'wav'] : ['webp'];
  return extensions.map((extension) => `sha256/${sha.slice(0, 2)}/${sha}.${extension}`);
}

describe('generated uploads through the gateway', () => {
  it('refuses hostile uploads with a 4xx and a reason (413 past the limits), stores nothing and leaves no temporary file', async () => {
    const db = stack.keyboards.db;
    const rowsBefore = await db.storedFile.count({ where: { ownerId: user.id } });
    const tempBefore = new Set(await uploadTempFiles());
    const boundary = 'fuzz-boundary-7d1f';
    const cases = interleave<up.UploadCase>([
      sample(up.modelCases(), scaled(160), 'models'),
      sample(up.previewCases(), scaled(110), 'previews'),
      sample(up.soundCases(), scaled(60), 'sounds'),
      sample(up.contentTypeCases(), scaled(50), 'upload-types'),
      sample(up.multipartCases(), scaled(90), 'multipart'),
      sample(up.authCases(), scaled(30), 'auth'),
      sample(up.pathCases(), scaled(40), 'paths'),
      up.sizeCases(boundary),
      await up.bombCases(),
    ]);
    const chosen = ONLY_CASE === undefined ? cases : [cases[ONLY_CASE]!];
    const findings: string[] = [];
    const rejected: up.UploadCase[] = [];

    const watch = watchMemory();
    await pool(chosen, UPLOAD_CONCURRENCY, async (c, i) => {
      const answer = await send(c);
      count(c.family, answer.status);
      const problems = check(c, answer);
      if (answer.status !== 201) rejected.push(c);
      if (problems.length && findings.length < 30) {
        findings.push(
          `#${ONLY_CASE ?? i} ${problems.join(', ')}\n  request: ${describeCase(c)}\n  answer: ${answer.status} ${answer.body.toString().slice(0, 400)}`,
        );
      }
    });
    memory = watch.stop();

    expect(findings, `unexpected answers (${replayHint(FILE)}):\n${findings.join('\n')}`).toEqual([]);
    // Stored: exactly the uploads answered 201 (check() allows 201 only where a fuzzed file may happen to be valid).
    expect(await db.storedFile.count({ where: { ownerId: user.id } })).toBe(rowsBefore + accepted.length);
    // No rejected body is in storage (unless the same bytes were accepted, or are a valid fixture stored by others).
    const acceptedShas = new Set(
      (await db.storedFile.findMany({ where: { id: { in: accepted.map((a) => a.uploadId) } }, select: { sha256: true } })).map(
        (row) => row.sha256,
      ),
    );
    const valid = createHash('sha256').update(up.triangleGlb()).digest('hex');
    const stored: string[] = [];
    for (const c of rejected) {
      for (const key of contentKeys(c)) {
        const sha = key.split('/')[2]!.split('.')[0]!;
        if (sha === valid || acceptedShas.has(sha)) continue;
        if (await stack.keyboards.storage.exists(key)) stored.push(`${key} (${describeCase(c)})`);
      }
    }
    expect(stored, 'rejected bodies found in storage').toEqual([]);
    // Temporary files go before the answer; allow a moment for other test files' uploads in flight.
    let left: string[] = [];
    for (let i = 0; i < 20; i += 1) {
      left = (await uploadTempFiles()).filter((name) => !tempBefore.has(name));
      if (!left.length) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(left, 'temporary upload files left behind').toEqual([]);
  }, 240_000);

  it('answers HTTP bodies whose length lies, broken chunking and smuggling attempts without a 5xx, storing nothing', async () => {
    const before = await stack.keyboards.db.storedFile.count({ where: { ownerId: user.id } });
    const tempBefore = new Set(await uploadTempFiles());
    const auth = `Authorization: Bearer ${user.token}\r\n`;
    const head = (extra: string) =>
      `POST /uploads/model HTTP/1.1\r\nHost: 127.0.0.1\r\n${auth}Content-Type: model/gltf-binary\r\n${extra}`;
    const junk = 'glTF\x02\x00\x00\x00' + 'J'.repeat(92);
    const cases: { name: string; chunks: string[]; pauseMs?: number; end?: boolean }[] = [
      {
        name: 'Content-Length larger than the body, then the client goes',
        chunks: [head('Content-Length: 1000\r\n\r\n'), junk.slice(0, 10)],
        end: true,
      },
      { name: 'Content-Length smaller than the body', chunks: [head('Content-Length: 10\r\n\r\n') + junk] },
      { name: 'negative Content-Length', chunks: [head('Content-Length: -1\r\n\r\n') + junk] },
      { name: 'two Content-Lengths', chunks: [head('Content-Length: 10\r\nContent-Length: 100\r\n\r\n') + junk] },
      {
        name: 'Content-Length and chunked',
        chunks: [head('Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n') + '4\r\nglTF\r\n0\r\n\r\n'],
      },
      { name: 'bad chunk size', chunks: [head('Transfer-Encoding: chunked\r\n\r\n') + 'zz\r\nglTF\r\n0\r\n\r\n'] },
      { name: 'chunk longer than said', chunks: [head('Transfer-Encoding: chunked\r\n\r\n') + '2\r\nglTF\x02\x00\r\n0\r\n\r\n'] },
      { name: 'chunked, never finished', chunks: [head('Transfer-Encoding: chunked\r\n\r\n') + '4\r\nglTF\r\n'], end: true },
      {
        name: 'slow body, then gone',
        chunks: [head('Content-Length: 100\r\n\r\n'), 'g', 'l', 'T', 'F'],
        pauseMs: 150,
        end: true,
      },
      { name: 'header with a bare CR', chunks: [head('X-Evil: a\rb\r\nContent-Length: 4\r\n\r\n') + 'glTF'] },
      { name: 'obsolete line folding', chunks: [head('X-Folded: a\r\n b\r\nContent-Length: 4\r\n\r\n') + 'glTF'] },
      {
        name: 'two uploads pipelined on one connection',
        chunks: [head('Content-Length: 4\r\n\r\n') + 'glTF' + head('Content-Length: 4\r\n\r\n') + 'nope'],
      },
    ];
    const results: string[] = [];
    for (const c of cases) {
      const statuses = await new Promise<number[]>((resolve) => {
        const socket = connect(port, '127.0.0.1');
        let received = '';
        const done = () => resolve([...received.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => Number(m[1])));
        socket.setEncoding('latin1');
        socket.on('data', (data: string) => (received += data));
        socket.on('error', () => undefined);
        socket.on('close', done);
        setTimeout(() => socket.destroy(), 3_000);
        void (async () => {
          for (const chunk of c.chunks) {
            socket.write(chunk, 'latin1');
            if (c.pauseMs) await new Promise((r) => setTimeout(r, c.pauseMs));
          }
          if (c.end) socket.end();
        })();
      });
      for (const status of statuses) count('http-lies', status);
      if (statuses.some((status) => status >= 500 || status === 201)) results.push(`${c.name}: ${statuses.join(', ')}`);
    }
    expect(results, replayHint(FILE)).toEqual([]);
    expect(await stack.keyboards.db.storedFile.count({ where: { ownerId: user.id } })).toBe(before);
    // A client that leaves mid-body sometimes leaves an empty temporary file behind (the skipped race test
    // below): remove those this test made (empty, new, and still there 2 s later), and count them.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    for (const name of (await uploadTempFiles()).filter((file) => !tempBefore.has(file))) {
      const path = join(tmpdir(), name);
      const info = await stat(path).catch(() => undefined);
      if (info?.size === 0 && Date.now() - info.mtimeMs > 1_500) {
        await rm(path, { force: true });
        leakedTempFiles += 1;
      }
    }
  }, 60_000);

  it('leaves the stack answering and the heap bounded', async () => {
    expect(await stackAnswers(client)).toEqual([]);
    expect(memory, 'the upload run did not finish').toBeDefined();
    expect(memory!.endMb - memory!.startMb, describeMemory(memory!)).toBeLessThan(memory!.gc ? 300 : 600);
  });
});

describe('bugs found by fuzzing (each fails until fixed)', () => {
  // Found by the `glb-json` family: the Khronos validator (gltf-validator, compiled from Dart) parses the JSON
  // chunk recursively; from about 10,000 levels of nesting (a 20 kB file) it overflows its stack in a callback
  // of its own, outside the promise that validateGlb (packages/files/src/inspect-model.ts) awaits. Nothing
  // catches it: the process dies with exit code 1. Through the gateway this is one POST /uploads/model by any
  // signed-in user: the keyboards service exits (in this test process: an uncaught exception, an upload that
  // never answers and a temporary file left behind). The probe runs inspectFile, as the upload route does.
  it('refuses a GLB whose JSON nests 10,000 levels deep as gltf_invalid instead of killing the process', () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'test/fuzz/validator-probe.ts', '10000'], {
      cwd: new URL('../..', import.meta.url).pathname,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(result.status, result.stderr.split('\n').slice(0, 3).join('\n')).toBe(0);
    expect(JSON.parse(result.stdout.trim())).toMatchObject({ outcome: 'refused', reason: 'gltf_invalid' });
  });

  // Found by the `path` family: the download route of the catalogue (subgraphs/keyboards/src/http/files-routes.ts,
  // serveRouter's resolve) looks the key up in PostgreSQL without checking it (isValidKey); a U+0000 in it
  // fails there with 22021 and the answer is 500 INTERNAL instead of 404.
  it('answers GET /files/%00 with 404, not 500', async () => {
    const answer = await client.send('GET', '/files/%00', {});
    expect(answer.status).toBe(404);
  });

  // Found by the `http-lies` cases: when the client went away right as the body started, the upload settled
  // before its temporary file had finished opening, and the open created the file after it was removed.
  // receive.ts now waits for the file to close; 200 aborted uploads here leave nothing behind.
  it('leaves no temporary file when the client half-closes in the middle of the body', async () => {
    const before = new Set(await uploadTempFiles());
    const request = `POST /uploads/model HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${user.token}\r\nContent-Type: model/gltf-binary\r\nContent-Length: 1000\r\n\r\n`;
    for (let attempt = 0; attempt < 200; attempt += 1) {
      await new Promise<void>((resolve) => {
        const socket = connect(port, '127.0.0.1');
        socket.on('error', () => undefined);
        socket.on('close', () => resolve());
        socket.resume();
        socket.write(request);
        socket.write('glTF\x02\x00\x00\x00JJ', 'latin1');
        socket.end();
      });
    }
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect((await uploadTempFiles()).filter((name) => !before.has(name))).toEqual([]);
  });
});

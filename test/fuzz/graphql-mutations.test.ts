/**
 * Fuzzing every mutation through the gateway, anonymously and signed in as an ordinary user.
 *
 * First a rejected-only batch: each request carries at least one ingredient that must make it fail
 * (a foreign or missing id, a title out of bounds, an upload that is not the caller's, no password...),
 * the rest is hostile; every answer must be a refusal below 500 with a public code, and not one row of
 * the accounts involved or of the default catalogue may change. Then a mixed batch where anything goes
 * for the caller's own data, after which the other user's rows and the default catalogue must still be
 * as they were. Replay: FUZZ_SEED=<seed> (printed with every failure), FUZZ_CASE=<n> for one case.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack, type TestUser } from '@keylab/test-support';
import * as gen from './generators';
import {
  CONCURRENCY,
  ONLY_CASE,
  Tally,
  catalogueWorld,
  defaultIds,
  describeMemory,
  diffSnapshots,
  httpClient,
  interleave,
  keptLogs,
  pollutionCheck,
  pool,
  removeRunStatistics,
  replayHint,
  runVisitorId,
  scaled,
  sender,
  snapshotRows,
  stackAnswers,
  watchMemory,
  type DefaultIds,
  type HttpClient,
  type MemoryFigures,
} from './harness';
import { png, triangleGlb } from './upload-generators';

const FILE = 'test/fuzz/graphql-mutations.test.ts';
/** Requests this file sends at least (with graphql-queries.test.ts: more than 10,000). */
const MINIMUM = scaled(5_000);
const EMAIL_DOMAIN = `fuzz-${crypto.randomUUID().slice(0, 8)}.invalid`;

let stack: Stack;
/** The fuzzing user. */
let user: TestUser;
/** Another ordinary user whose items the fuzzing user names. */
let victim: TestUser;
/** A user whose sessions the mixed batch may end (signOut, signOutEverywhere). */
let spare: TestUser;
let client: HttpClient;
let defaults: DefaultIds;
let world: gen.World;
const logs = keptLogs();
const visitorId = runVisitorId();
const tally = new Tally(FILE, logs);
const memory: MemoryFigures[] = [];
let started = 0;

async function upload(token: string, kind: 'model' | 'preview', body: Uint8Array): Promise<string> {
  const answer = await client.send(
    'POST',
    `/uploads/${kind}`,
    { 'content-type': kind === 'model' ? 'model/gltf-binary' : 'image/png', authorization: `Bearer ${token}` },
    body,
  );
  const json = JSON.parse(answer.body.toString()) as { uploadId?: string };
  if (answer.status !== 201 || !json.uploadId) throw new Error(`upload refused: ${answer.status} ${answer.body.toString()}`);
  return json.uploadId;
}

type Made = { box: string; kit: string; keyboard: string; keycaps: string[] };

/** A box, a kit and a keyboard of the owner of `token`, through the gateway like any client. */
async function makeItems(token: string, label: string): Promise<Made> {
  const [boxTypeId, switchId] = [world.boxTypeIds[0]!, world.switchIds[0]!];
  const answer = await stack.graphql<{
    createBox: { box: { id: string } };
    createKit: { kit: { id: string; keycaps: { nodes: { id: string }[] } } };
    createKeyboard: { keyboard: { id: string } };
  }>(
    `mutation ($box: CreateBoxInput!, $kit: CreateKitInput!, $keyboard: CreateKeyboardInput!) {
      createBox(input: $box) { box { id } }
      createKit(input: $kit) { kit { id keycaps(first: 5) { nodes { id } } } }
      createKeyboard(input: $keyboard) { keyboard { id } }
    }`,
    {
      token,
      variables: {
        box: { title: `${label} box`, boxTypeId },
        kit: { title: `${label} kit`, boxTypeId },
        keyboard: { title: `${label} keyboard`, boxTypeId, switchId },
      },
    },
  );
  if (answer.errors) throw new Error(JSON.stringify(answer.errors));
  const data = answer.data!;
  return {
    box: data.createBox.box.id,
    kit: data.createKit.kit.id,
    keyboard: data.createKeyboard.keyboard.id,
    keycaps: data.createKit.kit.keycaps.nodes.map((node) => node.id),
  };
}

beforeAll(async () => {
  stack = await startStack({ logger: logs.logger });
  [user, victim, spare] = await Promise.all([stack.createUser(), stack.createUser(), stack.createUser()]);
  client = httpClient(new URL(stack.gatewayUrl).origin);
  defaults = await defaultIds(stack);
  world = await catalogueWorld(stack, defaults, EMAIL_DOMAIN);
  const [theirs, mine] = await Promise.all([makeItems(victim.token, 'Victim'), makeItems(user.token, 'Fuzzer')]);
  const [victimUpload, myModel, myPreview] = await Promise.all([
    upload(victim.token, 'model', triangleGlb()),
    upload(user.token, 'model', triangleGlb()),
    upload(user.token, 'preview', png(2, 2)),
  ]);
  world.victim = {
    box: [theirs.box],
    kit: [theirs.kit],
    keyboard: [theirs.keyboard],
    keycap: theirs.keycaps,
    upload: [victimUpload],
  };
  world.mine = { box: [mine.box], kit: [mine.kit], keyboard: [mine.keyboard], keycap: mine.keycaps };
  world.myUploads = { model: [myModel], preview: [myPreview] };
});

afterAll(async () => {
  if (tally.sent) {
    console.log(
      tally.report([
        ...memory.map((m, i) => `  memory (${i ? 'mixed' : 'rejected-only'}): ${describeMemory(m)}`),
        `  time from the first request: ${Date.now() - started} ms`,
      ]),
    );
  }
  await tally.dump();
  client?.close();
  if (stack) {
    const owners = { ownerId: { in: [user?.id, victim?.id, spare?.id].filter(Boolean) } };
    const db = stack.keyboards.db;
    await db.keyboard.deleteMany({ where: owners });
    await db.box.deleteMany({ where: owners });
    await db.kit.deleteMany({ where: owners });
    await db.storedFile.deleteMany({ where: owners });
    await stack.users.db.verificationCode.deleteMany({ where: { email: { endsWith: `@${EMAIL_DOMAIN}` } } });
    await stack.users.db.$executeRaw`DELETE FROM outbox WHERE payload->>'to' LIKE ${`%@${EMAIL_DOMAIN}`}`;
  }
  await stack?.close();
  await removeRunStatistics(visitorId);
});

async function run(cases: gen.FuzzRequest[], onAnswer?: (request: gen.FuzzRequest, index: number, refused: boolean) => void) {
  const chosen = ONLY_CASE === undefined ? cases : [cases[ONLY_CASE]!];
  const send = sender(client, { user: user.token, spare: spare.token }, visitorId);
  const watch = watchMemory();
  await pool(chosen, CONCURRENCY, async (request, i) => {
    const index = ONLY_CASE ?? i;
    const verdict = tally.record(index, request, await send(request));
    onAnswer?.(request, index, verdict.rejected);
  });
  memory.push(watch.stop());
}

describe('generated mutations through the gateway', () => {
  it('refuses mutations that must be refused, below 500 with public codes, and changes no row', async () => {
    const accounts = [user.id, victim.id, spare.id];
    const before = await snapshotRows(stack, accounts, defaults, EMAIL_DOMAIN);
    const cases = gen.sample(gen.rejectedMutations(world), scaled(2_900), 'rejected');
    const accepted: string[] = [];
    started = Date.now();
    await run(cases, (request, index, refused) => {
      if (request.mustReject && !refused && accepted.length < 20)
        accepted.push(`#${index} ${request.field}: ${String(request.body).slice(0, 400)}`);
    });

    expect(tally.failures(), tally.failures()).toBe('');
    expect(accepted, `accepted although built to be refused (${replayHint(FILE)}):\n${accepted.join('\n')}`).toEqual([]);
    const after = await snapshotRows(stack, accounts, defaults, EMAIL_DOMAIN);
    const changes = diffSnapshots(before, after);
    expect(changes, `rows changed by refused requests (${replayHint(FILE)}):\n${changes.join('\n')}`).toEqual([]);
  }, 240_000);

  it('survives a mixed batch (anonymous and signed in, any input) without touching anyone else’s rows', async () => {
    const others = await snapshotRows(stack, [victim.id], defaults, 'no-emails.invalid');
    const ops = gen.MUTATIONS.filter((op) => !op.field.startsWith('signOut'));
    const cases = interleave([
      gen.sample(gen.variableCases(world, ops, ['anonymous', 'user', 'user'], true), scaled(1_750), 'mixed'),
      gen.sample(
        gen.variableCases(
          world,
          gen.QUERIES.filter((op) => !op.admin),
          ['user'],
          true,
        ),
        scaled(350),
        'mine',
      ),
      // Signing out for real: only the spare account, whose sessions nothing else needs.
      gen.sample(
        gen.variableCases(
          world,
          gen.MUTATIONS.filter((op) => op.field.startsWith('signOut') || op.field === 'revokeSession'),
          ['spare'],
          true,
        ),
        scaled(30),
        'spare',
      ),
    ]);
    await run(cases);

    expect(tally.failures(), tally.failures()).toBe('');
    if (ONLY_CASE === undefined) expect(tally.sent).toBeGreaterThanOrEqual(MINIMUM);
    const after = await snapshotRows(stack, [victim.id], defaults, 'no-emails.invalid');
    const changes = diffSnapshots(others, after);
    expect(changes, `another user's rows or the default catalogue changed (${replayHint(FILE)}):\n${changes.join('\n')}`).toEqual(
      [],
    );
  }, 240_000);

  it('leaves the stack answering, Object.prototype clean and the heap bounded', async () => {
    expect(await stackAnswers(client)).toEqual([]);
    expect(pollutionCheck()).toEqual([]);
    expect(memory.length, 'the fuzz batches did not finish').toBe(2);
    const first = memory[0]!;
    const last = memory.at(-1)!;
    const bound = last.gc ? 300 : 600;
    expect(last.endMb - first.startMb, describeMemory({ ...last, startMb: first.startMb })).toBeLessThan(bound);
  });
});

describe('bugs found by fuzzing (each fails until fixed)', () => {
  const boxTypeId = () => world.boxTypeIds[0]!;
  const createBox = (input: Record<string, unknown>) =>
    stack.graphql('mutation ($input: CreateBoxInput!) { createBox(input: $input) { box { id } } }', {
      token: user.token,
      variables: { input },
    });

  // items.ts validTitle trims and counts code points but lets U+0000 through; PostgreSQL refuses it in
  // text (22021) at catalogue.ts createBox (also createKit, createKeyboard and every rename): INTERNAL.
  it('refuses a title holding U+0000 with BAD_USER_INPUT on title, not INTERNAL', async () => {
    const answer = await createBox({ title: 'Fuzz\u0000box', boxTypeId: boxTypeId() });
    expect(answer.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'title' });
  });

  // validation.ts EMAIL allows U+0000 in the address; the lookup at accounts.ts signIn (and the code
  // requests, signUp, resetPassword, requestEmailChange) fails in PostgreSQL with 22021: INTERNAL.
  it('refuses an email holding U+0000 with BAD_USER_INPUT on email, not INTERNAL', async () => {
    const answer = await stack.graphql('mutation ($input: SignInInput!) { signIn(input: $input) { accessToken } }', {
      variables: { input: { email: `nul\u0000@${EMAIL_DOMAIN}`, password: 'a-long-enough-password' } },
      headers: { 'x-forwarded-for': '198.51.100.201' },
    });
    expect(answer.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'email' });
  });

  // catalogue.ts attachments() attaches modelUploadId (files.ts uploadToAttach writes attachedAt) before it
  // checks previewUploadId; a bad preview id then refuses the mutation, but the model upload stays
  // attached: a refused request changed a row, and the upload became public (served without a signed URL).
  it('leaves a model upload unattached when the same createBox is refused for its preview', async () => {
    const modelUploadId = await upload(user.token, 'model', triangleGlb());
    const answer = await createBox({
      title: 'Refused box',
      boxTypeId: boxTypeId(),
      modelUploadId,
      previewUploadId: crypto.randomUUID(),
    });
    expect(answer.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'previewUploadId' });
    const row = await stack.keyboards.db.storedFile.findUniqueOrThrow({ where: { id: modelUploadId } });
    expect(row.attachedAt).toBeNull();
  });

  // The same check lets a lone surrogate through: the code row is written, then the outbox payload (jsonb)
  // is refused by PostgreSQL ("invalid input syntax for type json", outbox.ts enqueue): INTERNAL.
  it('refuses an email holding a lone surrogate with BAD_USER_INPUT on email, not INTERNAL', async () => {
    const answer = await stack.graphql(
      'mutation ($input: RequestSignUpCodeInput!) { requestSignUpCode(input: $input) { accepted } }',
      {
        variables: { input: { email: `lone\ud800@${EMAIL_DOMAIN}` } },
        headers: { 'x-forwarded-for': '198.51.100.202' },
      },
    );
    expect(answer.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'email' });
  });
});

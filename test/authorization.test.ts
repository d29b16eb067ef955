import { buildSchema, type GraphQLObjectType } from 'graphql';
import { readFileSync } from 'node:fs';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCatalogueAssets } from '@keylab/models';
import { fromGlobalId } from '@keylab/server';
import { startStack, type Stack, type TestUser } from '@keylab/test-support';

/**
 * The authorization matrix: every mutation that needs an account and every administrator query, tried
 * anonymously, by another user against the victim's data, and with forged tokens that claim to be the
 * victim with the admin role (expired, signed by an unknown key, alg none, another audience). All are
 * refused, and nothing of the victim's (or of the default catalogue) changes.
 */

let stack: Stack;
let victim: TestUser;
let attacker: TestUser;
let trustedKey: CryptoKey;
const trustedKid = `matrix-${crypto.randomUUID()}`;
const ids: Record<string, string> = {};

const supergraph = buildSchema(readFileSync(new URL('../schema/supergraph.graphql', import.meta.url), 'utf8'));
const fieldsOf = (type: string) => Object.keys((supergraph.getType(type) as GraphQLObjectType).getFields());

/** Mutations anyone may call without an account (each is rate limited and tested on its own). */
const PUBLIC_MUTATIONS = ['requestSignUpCode', 'signUp', 'signIn', 'refreshSession', 'requestPasswordReset', 'resetPassword'];
const ADMIN_QUERIES = ['activityKinds', 'statsIntervals', 'activitySeries', 'attendanceSeries', 'statsOverview', 'statsExport'];
const PERIOD = 'from: "2025-01-01T00:00:00Z", to: "2025-01-02T00:00:00Z"';

interface Case {
  /** The document; `$` placeholders are filled when the case runs (ids exist only then). */
  document: () => string;
  /** What another signed-in user gets: FORBIDDEN or NOT_FOUND for the victim's data; null when it only ever acts on the caller. */
  asAnotherUser: 'FORBIDDEN' | 'NOT_FOUND' | null;
}

const upload = (kind: 'model' | 'preview') => ids[`${kind}Upload`]!;
const CASES: Record<string, Case> = {
  signOut: { document: () => 'mutation { signOut { endedSessions } }', asAnotherUser: null },
  signOutEverywhere: { document: () => 'mutation { signOutEverywhere { endedSessions } }', asAnotherUser: null },
  revokeSession: {
    document: () => `mutation { revokeSession(input: { sessionId: "${ids.session}" }) { endedSessions } }`,
    asAnotherUser: 'NOT_FOUND',
  },
  changeNickname: {
    document: () => 'mutation { changeNickname(input: { nickname: "hijacked" }) { user { id } } }',
    asAnotherUser: null,
  },
  changePassword: {
    document: () =>
      'mutation { changePassword(input: { currentPassword: "whatever-1", newPassword: "whatever-2" }) { user { id } } }',
    asAnotherUser: null,
  },
  requestEmailChange: {
    document: () =>
      'mutation { requestEmailChange(input: { newEmail: "thief@example.test", currentPassword: "whatever-1" }) { accepted } }',
    asAnotherUser: null,
  },
  confirmEmailChange: {
    document: () => 'mutation { confirmEmailChange(input: { code: "123456" }) { user { id } } }',
    asAnotherUser: null,
  },
  createBox: {
    document: () =>
      `mutation { createBox(input: { title: "Stolen default", boxTypeId: "${ids.boxType}", asDefault: true }) { box { id } } }`,
    asAnotherUser: 'FORBIDDEN',
  },
  renameBox: {
    document: () => `mutation { renameBox(input: { id: "${ids.box}", title: "Renamed by thief" }) { box { id } } }`,
    asAnotherUser: 'FORBIDDEN',
  },
  replaceBoxFiles: {
    document: () =>
      `mutation { replaceBoxFiles(input: { id: "${ids.box}", modelUploadId: "${upload('model')}" }) { box { id } } }`,
    asAnotherUser: 'FORBIDDEN',
  },
  deleteBox: { document: () => `mutation { deleteBox(input: { id: "${ids.box}" }) { id } }`, asAnotherUser: 'FORBIDDEN' },
  createKit: {
    document: () =>
      `mutation { createKit(input: { title: "Stolen default", boxTypeId: "${ids.boxType}", asDefault: true }) { kit { id } } }`,
    asAnotherUser: 'FORBIDDEN',
  },
  renameKit: {
    document: () => `mutation { renameKit(input: { id: "${ids.kit}", title: "Renamed by thief" }) { kit { id } } }`,
    asAnotherUser: 'FORBIDDEN',
  },
  replaceKitPreview: {
    document: () =>
      `mutation { replaceKitPreview(input: { id: "${ids.kit}", previewUploadId: "${upload('preview')}" }) { kit { id } } }`,
    asAnotherUser: 'FORBIDDEN',
  },
  replaceKeycapModel: {
    document: () =>
      `mutation { replaceKeycapModel(input: { keycapId: "${ids.keycap}", modelUploadId: "${upload('model')}" }) { keycap { id } } }`,
    asAnotherUser: 'FORBIDDEN',
  },
  deleteKit: { document: () => `mutation { deleteKit(input: { id: "${ids.kit}" }) { id } }`, asAnotherUser: 'FORBIDDEN' },
  createKeyboard: {
    document: () =>
      `mutation { createKeyboard(input: { title: "Stolen default", boxTypeId: "${ids.boxType}", switchId: "${ids.switch}", asDefault: true }) { keyboard { id } } }`,
    asAnotherUser: 'FORBIDDEN',
  },
  renameKeyboard: {
    document: () =>
      `mutation { renameKeyboard(input: { id: "${ids.keyboard}", title: "Renamed by thief" }) { keyboard { id } } }`,
    asAnotherUser: 'FORBIDDEN',
  },
  replaceKeyboardFiles: {
    document: () =>
      `mutation { replaceKeyboardFiles(input: { id: "${ids.keyboard}", previewUploadId: "${upload('preview')}" }) { keyboard { id } } }`,
    asAnotherUser: 'FORBIDDEN',
  },
  deleteKeyboard: {
    document: () => `mutation { deleteKeyboard(input: { id: "${ids.keyboard}" }) { id } }`,
    asAnotherUser: 'FORBIDDEN',
  },
  activityKinds: { document: () => '{ activityKinds { tag } }', asAnotherUser: 'FORBIDDEN' },
  statsIntervals: { document: () => '{ statsIntervals { interval } }', asAnotherUser: 'FORBIDDEN' },
  activitySeries: { document: () => `{ activitySeries(input: { ${PERIOD} }) { events } }`, asAnotherUser: 'FORBIDDEN' },
  attendanceSeries: { document: () => `{ attendanceSeries(input: { ${PERIOD} }) { visits } }`, asAnotherUser: 'FORBIDDEN' },
  statsOverview: { document: () => `{ statsOverview(input: { ${PERIOD} }) { visits } }`, asAnotherUser: 'FORBIDDEN' },
  statsExport: {
    document: () => `{ statsExport(input: { series: ATTENDANCE, ${PERIOD} }) { url } }`,
    asAnotherUser: 'FORBIDDEN',
  },
};

function token(key: CryptoKey, kid: string, options: { audience?: string; expiresAt?: number } = {}) {
  return new SignJWT({ roles: ['user', 'admin'], sid: crypto.randomUUID() })
    .setProtectedHeader({ alg: 'EdDSA', kid, typ: 'at+jwt' })
    .setSubject(victim.id)
    .setIssuer('keylab-users')
    .setAudience(options.audience ?? 'keylab')
    .setIssuedAt(options.expiresAt ? options.expiresAt - 900 : undefined)
    .setJti(crypto.randomUUID())
    .setExpirationTime(options.expiresAt ?? '5m')
    .sign(key);
}

async function forgedTokens(): Promise<Record<string, string>> {
  const stranger = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
  const unsigned = (claims: object) =>
    `${Buffer.from('{"alg":"none","typ":"at+jwt"}').toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.`;
  return {
    expired: await token(trustedKey, trustedKid, { expiresAt: Math.floor(Date.now() / 1000) - 60 }),
    'unknown key': await token(stranger.privateKey, `stranger-${crypto.randomUUID()}`),
    "another key under the real key's id": await token(stranger.privateKey, trustedKid),
    'alg none': unsigned({
      sub: victim.id,
      roles: ['user', 'admin'],
      aud: 'keylab',
      iss: 'keylab-users',
      exp: Math.floor(Date.now() / 1000) + 300,
    }),
    'another audience': await token(trustedKey, trustedKid, { audience: 'someone-else' }),
  };
}

/** Everything an attack could change: the victim's account, sessions and items, and the default catalogue. */
async function snapshot() {
  const { users, keyboards } = stack;
  const mine = { where: { ownerId: victim.id }, orderBy: { id: 'asc' as const } };
  return JSON.stringify({
    user: await users.db.user.findUnique({ where: { id: victim.id } }),
    sessions: await users.db.session.findMany({ where: { userId: victim.id }, orderBy: { id: 'asc' } }),
    boxes: await keyboards.db.box.findMany(mine),
    kits: await keyboards.db.kit.findMany(mine),
    keyboards: await keyboards.db.keyboard.findMany(mine),
    keycaps: await keyboards.db.keycap.findMany({ where: { kitId: fromGlobalId(ids.kit!)!.id }, orderBy: { id: 'asc' } }),
    defaults: [
      await keyboards.db.box.count({ where: { ownerId: null } }),
      await keyboards.db.kit.count({ where: { ownerId: null } }),
      await keyboards.db.keyboard.count({ where: { ownerId: null } }),
    ],
  });
}

async function uploadAs(user: TestUser, kind: 'model' | 'preview', body: Uint8Array, contentType: string): Promise<string> {
  const response = await fetch(`${new URL(stack.gatewayUrl).origin}/uploads/${kind}`, {
    method: 'POST',
    headers: { 'content-type': contentType, authorization: `Bearer ${user.token}` },
    body,
  });
  expect(response.status).toBe(201);
  return ((await response.json()) as { uploadId: string }).uploadId;
}

beforeAll(async () => {
  const trusted = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  trustedKey = trusted.privateKey;
  // The forged tokens that fail only for their expiry or audience are signed by a key the services trust.
  const publicJwk = { ...(await exportJWK(trusted.publicKey)), kid: trustedKid, alg: 'EdDSA' };
  stack = await startStack({ usersEnv: { JWT_PREVIOUS_PUBLIC_KEY: JSON.stringify(publicJwk) } });
  [victim, attacker] = await Promise.all([stack.createUser(), stack.createUser()]);
  const { keyboards } = stack;
  ids.boxType = (await keyboards.db.boxType.findFirstOrThrow({ where: { title: '60%' } })).id;
  ids.switch = (await keyboards.db.switch.findFirstOrThrow()).id;
  const made = await stack.graphql<{
    createBox: { box: { id: string } };
    createKit: { kit: { id: string } };
    createKeyboard: { keyboard: { id: string } };
  }>(
    `mutation ($boxType: ID!, $switch: ID!) {
      createBox(input: { title: "Victim box", boxTypeId: $boxType }) { box { id } }
      createKit(input: { title: "Victim kit", boxTypeId: $boxType }) { kit { id } }
      createKeyboard(input: { title: "Victim keyboard", boxTypeId: $boxType, switchId: $switch }) { keyboard { id } } }`,
    { variables: { boxType: ids.boxType, switch: ids.switch }, token: victim.token },
  );
  expect(made.errors).toBeUndefined();
  ids.box = made.data!.createBox.box.id;
  ids.kit = made.data!.createKit.kit.id;
  ids.keyboard = made.data!.createKeyboard.keyboard.id;
  ids.keycap = (await keyboards.db.keycap.findFirstOrThrow({ where: { kitId: fromGlobalId(ids.kit)!.id } })).id;
  ids.session = (await stack.users.db.session.findFirstOrThrow({ where: { userId: victim.id } })).id;
  // The attacker's own uploads: a replace mutation is then refused for the item alone.
  const assets = await generateCatalogueAssets({ seed: 11 });
  ids.modelUpload = await uploadAs(attacker, 'model', assets.switches['MX Red']!.glb, 'model/gltf-binary');
  ids.previewUpload = await uploadAs(attacker, 'preview', assets.switches['MX Red']!.preview, 'image/webp');
});

afterAll(async () => {
  const owners = { in: [victim?.id, attacker?.id].filter(Boolean) as string[] };
  await stack.keyboards.db.keyboard.deleteMany({ where: { ownerId: owners } });
  await stack.keyboards.db.kit.deleteMany({ where: { ownerId: owners } });
  await stack.keyboards.db.box.deleteMany({ where: { ownerId: owners } });
  await stack.keyboards.db.storedFile.deleteMany({ where: { ownerId: owners } });
  await stack?.close();
});

describe('the authorization matrix', () => {
  it('covers every mutation and every administrator query of the supergraph', () => {
    const needsAccount = fieldsOf('Mutation').filter((name) => !PUBLIC_MUTATIONS.includes(name));
    expect(Object.keys(CASES).sort()).toEqual([...needsAccount, ...ADMIN_QUERIES].sort());
    expect(ADMIN_QUERIES.every((name) => fieldsOf('Query').includes(name))).toBe(true);
  });

  it('refuses each of them anonymously, as another user and with every forged token, and nothing changes', async () => {
    const before = await snapshot();
    const forged = await forgedTokens();
    const outcomes: string[] = [];
    for (const [name, testCase] of Object.entries(CASES)) {
      const document = testCase.document();
      const anonymous = await stack.graphql(document);
      outcomes.push(`${name} anonymous: ${anonymous.errors?.[0]?.extensions?.code}`);
      expect(anonymous.errors?.[0]?.extensions?.code, `${name} anonymous`).toBe('UNAUTHENTICATED');
      expect(anonymous.data?.[name] ?? null, name).toBeNull();

      if (testCase.asAnotherUser) {
        const other = await stack.graphql(document, { token: attacker.token });
        expect(other.errors?.[0]?.extensions?.code, `${name} as another user`).toBe(testCase.asAnotherUser);
        expect(other.data?.[name] ?? null, name).toBeNull();
      }

      for (const [kind, forgedToken] of Object.entries(forged)) {
        const answer = await stack.graphql(document, { token: forgedToken });
        expect(answer.errors?.[0]?.extensions, `${name} with a token: ${kind}`).toMatchObject({
          code: 'UNAUTHENTICATED',
          reason: expect.stringMatching(/^TOKEN_(INVALID|EXPIRED)$/),
        });
        expect(answer.data?.[name] ?? null, name).toBeNull();
      }
    }
    expect(await snapshot()).toBe(before);
    expect(outcomes).toHaveLength(Object.keys(CASES).length);
  });

  it('still lets the victim do all of it (the cases are real operations, not typos)', async () => {
    const renamed = await stack.graphql(CASES.renameBox!.document().replace('Renamed by thief', 'Renamed by owner'), {
      token: victim.token,
    });
    expect(renamed.errors).toBeUndefined();
    const admin = await stack.createUser(['user', 'admin']);
    for (const name of ADMIN_QUERIES) {
      const answer = await stack.graphql(CASES[name]!.document(), { token: admin.token });
      expect(answer.errors, name).toBeUndefined();
    }
  });
});

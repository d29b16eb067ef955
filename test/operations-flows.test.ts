// docs/operations.graphql is a walk through the API for Sandbox: this runs every operation of it, in the file's
// order, through the gateway of a fresh stack, with the variables and tokens its comments tell a reader to use.
import { readFileSync } from 'node:fs';
import { Kind, parse, print, type FragmentDefinitionNode, type OperationDefinitionNode } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCatalogueAssets } from '@keylab/models';
import { startStack, type Stack, type TestUser } from '@keylab/test-support';
import { uniquePng } from '../subgraphs/keyboards/test/unique-files';

const document = parse(readFileSync(new URL('../docs/operations.graphql', import.meta.url), 'utf8'));
const fragments = document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION);
const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);

type Data = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** What the steps pass on to each other, as a reader copies values from one answer into the next step. */
interface Walk {
  run: string;
  email: string;
  newEmail: string;
  password: string;
  token?: string;
  adminToken?: string;
  boxTypeId?: string;
  switchId?: string;
  kitId?: string;
  myBoxId?: string;
  myKitId?: string;
  myKeyboardId?: string;
  secondDevice?: { sessionId: string; refreshToken: string };
  ids: string[];
}

interface Step {
  token: 'none' | 'yours' | "the admin's";
  variables?: (walk: Walk) => Promise<Record<string, unknown>> | Record<string, unknown>;
  /** Checks the answer and keeps what later steps need. */
  then?: (data: Data, walk: Walk) => void;
}

let stack: Stack;
let admin: TestUser;
const ADMIN_PASSWORD = 'the administrator of the flows test';
const period = { from: new Date(Date.now() - 86_400_000).toISOString(), to: new Date(Date.now() + 3_600_000).toISOString() };

async function upload(kind: 'model' | 'preview', body: Uint8Array, contentType: string, token: string): Promise<string> {
  const response = await fetch(`${new URL(stack.gatewayUrl).origin}/uploads/${kind}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': contentType },
    body,
  });
  expect(response.status).toBe(201);
  return ((await response.json()) as { uploadId: string }).uploadId;
}

const code = async (address: string, count: number) => (await stack.mailbox.next(address, count, 30_000)).code!;

const STEPS: Record<string, Step> = {
  Switches: {
    token: 'none',
    then: (data, walk) => {
      expect(data.switches.nodes).toHaveLength(2);
      walk.switchId = data.switches.nodes[0].id;
    },
  },
  BoxTypes: { token: 'none', then: (data, walk) => (walk.boxTypeId = data.boxTypes.find((t: Data) => t.title === '60%').id) },
  DefaultKeyboards: { token: 'none', then: (data) => expect(data.keyboards.totalCount).toBeGreaterThan(0) },
  SearchKits: {
    token: 'none',
    variables: () => ({ search: 'НАБОР' }),
    then: (data, walk) => {
      expect(data.kits.totalCount).toBeGreaterThan(0);
      walk.kitId = data.kits.nodes[0].id;
      walk.ids = [walk.kitId!, walk.switchId!, walk.boxTypeId!];
    },
  },
  NodeById: {
    token: 'none',
    variables: (walk) => ({ id: walk.kitId, ids: walk.ids }),
    then: (data, walk) => {
      expect(data.node).toMatchObject({ id: walk.kitId, __typename: 'Kit' });
      expect(data.nodes.map((n: Data) => n.__typename)).toEqual(['Kit', 'Switch', 'BoxType']);
    },
  },
  RequestSignUpCode: { token: 'none', variables: (walk) => ({ email: walk.email }) },
  SignUp: {
    token: 'none',
    variables: async (walk) => ({
      email: walk.email,
      code: await code(walk.email, 1),
      password: walk.password,
      nickname: walk.run,
    }),
    then: (data, walk) => (walk.token = data.signUp.accessToken),
  },
  Me: {
    token: 'yours',
    then: (data, walk) => {
      expect(data.me).toMatchObject({ email: walk.email, roles: ['USER'] });
      expect(data.mySessions).toHaveLength(1);
    },
  },
  CreateBox: {
    token: 'yours',
    variables: async (walk) => {
      const glb = (await generateCatalogueAssets({ seed: 3 })).switches['MX Blue']!.glb;
      const modelUploadId = await upload('model', glb, 'model/gltf-binary', walk.token!);
      return { title: `Case ${walk.run}`, boxTypeId: walk.boxTypeId, modelUploadId };
    },
    then: (data, walk) => {
      expect(data.createBox.box.model.url).toMatch(/^http/);
      walk.myBoxId = data.createBox.box.id;
    },
  },
  RenameBox: {
    token: 'yours',
    variables: (walk) => ({ boxId: walk.myBoxId, title: `Renamed ${walk.run}` }),
    then: (data, walk) => expect(data.renameBox.box.title).toBe(`Renamed ${walk.run}`),
  },
  ReplaceBoxFiles: {
    token: 'yours',
    variables: async (walk) => ({
      boxId: walk.myBoxId,
      previewUploadId: await upload('preview', uniquePng(), 'image/png', walk.token!),
    }),
    then: (data) => expect(data.replaceBoxFiles.box.preview.contentType).toBe('image/webp'),
  },
  CreateKit: {
    token: 'yours',
    variables: (walk) => ({ title: `Kit ${walk.run}`, boxTypeId: walk.boxTypeId }),
    then: (data, walk) => {
      expect(data.createKit.kit.keycaps.totalCount).toBeGreaterThan(0);
      walk.myKitId = data.createKit.kit.id;
    },
  },
  CreateKeyboard: {
    token: 'yours',
    variables: (walk) => ({ title: `Keyboard ${walk.run}`, boxTypeId: walk.boxTypeId, switchId: walk.switchId }),
    then: (data, walk) => (walk.myKeyboardId = data.createKeyboard.keyboard.id),
  },
  MyItems: {
    token: 'yours',
    then: (data) => {
      expect(data.boxes).toMatchObject({ totalCount: 1, pageInfo: { hasNextPage: false, hasPreviousPage: false } });
      expect([data.kits.totalCount, data.keyboards.totalCount]).toEqual([1, 1]);
    },
  },
  DeleteMyItems: {
    token: 'yours',
    variables: (walk) => ({ keyboardId: walk.myKeyboardId, kitId: walk.myKitId, boxId: walk.myBoxId }),
    then: (data, walk) => expect(data.deleteBox.id).toBe(walk.myBoxId),
  },
  SignIn: {
    token: 'none',
    variables: (walk) => ({ email: walk.email, password: walk.password, deviceLabel: 'Second device' }),
    then: (data, walk) => (walk.secondDevice = { sessionId: data.signIn.session.id, refreshToken: data.signIn.refreshToken }),
  },
  Refresh: {
    token: 'none',
    variables: (walk) => ({ refreshToken: walk.secondDevice!.refreshToken }),
    then: (data) => expect(data.refreshSession.refreshToken).toBeTruthy(),
  },
  RevokeSession: {
    token: 'yours',
    variables: (walk) => ({ sessionId: walk.secondDevice!.sessionId }),
    then: (data) => expect(data.revokeSession.endedSessions).toBe(1),
  },
  ChangeNickname: { token: 'yours', variables: (walk) => ({ nickname: `${walk.run}_2` }) },
  ChangePassword: {
    token: 'yours',
    variables: (walk) => ({ currentPassword: walk.password, newPassword: `${walk.password} renewed` }),
    then: (_data, walk) => (walk.password = `${walk.password} renewed`),
  },
  RequestEmailChange: { token: 'yours', variables: (walk) => ({ newEmail: walk.newEmail, currentPassword: walk.password }) },
  ConfirmEmailChange: {
    token: 'yours',
    variables: async (walk) => ({ code: await code(walk.newEmail, 1) }),
    then: (data, walk) => expect(data.confirmEmailChange.user.email).toBe(walk.newEmail),
  },
  RequestPasswordReset: { token: 'none', variables: (walk) => ({ email: walk.newEmail }) },
  ResetPassword: {
    token: 'none',
    variables: async (walk) => ({
      email: walk.newEmail,
      code: await code(walk.newEmail, 2),
      newPassword: `${walk.password} reset`,
    }),
    then: (data, walk) => (walk.token = data.resetPassword.accessToken),
  },
  SignOut: { token: 'yours', then: (data) => expect(data.signOut.endedSessions).toBe(1) },
  SignInAsAdmin: {
    token: 'none',
    variables: () => ({ email: admin.email, password: ADMIN_PASSWORD }),
    then: (data, walk) => {
      expect(data.signIn.user.roles).toContain('ADMIN');
      walk.adminToken = data.signIn.accessToken;
    },
  },
  ActivityKinds: {
    token: "the admin's",
    then: (data) => expect(data.activityKinds.map((k: Data) => k.tag)).toContain('SEE_KEYBOARD'),
  },
  Attendance: {
    token: "the admin's",
    variables: () => period,
    then: (data) => expect(data.attendanceSeries.visits).toBeGreaterThan(0),
  },
  Activity: { token: "the admin's", variables: () => period },
  Overview: {
    token: "the admin's",
    variables: () => period,
    then: (data) => expect(data.statsOverview.events).toBeGreaterThan(0),
  },
  ExportAttendance: {
    token: "the admin's",
    variables: () => period,
    then: (data) => expect(data.statsExport.url).toMatch(/^http/),
  },
};

/** The token line of an operation's comment in the file ("# Token: yours. …"). */
function tokenSaid(operation: OperationDefinitionNode, source: string): string | undefined {
  const before = source.slice(0, operation.loc!.start).trimEnd().split('\n');
  const comment = [];
  for (let line = before.length - 1; line >= 0 && before[line]!.startsWith('#'); line--) comment.unshift(before[line]);
  return /# Token: (none|yours|the admin's)/.exec(comment.join('\n'))?.[1];
}

beforeAll(async () => {
  stack = await startStack({ email: true });
  admin = await stack.createUser(['user', 'admin'], { password: ADMIN_PASSWORD });
});

afterAll(async () => {
  await stack?.users.db.user.deleteMany({ where: { email: { startsWith: 'flows-' } } });
  await stack?.close();
});

describe('docs/operations.graphql', () => {
  const source = readFileSync(new URL('../docs/operations.graphql', import.meta.url), 'utf8');

  it('says for every operation which token it needs, and each has a step here', () => {
    for (const operation of operations) {
      const name = operation.name!.value;
      expect(STEPS[name], `a step for ${name}`).toBeDefined();
      expect(tokenSaid(operation, source), `the token line of ${name}`).toBe(STEPS[name]!.token);
    }
    expect(Object.keys(STEPS)).toEqual(operations.map((operation) => operation.name!.value));
  });

  it('runs top to bottom against a fresh stack, every step without an error', async () => {
    const run = `flows_${crypto.randomUUID().slice(0, 8)}`;
    const walk: Walk = {
      run,
      email: `flows-${run}@example.com`,
      newEmail: `flows-${run}-new@example.com`,
      password: 'a long passphrase of the flows test',
      ids: [],
    };
    for (const operation of operations) {
      const name = operation.name!.value;
      const step = STEPS[name]!;
      const token = step.token === 'yours' ? walk.token : step.token === "the admin's" ? walk.adminToken : undefined;
      const text = print(operation);
      const used = fragments.filter((fragment) => text.includes(`...${fragment.name.value}`));
      const query = [text, ...used.map((fragment) => print(fragment))].join('\n');
      const answer = await stack.graphql<Data>(query, { token, variables: await step.variables?.(walk) });
      expect(answer.errors, `${name}: ${JSON.stringify(answer.errors)}`).toBeUndefined();
      step.then?.(answer.data!, walk);
    }
  });
});

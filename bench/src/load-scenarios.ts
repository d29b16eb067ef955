/** The mixed load's scenarios (`npm run bench:load`), what they read from the catalogue first, and their checks. */
import { randomBytes } from 'node:crypto';
import type { DeployedStack } from './deployed-stack';
import type { Sign } from './gateway-proof';
import { expectData, graphqlRequest, parseAnswer, queryData } from './graphql';
import type { Connection, Scenario, Step } from './mixed-load';

/** Share of the connections each scenario gets (rounded, at least one each). */
export const MIX = [
  { key: 'catalogue', name: 'catalogue browsing', weight: 65 },
  { key: 'edits', name: 'signed-in edits', weight: 15 },
  { key: 'downloads', name: 'model downloads', weight: 15 },
  { key: 'signIns', name: 'sign-ins', weight: 5 },
] as const;

const SWITCHES_PAGE = `query SwitchesPage {
  switches(first: 20) { totalCount pageInfo { hasNextPage endCursor } nodes { id title preview { url } sound { url } } }
}`;
const BOXES_PAGE = `query BoxesPage($boxTypeId: ID) {
  boxes(boxTypeId: $boxTypeId, first: 20) {
    totalCount pageInfo { hasNextPage endCursor } nodes { id title boxType { id title keyCount } preview { url } }
  }
}`;
const KEYBOARDS_PAGE = `query KeyboardsPage {
  keyboards(first: 20) {
    totalCount pageInfo { hasNextPage endCursor }
    nodes { id title boxType { id title } switch { id title } preview { url } }
  }
}`;
const KEYBOARD = `query Keyboard($id: ID!) {
  keyboard(id: $id) {
    id title isDefault createdAt
    boxType { id title keyCount }
    switch { id title model { url byteSize } sound { url byteSize } preview { url } }
    model { url contentType byteSize sha256 model { vertexCount triangleCount boundingBox { min max } } }
    preview { url contentType byteSize }
  }
}`;
const CREATE_BOX = `mutation CreateBox($input: CreateBoxInput!) { createBox(input: $input) { box { id title boxType { id } createdAt } } }`;
const RENAME_BOX = `mutation RenameBox($input: RenameBoxInput!) { renameBox(input: $input) { box { id title updatedAt } } }`;
const DELETE_BOX = `mutation DeleteBox($input: DeleteBoxInput!) { deleteBox(input: $input) { id } }`;
const SIGN_IN = `mutation SignIn($input: SignInInput!) {
  signIn(input: $input) { accessToken accessTokenExpiresAt session { id } user { id nickname } }
}`;
const CATALOGUE = `query BenchCatalogue {
  boxTypes { id }
  switches(first: 50) { nodes { id model { url byteSize } } }
  boxes(first: 50) { nodes { id model { url byteSize } } }
  keyboards(first: 50) { nodes { id model { url byteSize } } }
}`;

export interface Catalogue {
  boxTypeIds: string[];
  keyboardIds: string[];
  counts: string;
  models: { path: string; byteSize: number }[];
}

/** Where one run sends each scenario. */
export interface Target {
  name: string;
  graphql: { catalogue: URL; edits: URL; signIns: URL };
  /** Origin of `/files/…`. */
  files: string;
  /** How a sign-in's client address travels: as a proxy in front of the gateway would send it, or as the gateway does. */
  clientAddressHeader: 'x-forwarded-for' | 'x-client-ip';
  /**
   * Straight to the subgraphs: the headers of every request, sign-ins with their client address, get a fresh gateway
   * proof as the request is built (the subgraphs answer nothing else), as the gateway signs what it sends them.
   */
  sign?: Sign;
}

const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)]!;

/** RFC 2544 benchmarking addresses, one per account. */
const clientAddress = (account: number) => `198.18.${Math.floor(account / 254)}.${(account % 254) + 1}`;

type Headers = (connection: Connection) => Record<string, string>;

/** A GraphQL step; `variables` answers null when the step cannot be sent (the steps then start over). */
function operation(name: string, url: URL, headers: Headers, query: string, variables?: (c: Connection) => object | null): Step {
  return {
    name,
    build: (c) => {
      const values = variables?.(c);
      return values === null ? null : graphqlRequest(url, headers(c), query, values);
    },
  };
}

/** The four scenarios of one target, with `connections[i]` connections for `MIX[i]`. */
export function scenariosFor(target: Target, connections: number[], catalogue: Catalogue, stack: DeployedStack): Scenario[] {
  const label = (c: Connection) => (c.id < 0 ? 'check' : String(c.id).padStart(4, '0'));
  const sign: Sign = target.sign ?? ((headers) => headers);
  const visitor = (c: Connection) => ({ 'x-visitor-id': `${stack.visitorPrefix}${label(c)}` });
  const anonymous: Headers = (c) => sign(visitor(c));
  const signedIn: Headers = (c) => sign({ ...visitor(c), authorization: `Bearer ${stack.token}` });
  const boxTitle = (c: Connection) => `Bench load ${c.id < 0 ? 'check' : c.id} ${randomBytes(4).toString('hex')}`;
  const { catalogue: browse, edits, signIns } = target.graphql;
  let signInCount = 0;
  const scenarios: Record<(typeof MIX)[number]['key'], Omit<Scenario, 'connections' | 'name'>> = {
    catalogue: {
      origin: browse.origin,
      graphql: true,
      steps: [
        operation('switches page', browse, anonymous, SWITCHES_PAGE),
        operation('boxes page', browse, anonymous, BOXES_PAGE, () => ({ boxTypeId: pick([null, ...catalogue.boxTypeIds]) })),
        operation('keyboards page', browse, anonymous, KEYBOARDS_PAGE),
        operation('keyboard by id', browse, anonymous, KEYBOARD, () => ({ id: pick(catalogue.keyboardIds) })),
      ],
    },
    edits: {
      origin: edits.origin,
      graphql: true,
      steps: [
        {
          ...operation('createBox', edits, signedIn, CREATE_BOX, (c) => ({
            input: { title: boxTitle(c), boxTypeId: pick(catalogue.boxTypeIds) },
          })),
          read: (c, body) => {
            const id = parseAnswer<{ createBox?: { box?: { id?: string } } }>(body)?.data?.createBox?.box?.id;
            if (id) c.kept.box = id;
          },
        },
        operation('renameBox', edits, signedIn, RENAME_BOX, (c) =>
          c.kept.box ? { input: { id: c.kept.box, title: boxTitle(c) } } : null,
        ),
        operation('deleteBox', edits, signedIn, DELETE_BOX, (c) => (c.kept.box ? { input: { id: c.kept.box } } : null)),
      ],
    },
    downloads: {
      origin: target.files,
      graphql: false,
      steps: [
        {
          name: 'GET /files/… (model)',
          build: (c) => ({ method: 'GET', path: pick(catalogue.models).path, headers: anonymous(c) }),
        },
      ],
    },
    signIns: {
      origin: signIns.origin,
      graphql: true,
      steps: [
        {
          name: 'signIn',
          build: (c) => {
            const index = signInCount++ % stack.accounts.length;
            const { email, password } = stack.accounts[index]!;
            const headers = sign({ ...visitor(c), [target.clientAddressHeader]: clientAddress(index) });
            return graphqlRequest(signIns, headers, SIGN_IN, {
              input: { email, password, deviceLabel: 'KeyLab load benchmark' },
            });
          },
        },
      ],
    },
  };
  return MIX.map((entry, i) => ({ name: entry.name, connections: connections[i]!, ...scenarios[entry.key] }));
}

/** The ids and model files the scenarios use, read through the gateway like any client. */
export async function readCatalogue(gatewayUrl: string): Promise<Catalogue> {
  type Item = { id: string; model: { url: string; byteSize: number } | null };
  type Answer = { boxTypes: { id: string }[] } & Record<'switches' | 'boxes' | 'keyboards', { nodes: Item[] }>;
  const { data } = await queryData<Answer>('reading the catalogue', gatewayUrl, {}, CATALOGUE);
  const { boxTypes, switches, boxes, keyboards } = data;
  const setUp = '(run: tsx scripts/db.ts setup-test)';
  if (!boxTypes.length || !keyboards.nodes.length)
    throw new Error(`the test catalogue has no box types or no keyboards ${setUp}`);
  // Model URLs name the configured public origin; the servers under test are on free ports.
  const models = [...switches.nodes, ...boxes.nodes, ...keyboards.nodes].flatMap(({ model }) =>
    model ? [{ path: new URL(model.url).pathname, byteSize: model.byteSize }] : [],
  );
  if (!models.length) throw new Error(`no item of the test catalogue has a model file ${setUp}`);
  return {
    boxTypeIds: boxTypes.map((type) => type.id),
    keyboardIds: keyboards.nodes.map((keyboard) => keyboard.id),
    counts: `${switches.nodes.length} switches, ${boxTypes.length} box types, ${boxes.nodes.length} boxes, ${keyboards.nodes.length} keyboards`,
    models,
  };
}

/** Before any load, every GraphQL step once, in order, as one connection would; for downloads, every model file whole. */
export async function checkScenario(target: Target, scenario: Scenario, catalogue: Catalogue): Promise<void> {
  const connection: Connection = { id: -1, kept: {} };
  const label = (step: string) => `${target.name}, ${scenario.name}, ${step}`;
  for (const model of scenario.graphql ? [] : catalogue.models) {
    const url = `${scenario.origin}${model.path}`;
    const response = await fetch(url, { headers: target.sign?.({}) ?? {} });
    const bytes = (await response.arrayBuffer()).byteLength;
    if (response.status !== 200 || bytes !== model.byteSize) {
      throw new Error(
        `${label('GET /files/…')}: GET ${url} got HTTP ${response.status} with ${bytes} bytes, expected 200 with ${model.byteSize}`,
      );
    }
  }
  for (const step of scenario.graphql ? scenario.steps : []) {
    const request = step.build(connection);
    if (!request) throw new Error(`${label(step.name)}: the request could not be made (an earlier step kept nothing)`);
    step.read?.(connection, (await expectData(label(step.name), scenario.origin, request)).text);
  }
}

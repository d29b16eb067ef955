/**
 * Seeded generators of malformed and adversarial requests for the fuzz suite (fast-check arbitraries,
 * sampled with one seed: the same seed gives the same requests in the same order).
 *
 * Nothing here does any I/O: the test files pass in what they know about the running stack (a `World`
 * of ids), and get plain `FuzzRequest`s back to send.
 */
import fc from 'fast-check';

/** The seed of a run: FUZZ_SEED to replay one, else a fixed default (the same requests in every run). */
export const SEED = Number.parseInt(process.env.FUZZ_SEED ?? '', 10) || 20_261_126;

/** Who sends a request; the harness puts the matching token in Authorization. */
export type Caller = 'anonymous' | 'user' | 'spare' | 'admin';

export interface FuzzRequest {
  /** The family of the case, for counting (broken-document, variables, mutation, ...). */
  kind: string;
  method: string;
  /** Path and query string on the gateway (for example /graphql or /graphql?query=...). */
  path: string;
  headers: Record<string, string>;
  body?: string | Uint8Array;
  as: Caller;
  /** The root field it is about, when there is one (for reports). */
  field?: string;
  /** Built so that it has to be refused (the rejected-only batches check that nothing changed). */
  mustReject?: boolean;
}

/** What the generators may use from the running stack: real ids of each kind, and whose they are. */
export interface World {
  boxTypeIds: string[];
  switchIds: string[];
  /** Default (seed) catalogue items, owned by nobody. */
  defaults: { box: string[]; kit: string[]; keyboard: string[]; keycap: string[] };
  /** Items of another ordinary user: never the fuzzing user's to change. */
  victim: { box: string[]; kit: string[]; keyboard: string[]; keycap: string[]; upload: string[] };
  /** The fuzzing user's own items (in mixed phases only: a rejected-only batch never names them as the poison). */
  mine: { box: string[]; kit: string[]; keyboard: string[]; keycap: string[] };
  /**
   * Uploads of the fuzzing user that may be attached. Left empty for rejected-only batches: an attachable
   * upload next to a bad field is the known partial-write bug (see graphql-mutations.test.ts).
   */
  myUploads: { model: string[]; preview: string[] };
  /** Domain of every well-formed email address a mixed batch may use (rows there are removed afterwards). */
  emailDomain: string;
}

// ---------------------------------------------------------------------------------------------------
// Strings

/** Injection payloads for SQL, NoSQL, paths, templates, headers, LDAP, logs and prototype keys. */
export const INJECTIONS = [
  "' OR '1'='1",
  "' OR 1=1 --",
  '"; DROP TABLE users; --',
  "'); DELETE FROM boxes; --",
  '1; SELECT pg_sleep(5)',
  "' UNION SELECT email, password_hash FROM users --",
  '$$; SELECT 1; $$',
  "E'\\x00'",
  '{"$gt": ""}',
  '{"$ne": null}',
  '{"$where": "sleep(1000)"}',
  '$where',
  '../../../../etc/passwd',
  '..\\..\\..\\windows\\win.ini',
  '..%2f..%2f..%2fetc%2fpasswd',
  '/etc/passwd%00.png',
  'file:///etc/passwd',
  'http://169.254.169.254/latest/meta-data/',
  '{{7*7}}',
  '${7*7}',
  '#{7*7}',
  '<%= 7*7 %>',
  '{{constructor.constructor("return process")()}}',
  '${jndi:ldap://127.0.0.1/a}',
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  '*)(uid=*))(|(uid=*',
  '%s%s%s%s%n',
  '\r\nSet-Cookie: injected=1',
  'HTTP/1.1 200 OK\r\n\r\n',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'valueOf',
  'null',
  'undefined',
  'NaN',
  'Infinity',
  '-0',
  'true',
  '0x7fffffff',
  '1e309',
  '[]',
  '{}',
  '\\',
  '\\u0000',
  '%00',
  '; ls -la',
  '`id`',
  '$(id)',
  '| cat /etc/passwd',
];

/** Unicode that tends to break things: surrogates, NUL, controls, direction marks, joiners, emoji, normalization. */
export const UNICODE_EDGES = [
  '\ud800',
  '\udfff',
  'ab\ud83dcd',
  '\udc00\ud800',
  '\u0000',
  'abc\u0000def',
  '\u0000\u0000\u0000',
  '\u0001\u0002\u0003\u0004\u0007\u0008\u001b\u007f',
  '\u0085\u009b',
  '\u200e\u200f',
  '\u202eevil\u202c',
  '\u2066\u2067\u2068\u2069',
  '\u061c',
  '\ufeff',
  '\ufeff\ufeffab',
  '\u200b\u200c\u200d',
  '\u2028\u2029',
  '\u00a0\u3000\u2003',
  '\ufffe\uffff',
  '\ufffd',
  '\ue000\uf8ff',
  '😀',
  '👩‍👩‍👧‍👦',
  '🇺🇦🇷🇺',
  '🏳️‍🌈',
  'e\u0301\u0301\u0301\u0301\u0301\u0301\u0301\u0301',
  'Z̴̡̪̫͖̥̔̿̃̈̏̎͠͝a̶̡̧̦̬̞̬̓̾̿̔l̶̢̛̝̣͇g̸̨̛͉̯̠o̵̢̩͚͗',
  'ﬁ ﬀ ﬃ',
  'Å Å Å',
  '\u1100\u1161\u11a8',
  'İıſ',
  'ǅǈ',
  'Ｆｕｌｌｗｉｄｔｈ',
  '١٢٣٤٥٦',
  '１２３４５６',
  'مرحبا بالعالم',
  'שלום',
  'Бокс 40%',
  '𝕳𝖊𝖑𝖑𝖔',
  '\u{10ffff}',
  '\u{e0041}\u{e0042}',
  '\u034f\u034f\u034f',
];

/** Lengths around the limits (titles 3..64, nicknames 3..32, passwords 8..128, labels 100) and far past them. */
const SIZES = [0, 1, 2, 3, 7, 8, 31, 32, 33, 63, 64, 65, 99, 100, 101, 127, 128, 129, 255, 256, 1_000, 4_096, 10_000, 65_536];

/** A string of `size` code points made of a repeated `unit` (ASCII, Cyrillic, emoji, combining or NUL). */
const sized = fc
  .tuple(fc.constantFrom(...SIZES), fc.constantFrom('a', 'я', '😀', 'e\u0301', ' ', '\u0000', '\ud800', 'x\u202e'))
  .map(([size, unit]) => unit.repeat(Math.ceil(size / Math.max(1, [...unit].length))).slice(0, size * 2));

/** One megabyte (and a bit): past the 256 kB body limit of /graphql. */
export const HUGE_STRING_SIZES = [300_000, 1_048_576];

export const nastyString: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...INJECTIONS) },
  { weight: 4, arbitrary: fc.constantFrom(...UNICODE_EDGES) },
  { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
  { weight: 2, arbitrary: sized },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.constantFrom(...INJECTIONS), fc.constantFrom(...UNICODE_EDGES), fc.string({ maxLength: 10 }))
      .map(([a, b, c]) => `${c}${b}${a}${b}`),
  },
  { weight: 1, arbitrary: fc.constantFrom('', ' ', '\t\n', '   abc   ') },
);

// ---------------------------------------------------------------------------------------------------
// Ids, cursors and other typed values

const randomUuid = fc.uuid({ version: [4, 7] });

/** Ids that name nothing, or are not ids at all. */
export const badId: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: randomUuid },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      '',
      ' ',
      '0',
      '-1',
      '1',
      '00000000-0000-0000-0000-000000000000',
      'ffffffff-ffff-ffff-ffff-ffffffffffff',
      '{00000000-0000-0000-0000-000000000000}',
      '00000000000000000000000000000000',
      '00000000-0000-0000-0000-00000000000g',
      '00000000-0000-0000-0000-0000000000000',
      '00000000-0000-0000-0000-000000000000\n',
      ' 00000000-0000-0000-0000-000000000000',
      '00000000-0000-0000-0000-000000000000\u0000',
      'Qm94OjE=',
      'gid://keylab/Box/1',
      "1' OR '1'='1",
      '1; DROP TABLE boxes',
    ),
  },
  { weight: 2, arbitrary: nastyString },
  { weight: 1, arbitrary: randomUuid.map((id) => id.toUpperCase()) },
);

/** Pagination cursors: garbage, JSON of the wrong shape, and the right shape with the wrong contents. */
export const cursor: fc.Arbitrary<string> = fc.oneof(
  { weight: 2, arbitrary: nastyString },
  { weight: 1, arbitrary: fc.base64String({ maxLength: 40 }) },
  {
    weight: 3,
    arbitrary: fc
      .oneof(
        fc.constant('[]'),
        fc.constant('null'),
        fc.constant('{"__proto__":{"x":1}}'),
        fc.constant('[1e999, 2]'),
        fc.json({ maxDepth: 2 }),
        fc.tuple(fc.date({ noInvalidDate: true }), randomUuid).map(([date, id]) => JSON.stringify([date.toISOString(), id])),
        fc.tuple(fc.integer(), fc.integer()).map((pair) => JSON.stringify(pair)),
        fc.tuple(fc.constantFrom('A', 'MX Blue', ''), randomUuid).map((pair) => JSON.stringify(pair)),
      )
      .map((json) => Buffer.from(json).toString('base64url')),
  },
);

/**
 * Cursors whose values reach PostgreSQL unchecked (a date with an id that is no UUID, a title with a NUL):
 * the known cursor bug. Kept out of the general fuzz streams so that they do not drown it.
 */
export const knownBadCursor = fc
  .tuple(
    fc.date({ noInvalidDate: true, min: new Date(0), max: new Date(4e12) }),
    fc.constantFrom('nope', '1', "' OR 1=1", 'a\u0000'),
  )
  .map(([date, id]) => Buffer.from(JSON.stringify([date.toISOString(), id])).toString('base64url'));

/** True when a cursor is of the known-bug shape ([date or title, something that is not a UUID] or a NUL). */
export function isKnownBadCursor(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  try {
    const decoded: unknown = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
    if (!Array.isArray(decoded) || decoded.length !== 2) return false;
    if (!decoded.every((v) => typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v)))) return false;
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
    return !uuid.test(String(decoded[1])) || decoded.some((v) => String(v).includes('\u0000'));
  } catch {
    return false;
  }
}

const int32Edges = [0, -1, 1, 20, 99, 100, 101, 1_500, 2_147_483_647, -2_147_483_648, 2_147_483_648, 2 ** 53 + 1, -(2 ** 60)];

/** Values of a JSON type other than the expected one (and a few of the expected one at its edges). */
export const anyJson: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: nastyString },
  { weight: 2, arbitrary: fc.constantFrom(...int32Edges) },
  { weight: 1, arbitrary: fc.double({ noNaN: true }) },
  { weight: 1, arbitrary: fc.constantFrom(true, false, null, 0.5, -0, 1e308, -1e-308) },
  { weight: 1, arbitrary: fc.array(fc.oneof(fc.string(), fc.integer(), fc.constant(null)), { maxLength: 5 }) },
  { weight: 1, arbitrary: fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), { maxKeys: 4 }) },
  { weight: 1, arbitrary: fc.constant(null).map(() => protoPolluter()) },
  { weight: 1, arbitrary: fc.integer({ min: 10, max: 2_000 }).map((depth) => deepNested(depth)) },
);

/** The canary property that prototype-pollution payloads try to plant on Object.prototype. */
export const POLLUTION_CANARY = 'fuzzPolluted';

/** An object whose own keys are __proto__, constructor and prototype (as JSON.parse makes them). */
export function protoPolluter(): Record<string, unknown> {
  return JSON.parse(
    `{"__proto__":{"${POLLUTION_CANARY}":true,"isAdmin":true,"roles":["admin"]},` +
      `"constructor":{"prototype":{"${POLLUTION_CANARY}":true}},"prototype":{"${POLLUTION_CANARY}":true}}`,
  ) as Record<string, unknown>;
}

/** [[[...]]] or {"a":{"a":...}} nested `depth` times. */
export function deepNested(depth: number): unknown {
  return depth % 2
    ? JSON.parse('['.repeat(depth) + ']'.repeat(depth))
    : JSON.parse('{"a":'.repeat(depth) + '1' + '}'.repeat(depth));
}

const isoDate = fc.date({ noInvalidDate: true, min: new Date('1970-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z') });

const dateTimeString = fc.oneof(
  { weight: 3, arbitrary: isoDate.map((d) => d.toISOString()) },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      '0000-01-01T00:00:00Z',
      '9999-12-31T23:59:59.999Z',
      '2026-02-30T00:00:00Z',
      '2026-13-01T00:00:00Z',
      '2026-01-01T24:00:00Z',
      '2026-01-01T00:00:00+99:99',
      '2026-01-01T00:00:00-23:59',
      '2026-01-01T',
      '2026-01-01',
      '+275760-09-13T00:00:00.000Z',
      '-271821-04-20T00:00:00.000Z',
      '1969-12-31T23:59:59.999Z',
      '2026-03-29T02:30:00Europe/Moscow',
      '2026-01-01T00:00:00.0000000000000000001Z',
    ),
  },
  { weight: 1, arbitrary: nastyString },
);

const timeZone = fc.oneof(
  fc.constantFrom(
    'UTC',
    'Europe/Moscow',
    'America/Argentina/ComodRivadavia',
    'Pacific/Kiritimati',
    'Etc/GMT+12',
    'Etc/GMT-14',
    'EST5EDT',
    'Asia/Kathmandu',
    'Australia/Lord_Howe',
    '+03:00',
    'GMT+3',
    'Local',
    'utc',
    'Europe/../../etc/passwd',
    'Europe/Moscow\u0000',
    'Europe/Moscow ',
    'x'.repeat(300),
  ),
  nastyString,
);

// ---------------------------------------------------------------------------------------------------
// Operations against the real schema (schema/supergraph.graphql)

/** What a variable means, so that its values can be plausible, hostile or of the wrong type. */
type Hint =
  | 'title'
  | 'boxTypeId'
  | 'switchId'
  | 'itemId'
  | 'keycapId'
  | 'uploadId'
  | 'email'
  | 'password'
  | 'code'
  | 'nickname'
  | 'deviceLabel'
  | 'bool'
  | 'token'
  | 'sessionId'
  | 'first'
  | 'after'
  | 'owner'
  | 'dateTime'
  | 'timeZone'
  | 'interval'
  | 'series'
  | 'activities'
  | 'top';

type ItemKind = 'box' | 'kit' | 'keyboard';

/** Input object types: field name, GraphQL type and meaning. */
const INPUTS: Record<string, Record<string, [string, Hint]>> = {
  CreateBoxInput: {
    title: ['String!', 'title'],
    boxTypeId: ['ID!', 'boxTypeId'],
    modelUploadId: ['ID', 'uploadId'],
    previewUploadId: ['ID', 'uploadId'],
    asDefault: ['Boolean', 'bool'],
  },
  CreateKitInput: {
    title: ['String!', 'title'],
    boxTypeId: ['ID!', 'boxTypeId'],
    previewUploadId: ['ID', 'uploadId'],
    asDefault: ['Boolean', 'bool'],
  },
  CreateKeyboardInput: {
    title: ['String!', 'title'],
    boxTypeId: ['ID!', 'boxTypeId'],
    switchId: ['ID!', 'switchId'],
    modelUploadId: ['ID', 'uploadId'],
    previewUploadId: ['ID', 'uploadId'],
    asDefault: ['Boolean', 'bool'],
  },
  RenameBoxInput: { id: ['ID!', 'itemId'], title: ['String!', 'title'] },
  RenameKitInput: { id: ['ID!', 'itemId'], title: ['String!', 'title'] },
  RenameKeyboardInput: { id: ['ID!', 'itemId'], title: ['String!', 'title'] },
  ReplaceBoxFilesInput: { id: ['ID!', 'itemId'], modelUploadId: ['ID', 'uploadId'], previewUploadId: ['ID', 'uploadId'] },
  ReplaceKitPreviewInput: { id: ['ID!', 'itemId'], previewUploadId: ['ID!', 'uploadId'] },
  ReplaceKeyboardFilesInput: { id: ['ID!', 'itemId'], modelUploadId: ['ID', 'uploadId'], previewUploadId: ['ID', 'uploadId'] },
  ReplaceKeycapModelInput: { keycapId: ['ID!', 'keycapId'], modelUploadId: ['ID!', 'uploadId'] },
  DeleteBoxInput: { id: ['ID!', 'itemId'] },
  DeleteKitInput: { id: ['ID!', 'itemId'] },
  DeleteKeyboardInput: { id: ['ID!', 'itemId'] },
  RequestSignUpCodeInput: { email: ['String!', 'email'] },
  SignUpInput: {
    email: ['String!', 'email'],
    code: ['String!', 'code'],
    password: ['String!', 'password'],
    nickname: ['String!', 'nickname'],
    deviceLabel: ['String', 'deviceLabel'],
    returnRefreshToken: ['Boolean', 'bool'],
  },
  SignInInput: {
    email: ['String!', 'email'],
    password: ['String!', 'password'],
    deviceLabel: ['String', 'deviceLabel'],
    returnRefreshToken: ['Boolean', 'bool'],
  },
  RefreshSessionInput: { refreshToken: ['String', 'token'], returnRefreshToken: ['Boolean', 'bool'] },
  RevokeSessionInput: { sessionId: ['ID!', 'sessionId'] },
  ChangeNicknameInput: { nickname: ['String!', 'nickname'] },
  ChangePasswordInput: { currentPassword: ['String!', 'password'], newPassword: ['String!', 'password'] },
  RequestPasswordResetInput: { email: ['String!', 'email'] },
  ResetPasswordInput: {
    email: ['String!', 'email'],
    code: ['String!', 'code'],
    newPassword: ['String!', 'password'],
    deviceLabel: ['String', 'deviceLabel'],
    returnRefreshToken: ['Boolean', 'bool'],
  },
  RequestEmailChangeInput: { newEmail: ['String!', 'email'], currentPassword: ['String!', 'password'] },
  ConfirmEmailChangeInput: { code: ['String!', 'code'] },
  ActivitySeriesInput: {
    from: ['DateTime!', 'dateTime'],
    to: ['DateTime!', 'dateTime'],
    interval: ['StatsInterval!', 'interval'],
    timeZone: ['String!', 'timeZone'],
    activities: ['[ID!]', 'activities'],
  },
  SeriesInput: {
    from: ['DateTime!', 'dateTime'],
    to: ['DateTime!', 'dateTime'],
    interval: ['StatsInterval!', 'interval'],
    timeZone: ['String!', 'timeZone'],
  },
  OverviewInput: { from: ['DateTime!', 'dateTime'], to: ['DateTime!', 'dateTime'], top: ['Int!', 'top'] },
  StatsExportInput: {
    series: ['StatsSeriesKind!', 'series'],
    from: ['DateTime!', 'dateTime'],
    to: ['DateTime!', 'dateTime'],
    interval: ['StatsInterval!', 'interval'],
    timeZone: ['String!', 'timeZone'],
    activities: ['[ID!]', 'activities'],
  },
};

const FILE = 'url contentType byteSize sha256 model { vertexCount triangleCount boundingBox { min max } }';
const ITEM = `id title isDefault createdAt updatedAt boxType { id title keyCount } owner { id nickname email roles } preview { ${FILE} }`;
const PAGE = 'totalCount pageInfo { hasNextPage endCursor }';

export interface Operation {
  field: string;
  type: 'query' | 'mutation';
  /** Argument name, GraphQL type, meaning, and 'inner' for a variable used inside the selection only. */
  args: [string, string, Hint, 'inner'?][];
  /** Selections to choose from (the first is the usual one). */
  selections: string[];
  /** Which item kind an itemId argument names. */
  item?: ItemKind;
  /** Only an administrator gets past the door. */
  admin?: boolean;
}

export const QUERIES: Operation[] = [
  { field: 'boxTypes', type: 'query', args: [], selections: ['id title keyCount', '__typename'] },
  {
    field: 'switches',
    type: 'query',
    args: [
      ['first', 'Int', 'first'],
      ['after', 'String', 'after'],
    ],
    selections: [`${PAGE} nodes { id title sound { ${FILE} } }`, 'edges { cursor node { id } }'],
  },
  { field: 'switch', type: 'query', args: [['id', 'ID!', 'switchId']], selections: [`id title model { ${FILE} } sound { url }`] },
  {
    field: 'boxes',
    type: 'query',
    args: [
      ['owner', 'Owner', 'owner'],
      ['boxTypeId', 'ID', 'boxTypeId'],
      ['first', 'Int', 'first'],
      ['after', 'String', 'after'],
    ],
    selections: [`${PAGE} nodes { ${ITEM} model { ${FILE} } }`, 'edges { cursor node { id title } }'],
  },
  { field: 'box', type: 'query', args: [['id', 'ID!', 'itemId']], item: 'box', selections: [ITEM, 'id'] },
  {
    field: 'kits',
    type: 'query',
    args: [
      ['owner', 'Owner', 'owner'],
      ['boxTypeId', 'ID', 'boxTypeId'],
      ['first', 'Int', 'first'],
      ['after', 'String', 'after'],
    ],
    selections: [`${PAGE} nodes { ${ITEM} keycaps(first: 2) { totalCount nodes { id title } } }`],
  },
  {
    field: 'kit',
    type: 'query',
    args: [
      ['id', 'ID!', 'itemId'],
      ['first', 'Int', 'first', 'inner'],
      ['after', 'String', 'after', 'inner'],
    ],
    item: 'kit',
    selections: [`${ITEM} keycaps(first: $first, after: $after) { ${PAGE} nodes { id title model { url } } }`],
  },
  {
    field: 'keyboards',
    type: 'query',
    args: [
      ['owner', 'Owner', 'owner'],
      ['boxTypeId', 'ID', 'boxTypeId'],
      ['switchId', 'ID', 'switchId'],
      ['first', 'Int', 'first'],
      ['after', 'String', 'after'],
    ],
    selections: [`${PAGE} nodes { ${ITEM} switch { id title } }`],
  },
  {
    field: 'keyboard',
    type: 'query',
    args: [['id', 'ID!', 'itemId']],
    item: 'keyboard',
    selections: [`${ITEM} switch { title }`],
  },
  { field: 'myUpload', type: 'query', args: [['id', 'ID!', 'uploadId']], selections: [FILE] },
  {
    field: 'node',
    type: 'query',
    args: [['id', 'ID!', 'itemId']],
    item: 'keyboard',
    selections: ['__typename id ... on Keyboard { title switch { id } } ... on User { nickname }'],
  },
  {
    field: 'me',
    type: 'query',
    args: [
      ['first', 'Int', 'first', 'inner'],
      ['after', 'String', 'after', 'inner'],
    ],
    selections: [
      'id nickname email roles createdAt',
      `id boxes(first: $first, after: $after) { ${PAGE} nodes { id title } } kits { totalCount } keyboards { totalCount }`,
    ],
  },
  { field: 'mySessions', type: 'query', args: [], selections: ['id deviceLabel createdAt lastUsedAt expiresAt current'] },
  { field: 'activityKinds', type: 'query', args: [], admin: true, selections: ['tag title titleEn titleRu'] },
  {
    field: 'statsIntervals',
    type: 'query',
    args: [],
    admin: true,
    selections: ['interval title lengthSeconds maxPeriodSeconds'],
  },
  {
    field: 'activitySeries',
    type: 'query',
    args: [['input', 'ActivitySeriesInput!', 'activities']],
    admin: true,
    selections: ['from to interval timeZone events visitors activities { tag } points { start localStart events }'],
  },
  {
    field: 'attendanceSeries',
    type: 'query',
    args: [['input', 'SeriesInput!', 'activities']],
    admin: true,
    selections: ['from to interval visits visitors bounceRate points { localStart visits averageVisitSeconds }'],
  },
  {
    field: 'statsOverview',
    type: 'query',
    args: [['input', 'OverviewInput!', 'activities']],
    admin: true,
    selections: [
      'visitors visits events operations failedOperations bounceRate visitorsNow topOperations { name count } topBoxes { boxId box { id } }',
    ],
  },
  {
    field: 'statsExport',
    type: 'query',
    args: [['input', 'StatsExportInput!', 'activities']],
    admin: true,
    selections: ['url expiresAt'],
  },
];

const PAYLOAD: Record<ItemKind, string> = {
  box: `box { ${ITEM} model { ${FILE} } }`,
  kit: `kit { ${ITEM} keycaps(first: 1) { totalCount } }`,
  keyboard: `keyboard { ${ITEM} switch { id } }`,
};
const AUTH = 'accessToken accessTokenExpiresAt refreshToken session { id deviceLabel current } user { id email nickname roles }';

const itemMutations = (kind: ItemKind, create: string, replace: string, replaceInput: string): Operation[] => {
  const name = kind[0]!.toUpperCase() + kind.slice(1);
  return [
    {
      field: `create${name}`,
      type: 'mutation',
      args: [['input', `${create}!`, 'itemId']],
      item: kind,
      selections: [PAYLOAD[kind]],
    },
    {
      field: `rename${name}`,
      type: 'mutation',
      args: [['input', `Rename${name}Input!`, 'itemId']],
      item: kind,
      selections: [PAYLOAD[kind]],
    },
    {
      field: replace,
      type: 'mutation',
      args: [['input', `${replaceInput}!`, 'itemId']],
      item: kind,
      selections: [PAYLOAD[kind]],
    },
    {
      field: `delete${name}`,
      type: 'mutation',
      args: [['input', `Delete${name}Input!`, 'itemId']],
      item: kind,
      selections: ['id'],
    },
  ];
};

export const MUTATIONS: Operation[] = [
  ...itemMutations('box', 'CreateBoxInput', 'replaceBoxFiles', 'ReplaceBoxFilesInput'),
  ...itemMutations('kit', 'CreateKitInput', 'replaceKitPreview', 'ReplaceKitPreviewInput'),
  ...itemMutations('keyboard', 'CreateKeyboardInput', 'replaceKeyboardFiles', 'ReplaceKeyboardFilesInput'),
  {
    field: 'replaceKeycapModel',
    type: 'mutation',
    args: [['input', 'ReplaceKeycapModelInput!', 'keycapId']],
    selections: [`keycap { id title model { ${FILE} } }`],
  },
  {
    field: 'requestSignUpCode',
    type: 'mutation',
    args: [['input', 'RequestSignUpCodeInput!', 'email']],
    selections: ['accepted retryAfterSeconds'],
  },
  { field: 'signUp', type: 'mutation', args: [['input', 'SignUpInput!', 'email']], selections: [AUTH] },
  { field: 'signIn', type: 'mutation', args: [['input', 'SignInInput!', 'email']], selections: [AUTH] },
  { field: 'refreshSession', type: 'mutation', args: [['input', 'RefreshSessionInput', 'token']], selections: [AUTH] },
  { field: 'signOut', type: 'mutation', args: [], selections: ['endedSessions'] },
  { field: 'signOutEverywhere', type: 'mutation', args: [], selections: ['endedSessions'] },
  {
    field: 'revokeSession',
    type: 'mutation',
    args: [['input', 'RevokeSessionInput!', 'sessionId']],
    selections: ['endedSessions'],
  },
  {
    field: 'changeNickname',
    type: 'mutation',
    args: [['input', 'ChangeNicknameInput!', 'nickname']],
    selections: ['user { id nickname }'],
  },
  {
    field: 'changePassword',
    type: 'mutation',
    args: [['input', 'ChangePasswordInput!', 'password']],
    selections: ['user { id }'],
  },
  {
    field: 'requestPasswordReset',
    type: 'mutation',
    args: [['input', 'RequestPasswordResetInput!', 'email']],
    selections: ['accepted retryAfterSeconds'],
  },
  { field: 'resetPassword', type: 'mutation', args: [['input', 'ResetPasswordInput!', 'email']], selections: [AUTH] },
  {
    field: 'requestEmailChange',
    type: 'mutation',
    args: [['input', 'RequestEmailChangeInput!', 'email']],
    selections: ['accepted retryAfterSeconds'],
  },
  {
    field: 'confirmEmailChange',
    type: 'mutation',
    args: [['input', 'ConfirmEmailChangeInput!', 'code']],
    selections: ['user { id email }'],
  },
];

/** The operation text for one root field, with its variables declared as the schema types them. */
export function operationText(op: Operation, selection = op.selections[0]!, name?: string): string {
  const inSelection = (arg: string) => new RegExp(`\\$${arg}\\b`).test(selection);
  const declared = op.args.filter(([arg, , , inner]) => !inner || inSelection(arg));
  const passed = op.args.filter(([, , , inner]) => !inner);
  const variables = declared.map(([arg, type]) => `$${arg}: ${type}`).join(', ');
  const call = passed.length ? `${op.field}(${passed.map(([arg]) => `${arg}: $${arg}`).join(', ')})` : op.field;
  return `${op.type}${name ? ` ${name}` : ''}${variables ? `(${variables})` : ''} { ${call} { ${selection} } }`;
}

// ---------------------------------------------------------------------------------------------------
// Values for each meaning

const validTitle = fc.oneof(
  fc.string({ minLength: 3, maxLength: 64, unit: 'grapheme-ascii' }).filter((s) => s.trim().length >= 3),
  fc.constantFrom('Бокс 40%', 'My keyboard 😀', 'ﬁeld test', 'שלום עולם', 'e\u0301e\u0301e\u0301'),
);

/** The README's rule for titles: 3 to 64 characters (code points, once trimmed and in NFC). */
const titleLength = (title: string) => [...title.trim().normalize('NFC')].length;

/**
 * Titles that can never pass. Filtered by the rule itself: NFC may lengthen a string (U+1D1BB becomes two
 * code points), so two graphemes can make a valid title.
 */
export const invalidTitle = fc.oneof(
  fc.constantFrom('', ' ', 'ab', ' a ', '\ufeff\ufeffab', '😀😀', 'x'.repeat(65), 'я'.repeat(1_000), '\u00a0\u00a0a\u3000'),
  fc.string({ maxLength: 2, unit: 'grapheme' }).filter((s) => titleLength(s) < 3),
  fc.string({ minLength: 65, maxLength: 300, unit: 'grapheme' }).filter((s) => titleLength(s) > 64),
);

/** Email addresses the users service refuses (no @, no dot after it, spaces, quotes, too long). */
export const invalidEmail = fc.oneof(
  fc.constantFrom(
    '',
    'plainaddress',
    '@no-local.test',
    'no-at.test',
    'two@@at.test',
    'a b@c.test',
    'a@b',
    'a@b.',
    '"q"@b.test',
    'a@[127.0.0.1]',
  ),
  fc.constantFrom(...INJECTIONS).filter((s) => !/^[^\s@"<>()[\]\\,;:]+@[^\s@"<>()[\]\\,;:]+\.[^\s@"<>()[\]\\,;:.]+$/u.test(s)),
  fc.string({ maxLength: 30 }).map((s) => s.replaceAll('@', '')),
  fc.constant(`${'a'.repeat(250)}@x.test`),
);

/** Nicknames that can never pass (a character outside letters, digits, _ and -, or the wrong length). */
const invalidNickname = fc.oneof(
  fc.constantFrom('', 'ab', 'a b c', 'x'.repeat(33), 'bad!name', 'dot.name', 'emoji😀', 'nul\u0000name', '<script>', "o'neil"),
  fc
    .tuple(fc.string({ maxLength: 10 }), fc.constantFrom('!', ' x ', '.', '@', '\u200b', '😀', '/'))
    .map(([s, bad]) => `ab${bad}${s}`),
);

function emailArb(world: World, wellFormed: boolean) {
  const domain = world.emailDomain;
  const good = fc
    .tuple(fc.stringMatching(/^[a-z0-9._+-]{1,20}$/), fc.constantFrom('', 'İ', 'я', '\u0000', '\ud800', '😀'))
    .map(([local, odd]) => `${local}${odd}@${domain}`);
  return wellFormed
    ? fc.oneof({ weight: 2, arbitrary: invalidEmail }, { weight: 2, arbitrary: good }, { weight: 1, arbitrary: nastyString })
    : invalidEmail;
}

const passwordArb = fc.oneof(
  fc.constantFrom(
    '',
    'short',
    'x'.repeat(128),
    'x'.repeat(129),
    '😀'.repeat(64),
    '😀'.repeat(129),
    'correct horse battery staple',
  ),
  fc.constantFrom(...HUGE_STRING_SIZES.map((size) => size / 8)).map((size) => 'p'.repeat(size)),
  nastyString,
);

const codeArb = fc.oneof(
  fc.stringMatching(/^\d{6}$/),
  fc.constantFrom(
    '',
    '12345',
    '1234567',
    ' 123456 ',
    '１２３４５６',
    '١٢٣٤٥٦',
    '12345\u0000',
    '-12345',
    '1e5',
    '000000',
    '999999',
  ),
  nastyString,
);

const tokenArb = fc.oneof(
  fc.base64String({ minLength: 10, maxLength: 60 }),
  fc.constantFrom('', 'null', 'a'.repeat(10_000), 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.'),
  nastyString,
);

function idFor(world: World, hint: Hint, kind: ItemKind | undefined, poison: boolean): fc.Arbitrary<string> {
  const pick = (ids: string[]) => (ids.length ? fc.constantFrom(...ids) : badId);
  switch (hint) {
    case 'boxTypeId':
      return poison ? badId : fc.oneof({ weight: 3, arbitrary: pick(world.boxTypeIds) }, { weight: 1, arbitrary: badId });
    case 'switchId':
      return poison ? badId : fc.oneof({ weight: 3, arbitrary: pick(world.switchIds) }, { weight: 1, arbitrary: badId });
    case 'uploadId': {
      const foreign = fc.oneof(badId, pick(world.victim.upload), pick(world.defaults.box));
      const mine = [...world.myUploads.model, ...world.myUploads.preview];
      return poison || !mine.length ? foreign : fc.oneof(foreign, pick(mine));
    }
    case 'keycapId': {
      const foreign = fc.oneof(badId, pick(world.defaults.keycap), pick(world.victim.keycap));
      return poison ? foreign : fc.oneof(foreign, pick(world.mine.keycap));
    }
    default: {
      const k = kind ?? 'box';
      const others = (['box', 'kit', 'keyboard'] as const).filter((o) => o !== k);
      const foreign = fc.oneof(
        badId,
        pick(world.defaults[k]),
        pick(world.victim[k]),
        pick([...world.mine[others[0]!], ...world.mine[others[1]!]]),
        pick(world.defaults[k]).map((id) => id.toUpperCase()),
      );
      return poison
        ? foreign
        : fc.oneof(
            foreign,
            pick(world.mine[k]),
            pick(world.mine[k]).map((id) => id.toUpperCase()),
          );
    }
  }
}

/** A plausible value of the right type for a meaning (hostile contents welcome). */
function valueFor(world: World, hint: Hint, kind: ItemKind | undefined, mixed: boolean): fc.Arbitrary<unknown> {
  switch (hint) {
    case 'title':
      return fc.oneof(validTitle, invalidTitle, nastyString);
    case 'email':
      return emailArb(world, mixed);
    case 'password':
      return passwordArb;
    case 'code':
      return codeArb;
    case 'nickname':
      return fc.oneof(invalidNickname, nastyString, fc.stringMatching(/^[a-z0-9_-]{3,32}$/));
    case 'deviceLabel':
      return fc.oneof(nastyString, fc.constant('x'.repeat(101)));
    case 'bool':
      return fc.boolean();
    case 'token':
      return tokenArb;
    case 'sessionId':
      return badId;
    case 'first':
    case 'top':
      return fc.constantFrom(...int32Edges.filter((n) => Math.abs(n) < 2 ** 31), 50, 1, 0, -5);
    case 'after':
      return cursor;
    case 'owner':
      return fc.constantFrom('DEFAULT', 'MINE');
    case 'dateTime':
      return dateTimeString;
    case 'timeZone':
      return timeZone;
    case 'interval':
      return fc.constantFrom('AUTO', 'MINUTE', 'FIFTEEN_MINUTES', 'HOUR', 'DAY', 'WEEK', 'MONTH');
    case 'series':
      return fc.constantFrom('ACTIVITY', 'ATTENDANCE');
    case 'activities':
      return fc.oneof(
        fc.array(fc.constantFrom('SEE_BOX', 'SEE_KEYBOARD', 'EDIT_KIT', 'SEE_SWITCH'), { maxLength: 4 }),
        fc.array(nastyString, { maxLength: 5 }),
        fc.integer({ min: 1_000, max: 20_000 }).map((n) => Array.from({ length: n }, (_, i) => `tag${i}`)),
      );
    default:
      return idFor(world, hint, kind, false);
  }
}

/** A value of the wrong shape for a GraphQL type (or null / a list where one is not allowed). */
function wrongTyped(type: string): fc.Arbitrary<unknown> {
  const base = type.replace(/[[\]!]/g, '');
  const wrong: fc.Arbitrary<unknown>[] = [anyJson, fc.constant(null)];
  if (base === 'Int') wrong.push(fc.constantFrom('10', 1.5, 2 ** 31, -(2 ** 31) - 1, true, [1], { n: 1 }, 1e21));
  if (base === 'Boolean') wrong.push(fc.constantFrom('true', 1, 0, 'yes', [true]));
  if (base === 'ID' || base === 'String') wrong.push(fc.constantFrom(1.5, true, [], {}, ['a', 'b'], { id: 'x' }));
  if (INPUTS[base]) wrong.push(fc.constantFrom('input', 5, [], [{}], true));
  if (base === 'DateTime') wrong.push(fc.constantFrom(0, 1_700_000_000_000, -1, { $date: 1 }));
  return fc.oneof(...wrong);
}

type Entry = [string, unknown];

/**
 * Variables for an argument of `type`: mostly right-typed with hostile contents; sometimes wrong-typed,
 * missing, with unknown or prototype keys. `mixed` lets well-formed emails through (rows to clean up).
 */
function argumentValue(
  world: World,
  type: string,
  hint: Hint,
  kind: ItemKind | undefined,
  mixed: boolean,
): fc.Arbitrary<unknown> {
  const base = type.replace(/[[\]!]/g, '');
  const fields = INPUTS[base];
  const right: fc.Arbitrary<unknown> = fields
    ? fc
        .tuple(
          fc.tuple(
            ...Object.entries(fields).map(([name, [fieldType, fieldHint]]) =>
              fc.oneof(
                { weight: 8, arbitrary: valueFor(world, fieldHint, kind, mixed).map((value): Entry => [name, value]) },
                { weight: 1, arbitrary: wrongTyped(fieldType).map((value): Entry => [name, value]) },
                { weight: fieldType.endsWith('!') ? 1 : 2, arbitrary: fc.constant<Entry>([name, undefined]) },
              ),
            ),
          ),
          fc.oneof(
            { weight: 8, arbitrary: fc.constant<Entry[]>([]) },
            { weight: 1, arbitrary: fc.constant<Entry[]>(Object.entries(protoPolluter())) },
            { weight: 1, arbitrary: fc.tuple(nastyString, anyJson).map(([key, value]): Entry[] => [[key, value]]) },
          ),
        )
        .map(([entries, extra]: [Entry[], Entry[]]) =>
          Object.fromEntries([...entries.filter(([, value]) => value !== undefined), ...extra]),
        )
    : valueFor(world, hint, kind, mixed);
  return fc.oneof({ weight: 8, arbitrary: right }, { weight: 2, arbitrary: wrongTyped(type) });
}

// ---------------------------------------------------------------------------------------------------
// Requests

let forwardedCounter = 0;
/** A different client address per request (TEST-NET and documentation ranges), so per-IP limits stay out of the way. */
export function clientAddress(): string {
  forwardedCounter += 1;
  const n = forwardedCounter;
  return n % 3 === 0
    ? `2001:db8::${n.toString(16)}`
    : `${n % 2 ? '198.51.100' : '203.0.113'}.${n % 250}, 192.0.2.${(n >> 8) % 250}`;
}

export const JSON_HEADERS = { 'content-type': 'application/json' };

export function jsonRequest(kind: string, as: Caller, payload: unknown, extra: Partial<FuzzRequest> = {}): FuzzRequest {
  return {
    kind,
    method: 'POST',
    path: '/graphql',
    headers: { ...JSON_HEADERS, 'x-forwarded-for': clientAddress() },
    body: JSON.stringify(payload),
    as,
    ...extra,
  };
}

/** Valid documents on real fields, with variables that are wrong-typed, huge, hostile or bad ids. */
export function variableCases(world: World, ops: Operation[], callers: Caller[], mixed: boolean): fc.Arbitrary<FuzzRequest> {
  // One arbitrary per operation, built once (building them per sample is what makes sampling slow).
  const perOperation = ops.map((op) =>
    fc.tuple(
      fc.constant(op),
      fc.nat(),
      fc.constantFrom(...callers),
      fc.boolean(),
      fc.tuple(
        ...op.args.map(([arg, type, hint]) =>
          fc.oneof(
            { weight: 12, arbitrary: argumentValue(world, type, hint, op.item, mixed).map((value): Entry => [arg, value]) },
            { weight: 1, arbitrary: fc.constant<Entry>([arg, undefined]) },
          ),
        ),
      ),
    ),
  );
  return fc.oneof(...perOperation).map(([op, selectionIndex, as, named, entries]) => {
    const selection = op.selections[selectionIndex % op.selections.length]!;
    const variables = Object.fromEntries(entries.filter(([, value]) => value !== undefined));
    const query = operationText(op, selection, named ? `Fuzz_${op.field}` : undefined);
    return jsonRequest(op.type === 'query' ? 'variables' : 'mutation', as, { query, variables }, { field: op.field });
  });
}

/** The same documents with the hostile value written into the document as a literal instead. */
export function literalCases(world: World): fc.Arbitrary<FuzzRequest> {
  const ops = QUERIES.filter(
    (op) => op.args.some(([, , , inner]) => !inner) && !op.args.some(([, type]) => INPUTS[type.replace(/[[\]!]/g, '')]),
  );
  return fc
    .tuple(
      fc.constantFrom(...ops),
      fc.oneof(nastyString, badId, cursor, fc.constantFrom(...world.boxTypeIds, ...world.switchIds, ...world.defaults.box)),
      fc.constantFrom<Caller>('anonymous', 'user'),
    )
    .map(([op, value, as]) => {
      const [arg] = op.args[0]!;
      const literal = JSON.stringify(value);
      const selection = op.selections[0]!.replace(/\(first: \$first, after: \$after\)/, '').replace(/\$\w+/g, '1');
      return jsonRequest('literal', as, { query: `{ ${op.field}(${arg}: ${literal}) { ${selection} } }` }, { field: op.field });
    });
}

type Edit = { at: number; what: 'delete' | 'insert' | 'duplicate' | 'truncate' | 'swap'; text: string };

const editArb: fc.Arbitrary<Edit> = fc.record({
  at: fc.nat(),
  what: fc.constantFrom('delete', 'insert', 'duplicate', 'truncate', 'swap'),
  text: fc.oneof(
    fc.constantFrom(
      '{',
      '}',
      '(',
      ')',
      '[',
      ']',
      ':',
      '$',
      '!',
      '@',
      '"',
      '"""',
      '\\',
      '#',
      '...',
      '.',
      ',',
      '=',
      '|',
      '&',
      '\u0000',
      '\ud800',
    ),
    fc.constantFrom(
      'query',
      'mutation',
      'subscription',
      'fragment',
      'on',
      'null',
      '1e999',
      '-',
      '0x1F',
      '"\\u{D800}"',
      '"\\uZZZZ"',
    ),
    fc.string({ unit: 'binary', maxLength: 3 }),
  ),
});

function applyEdit(doc: string, { at, what, text }: Edit): string {
  const i = doc.length ? at % doc.length : 0;
  switch (what) {
    case 'delete':
      return doc.slice(0, i) + doc.slice(i + 1 + (at % 3));
    case 'insert':
      return doc.slice(0, i) + text + doc.slice(i);
    case 'duplicate':
      return doc.slice(0, i) + doc.slice(i, i + 1 + (at % 20)) + doc.slice(i);
    case 'truncate':
      return doc.slice(0, i);
    case 'swap':
      return doc.slice(i) + doc.slice(0, i);
  }
}

/** Syntactically broken documents: valid ones with random edits, and hand-made nonsense. */
export function brokenDocuments(): fc.Arbitrary<FuzzRequest> {
  const valid = [...QUERIES, ...MUTATIONS].map((op) => operationText(op));
  const edited = fc
    .tuple(fc.constantFrom(...valid), fc.array(editArb, { minLength: 1, maxLength: 6 }))
    .map(([doc, edits]) => edits.reduce(applyEdit, doc));
  const handMade = fc.constantFrom(
    '',
    ' ',
    '{',
    '}',
    '{}',
    '{ }',
    'query',
    'query {',
    '{ boxTypes { id }',
    '{ boxTypes { id } } }',
    '{ boxTypes(id: ) { id } }',
    '{ box(id: "unterminated) { id } }',
    '{ box(id: """never closed) { id } }',
    '{ box(id: "\\uD800") { id } }',
    '{ box(id: "\\u{110000}") { id } }',
    '{ box(id: "\\x41") { id } }',
    'query ($id: ID! = ) { box(id: $id) { id } }',
    'query ($id: ID!!) { box(id: $id) { id } }',
    'query ($: ID) { boxTypes { id } }',
    '{ switches(first: 1e99999) { totalCount } }',
    '{ switches(first: 99999999999999999999999) { totalCount } }',
    '{ switches(first: -0x10) { totalCount } }',
    '{ boxTypes { id } } { boxTypes { id } }',
    'query A { boxTypes { id } } query A { boxTypes { id } }',
    'query A { boxTypes { id } } query B { me { id } }',
    'subscription { boxTypes { id } }',
    'fragment F on Box { id ...F } { boxes { nodes { ...F } } }',
    'fragment F on Box { ...G } fragment G on Box { ...F } { boxes { nodes { ...F } } }',
    '{ boxes { nodes { ... on Kit { id } } } }',
    '{ __schema { types { name fields { name type { name ofType { name ofType { name } } } } } } }',
    '{ __type(name: "User") { fields { name } } }',
    '{ _entities(representations: [{ __typename: "User", id: "x" }]) { ... on User { email } } }',
    '{ _service { sdl } }',
    '{ boxTypes @skip(if: "yes") { id } }',
    '{ boxTypes @unknown { id } }',
    '{ boxTypes @include(if: true) @include(if: false) { id } }',
    '{ me { email @defer } }',
    'query @deprecated { boxTypes { id } }',
    '\ufeff{ boxTypes { id } }',
    '{ boxTypes { id } } # comment \u0000',
    '{ "boxTypes" }',
    '{ boxTypes { id } }\u0000',
    'mutation { createBox(input: { title: "x", boxTypeId: "y", title: "z" }) { box { id } } }',
    '{ box(id: $undeclared) { id } }',
    'query ($id: Int!) { box(id: $id) { id } }',
    'query ($input: String) { createBox(input: $input) { box { id } } }',
    '{ boxes(owner: NOBODY) { totalCount } }',
    '{ boxes(owner: "MINE") { totalCount } }',
    '{ boxes(owner: mine) { totalCount } }',
    '{ boxTypes { id id id title title } alias: boxTypes { title: id } }',
    '{ boxTypes { id: title } boxTypes { id } }',
    '{ me { nickname(arg: 1) } }',
    '{ boxTypes { } }',
    '{ ...on Query { boxTypes { id } } }',
  );
  const nonsense = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 200 }),
    fc.string({ unit: 'grapheme', maxLength: 200 }),
    fc.array(fc.constantFrom('{', '}', '(', ')', 'a', ':', '$', '"', '...', '@', ' '), { maxLength: 300 }).map((t) => t.join('')),
  );
  return (
    fc
      .tuple(
        fc.oneof({ weight: 5, arbitrary: edited }, { weight: 3, arbitrary: handMade }, { weight: 2, arbitrary: nonsense }),
        fc.boolean(),
      )
      // Signed in only without the word mutation: an edit can leave a mutation intact (signOut would succeed).
      .map(([query, signedIn]) =>
        jsonRequest('broken-document', signedIn && !query.includes('mutation') ? 'user' : 'anonymous', { query }),
      )
  );
}

/** Deeply nested selections: real recursion through the schema, inline fragments, and plain braces. */
export function deepCases(): fc.Arbitrary<FuzzRequest> {
  const real = fc
    .tuple(
      fc.integer({ min: 1, max: 60 }),
      fc.constantFrom('keyboards', 'boxes', 'kits'),
      fc.constantFrom('id', 'nickname', 'email'),
    )
    .map(([turns, list, leaf]) => {
      let selection: string = leaf;
      for (let i = 0; i < turns; i += 1) selection = `${list} { nodes { owner { ${selection} } } }`;
      return `{ me { ${selection} } }`;
    });
  const fragments = fc
    .integer({ min: 1, max: 800 })
    .map((depth) => `{ boxTypes { ${'... on BoxType { '.repeat(depth)}id${' }'.repeat(depth)} } }`);
  const braces = fc
    .constantFrom(100, 1_000, 5_000, 20_000, 60_000)
    .map((depth) => `{ ${'a { '.repeat(depth)}b${' }'.repeat(depth)} }`);
  const introspection = fc
    .integer({ min: 1, max: 40 })
    .map((depth) => `{ __schema { types { ${'fields { type { '.repeat(depth)}name${' } }'.repeat(depth)} } } }`);
  const json = fc
    .constantFrom(100, 1_000, 10_000, 50_000)
    .map((depth) => `{"query":"{ boxTypes { id } }","variables":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}`);
  return fc.oneof(
    fc
      .tuple(fc.oneof(real, fragments, braces, introspection), fc.boolean())
      .map(([query, signedIn]) => jsonRequest('deep-nesting', signedIn ? 'user' : 'anonymous', { query })),
    json.map((body) => ({ ...jsonRequest('deep-nesting', 'anonymous', null), body })),
  );
}

/** Many aliases of cheap and not so cheap fields. */
export function aliasCases(world: World): fc.Arbitrary<FuzzRequest> {
  return fc
    .tuple(
      fc.constantFrom(2, 10, 20, 21, 50, 200, 1_000, 5_000),
      fc.constantFrom(
        '__typename',
        'boxTypes { id }',
        'me { id }',
        'box(id: "$ID") { id title }',
        'switches(first: 100) { totalCount }',
      ),
      fc.constantFrom(...(world.defaults.box.length ? world.defaults.box : ['x'])),
    )
    .map(([count, field, id]) => {
      const body = Array.from({ length: count }, (_, i) => `a${i}: ${field.replace('$ID', id)}`).join(' ');
      return jsonRequest('aliases', 'anonymous', { query: `{ ${body} }` });
    });
}

/** Huge lists: in variables (past the body limit too) and as literals in the document. */
export function hugeListCases(world: World): fc.Arbitrary<FuzzRequest> {
  const ids = world.defaults.box.length ? world.defaults.box : ['x'];
  return fc.oneof(
    fc.constantFrom(1_000, 10_000, 30_000, 200_000).map((n) =>
      jsonRequest(
        'huge-list',
        'admin',
        {
          query: 'query ($input: ActivitySeriesInput!) { activitySeries(input: $input) { events } }',
          variables: {
            input: {
              from: '2026-01-01T00:00:00Z',
              to: '2026-01-02T00:00:00Z',
              activities: Array.from({ length: n }, (_, i) => `t${i}`),
            },
          },
        },
        { field: 'activitySeries' },
      ),
    ),
    fc.constantFrom(100, 5_000, 50_000).map((n) =>
      jsonRequest('huge-list', 'anonymous', {
        query: 'query ($id: ID!) { box(id: $id) { id } }',
        variables: { id: Array.from({ length: n }, (_, i) => ids[i % ids.length]) },
      }),
    ),
    fc.constantFrom(100, 3_000, 20_000).map((n) =>
      jsonRequest('huge-list', 'anonymous', {
        query: `{ switches(first: [${Array.from({ length: n }, (_, i) => i).join(',')}]) { totalCount } }`,
      }),
    ),
    fc.constantFrom(10, 1_000).map((n) =>
      jsonRequest('huge-list', 'user', {
        query: 'mutation ($input: CreateBoxInput!) { createBox(input: $input) { box { id } } }',
        variables: { input: Array.from({ length: n }, () => ({ title: 'x', boxTypeId: 'y' })) },
      }),
    ),
    fc.constantFrom(...HUGE_STRING_SIZES).map((size) =>
      jsonRequest('huge-list', 'anonymous', {
        query: 'query ($id: ID!) { box(id: $id) { id } }',
        variables: { id: 'Ж'.repeat(size / 2) },
      }),
    ),
  );
}

/** Bodies that are not JSON, or JSON of the wrong shape, or JSON with hostile structure. */
export function invalidJsonCases(): fc.Arbitrary<FuzzRequest> {
  const text = fc.oneof(
    fc.constantFrom(
      '',
      '{',
      '}',
      '{"query": ',
      '{"query": "{ boxTypes { id } }",}',
      "{'query': '{ boxTypes { id } }'}",
      '{"query": "{ boxTypes { id } }" /* comment */}',
      '{"query": NaN}',
      '{"query": "\\ud800"}',
      '{"query": "\\u0000"}',
      'null',
      'true',
      '0',
      '"{ boxTypes { id } }"',
      '[]',
      '[1, 2]',
      '[[{"query": "{ boxTypes { id } }"}]]',
      '{}',
      '{"query": null}',
      '{"query": 1}',
      '{"query": ["{ boxTypes { id } }"]}',
      '{"query": {"kind": "Document", "definitions": []}}',
      '{"query": "{ boxTypes { id } }", "variables": "{}"}',
      '{"query": "{ boxTypes { id } }", "variables": []}',
      '{"query": "{ boxTypes { id } }", "variables": 5}',
      '{"query": "{ boxTypes { id } }", "operationName": 5}',
      '{"query": "{ boxTypes { id } }", "operationName": "Nope"}',
      '{"query": "{ boxTypes { id } }", "extensions": "x"}',
      '{"query": "{ boxTypes { id } }", "extensions": {"persistedQuery": {"version": 1, "sha256Hash": "00"}}}',
      '{"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "0000000000000000000000000000000000000000000000000000000000000000"}}}',
      '{"extensions": {"persistedQuery": {"version": 2, "sha256Hash": 5}}}',
      '{"query": "{ boxTypes { id } }", "query": "{ me { id } }"}',
      '{"__proto__": {"query": "{ boxTypes { id } }"}}',
      '{"query": "{ boxTypes { id } }", "__proto__": {"isAdmin": true}, "constructor": {"prototype": {"fuzzPolluted": true}}}',
      '{"query": "query ($i: CreateBoxInput!) { createBox(input: $i) { box { id } } }", "variables": {"i": {"__proto__": {"title": "abc"}}}}',
      '{"query": "{ boxTypes { id } }", "variables": {"__proto__": {"fuzzPolluted": true}}}',
      '\ufeff{"query": "{ boxTypes { id } }"}',
      '{"query": "{ boxTypes { id } }"}garbage',
      '{"query": "{ boxTypes { id } }"}\n{"query": "{ boxTypes { id } }"}',
      `{"query": "{ boxTypes { id } }", "variables": {"n": ${'9'.repeat(400)}}}`,
      `{"query": "{ boxTypes { id } }", "variables": {"n": 1e${'9'.repeat(40)}}}`,
    ),
    fc.string({ unit: 'binary', maxLength: 100 }),
    fc.json({ maxDepth: 3 }),
    fc.constantFrom(1_000, 100_000).map((n) => `[${'['.repeat(n)}${']'.repeat(n)}]`),
  );
  const bytes = fc.oneof(
    fc.uint8Array({ maxLength: 200 }),
    fc.constant(Uint8Array.from([0xff, 0xfe, 0x7b, 0x00, 0x7d, 0x00])),
    fc.constant(Uint8Array.from([0xc0, 0xaf, 0xe0, 0x80, 0xaf, 0xed, 0xa0, 0x80])),
    fc.constant(new TextEncoder().encode('{"query":"{ boxTypes { id } }"}').map((b, i) => (i === 12 ? 0xff : b))),
  );
  return fc.oneof(
    { weight: 3, arbitrary: text.map((body) => ({ ...jsonRequest('invalid-json', 'anonymous', null), body })) },
    { weight: 1, arbitrary: bytes.map((body) => ({ ...jsonRequest('invalid-json', 'anonymous', null), body })) },
  );
}

const gzipBomb = (() => {
  // Built once: 16 MiB of spaces and a query, about 16 kB gzipped (past the 256 kB limit once inflated).
  const cached: { value?: Uint8Array } = {};
  return async () => {
    if (!cached.value) {
      const { gzipSync } = await import('node:zlib');
      cached.value = new Uint8Array(
        gzipSync(Buffer.concat([Buffer.from('{"query":"{ boxTypes { id } }"'), Buffer.alloc(16 << 20, 0x20), Buffer.from('}')])),
      );
    }
    return cached.value;
  };
})();
export const gzipBombBody = gzipBomb;

/** Wrong or odd content types, charsets and encodings (with and without the CSRF preflight header). */
export function contentTypeCases(): fc.Arbitrary<FuzzRequest> {
  const types = fc.constantFrom(
    '',
    'text/plain',
    'text/plain; charset=utf-8',
    'application/x-www-form-urlencoded',
    'multipart/form-data',
    'multipart/form-data; boundary=----x',
    'application/graphql',
    'application/graphql-response+json',
    'application/json; charset=utf-16',
    'application/json; charset=latin1',
    'application/json; charset="utf-8"',
    'APPLICATION/JSON',
    'application/json;;;',
    'application/json, text/plain',
    'application/xml',
    'application/octet-stream',
    'image/png',
    '*/*',
    'application/json; boundary=x; charset=utf-8; foo=' + 'x'.repeat(2_000),
  );
  const bodies = fc.constantFrom(
    '{"query":"{ boxTypes { id } }"}',
    'query=%7B%20boxTypes%20%7B%20id%20%7D%20%7D',
    '{ boxTypes { id } }',
    '------x\r\nContent-Disposition: form-data; name="operations"\r\n\r\n{"query":"{ boxTypes { id } }"}\r\n------x--\r\n',
    '<?xml version="1.0"?><!DOCTYPE a [<!ENTITY b "bbbbbbbb"><!ENTITY c "&b;&b;&b;&b;&b;&b;">]><a>&c;</a>',
  );
  const encodings = fc.constantFrom('', '', '', 'gzip', 'deflate', 'br', 'identity', 'compress', 'gzip, gzip', 'x-unknown');
  return fc
    .tuple(types, bodies, encodings, fc.boolean(), fc.constantFrom('', 'https://evil.example', 'null', 'http://localhost:5173'))
    .map(([type, body, encoding, preflight, origin]) => {
      const headers: Record<string, string> = { 'x-forwarded-for': clientAddress() };
      if (type) headers['content-type'] = type;
      if (encoding) headers['content-encoding'] = encoding;
      if (preflight) headers['apollo-require-preflight'] = 'true';
      if (origin) headers.origin = origin;
      return { kind: 'content-type', method: 'POST', path: '/graphql', headers, body, as: 'anonymous' as const };
    });
}

/** encodeURIComponent, except that a lone surrogate becomes its (invalid) three UTF-8 bytes instead of throwing. */
export function encodeLoose(text: string): string {
  let out = '';
  for (const char of text) {
    const unit = char.charCodeAt(0);
    if (char.length === 1 && unit >= 0xd800 && unit <= 0xdfff) {
      out += [0xe0 | (unit >> 12), 0x80 | ((unit >> 6) & 0x3f), 0x80 | (unit & 0x3f)]
        .map((byte) => `%${byte.toString(16).toUpperCase()}`)
        .join('');
    } else out += encodeURIComponent(char);
  }
  return out;
}

/** GET requests: queries in the URL (with and without the preflight header), mutations, bad encodings. */
export function getCases(world: World): fc.Arbitrary<FuzzRequest> {
  const queryText = fc.oneof(
    fc.constantFrom('{ boxTypes { id } }', '{ me { id } }', 'mutation { signOut { endedSessions } }', '{ box(id: "x") { id } }'),
    brokenDocuments().map((request) => (JSON.parse(request.body as string) as { query: string }).query),
    variableCases(world, QUERIES, ['anonymous'], false).map(
      (request) => (JSON.parse(request.body as string) as { query: string }).query,
    ),
  );
  const variables = fc.oneof(
    fc.constant(undefined),
    fc.constantFrom('{}', '{"id":"x"}', 'not json', '[]', '{"__proto__":{"fuzzPolluted":true}}', '%E0%A4%A'),
    anyJson.map((value) => JSON.stringify(value) ?? 'null'),
  );
  return fc
    .tuple(
      queryText,
      variables,
      fc.boolean(),
      fc.constantFrom<Caller>('anonymous', 'user'),
      fc.constantFrom('', 'Nope', '\u0000', 'x'.repeat(500)),
    )
    .map(([query, vars, preflight, as, operationName]) => {
      let path = `/graphql?query=${encodeLoose(query)}`;
      if (vars !== undefined) path += `&variables=${vars.startsWith('%') ? vars : encodeLoose(vars)}`;
      if (operationName) path += `&operationName=${encodeLoose(operationName)}`;
      const headers: Record<string, string> = { 'x-forwarded-for': clientAddress() };
      if (preflight) headers['apollo-require-preflight'] = 'true';
      return { kind: 'get', method: 'GET', path, headers, as };
    });
}

/** Batched requests: arrays of operations, empty, too many, nested, with non-objects. */
export function batchCases(world: World): fc.Arbitrary<FuzzRequest> {
  const one = fc.oneof(
    variableCases(world, QUERIES, ['anonymous'], false).map((request) => JSON.parse(request.body as string) as unknown),
    brokenDocuments().map((request) => JSON.parse(request.body as string) as unknown),
    anyJson,
  );
  return fc
    .tuple(fc.array(one, { maxLength: 14 }), fc.constantFrom<Caller>('anonymous', 'user'))
    .map(([operations, as]) =>
      jsonRequest('batch', JSON.stringify(operations).includes('mutation') ? 'anonymous' : as, operations),
    );
}

/** Odd headers around a valid operation: tokens, languages, ids, cookies, forwarded addresses, methods. */
export function headerCases(): fc.Arbitrary<FuzzRequest> {
  const header = fc.oneof(
    fc.constantFrom<[string, string]>(
      ['authorization', 'Bearer'],
      ['authorization', 'Bearer '],
      ['authorization', 'Bearer garbage'],
      [
        'authorization',
        'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiIwMDAwMDAwMC0wMDAwLTAwMDAtMDAwMC0wMDAwMDAwMDAwMDAiLCJyb2xlcyI6WyJhZG1pbiJdfQ.',
      ],
      ['authorization', 'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4Iiwicm9sZXMiOlsiYWRtaW4iXX0.c2lnbmF0dXJl'],
      ['authorization', 'Basic YWRtaW46YWRtaW4='],
      ['authorization', `Bearer ${'a'.repeat(8_000)}`],
      ['authorization', 'bearer  x  y'],
      ['accept-language', 'ru'],
      ['accept-language', 'xx-YY;q=2, *;q=-1'],
      ['accept-language', '*'],
      ['accept-language', 'ru-RU,ru;q=0.9,en-US;q=0.8'],
      ['accept-language', ','.repeat(3_000)],
      ['x-request-id', 'short'],
      ['x-request-id', 'a'.repeat(129)],
      ['x-request-id', '../../etc/passwd'],
      ['x-request-id', '<script>'],
      ['x-visitor-id', 'a'.repeat(65)],
      ['x-visitor-id', "' OR 1=1"],
      ['cookie', 'kl_vid=' + 'x'.repeat(4_000)],
      ['cookie', 'kl_vid=; kl_vid=a; kl_refresh=garbage'],
      ['cookie', 'kl_refresh=' + 'A'.repeat(100)],
      ['cookie', '=;;=;'],
      ['x-forwarded-for', 'not-an-ip'],
      ['x-forwarded-for', '999.999.999.999'],
      ['x-forwarded-for', ''],
      ['x-forwarded-for', '1.1.1.1, '.repeat(500)],
      ['x-client-ip', '1.2.3.4'],
      ['x-forwarded-proto', 'javascript'],
      ['x-forwarded-host', 'evil.example'],
      ['origin', 'https://evil.example'],
      ['origin', 'null'],
      ['accept', 'text/html'],
      ['accept', 'application/graphql-response+json'],
      ['accept', 'multipart/mixed;deferSpec=20220824'],
      ['accept', 'image/png'],
      ['x-apollo-operation-name', 'x'.repeat(1_000)],
      ['apollo-require-preflight', 'false'],
      ['transfer-encoding', 'chunked'],
    ),
    // (No free x-visitor-id: one that happens to be valid would leave statistics rows nobody removes.)
    fc.tuple(
      fc.constantFrom('accept-language', 'x-request-id', 'cookie', 'x-forwarded-for', 'authorization'),
      fc.string({ unit: 'grapheme-ascii', maxLength: 100 }),
    ),
  );
  const body = fc.constantFrom(
    '{"query":"{ boxTypes { id } me { id nickname } }"}',
    '{"query":"mutation { signOut { endedSessions } }"}',
    '{"query":"mutation { refreshSession { accessToken } }"}',
    '{"query":"{ box(id: \\"00000000-0000-0000-0000-000000000000\\") { id } }"}',
  );
  return fc
    .tuple(
      fc.array(header, { minLength: 1, maxLength: 3 }),
      body,
      fc.constantFrom('POST', 'POST', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD'),
    )
    .map(([headers, payload, method]) => ({
      kind: 'headers',
      method,
      path: '/graphql',
      headers: { ...JSON_HEADERS, 'x-forwarded-for': clientAddress(), ...Object.fromEntries(headers) },
      body: method === 'HEAD' ? undefined : payload,
      as: 'anonymous' as const,
    }));
}

// ---------------------------------------------------------------------------------------------------
// Mutations that have to be refused (rejected-only batches)

/** One mutation with at least one ingredient that guarantees a refusal, the rest fuzzed. */
export function rejectedMutations(world: World): fc.Arbitrary<FuzzRequest> {
  const rejectedWorld: World = { ...world, myUploads: { model: [], preview: [] } };
  const request = (field: string, as: Caller, variables: Record<string, unknown>, doc?: string) => {
    const op = MUTATIONS.find((candidate) => candidate.field === field)!;
    return jsonRequest('mutation', as, { query: doc ?? operationText(op), variables }, { field, mustReject: true });
  };
  const anyValue = (type: string, hint: Hint, kind?: ItemKind) => argumentValue(rejectedWorld, type, hint, kind, false);

  // Anonymous: every mutation is refused, with any input (emails never well-formed here).
  const anonymous = fc.oneof(
    ...MUTATIONS.map((op) =>
      fc
        .tuple(...op.args.map(([, type, hint]) => anyValue(type, hint, op.item)))
        .map((values) => request(op.field, 'anonymous', Object.fromEntries(op.args.map(([arg], i) => [arg, values[i]])))),
    ),
  );

  const kinds: ItemKind[] = ['box', 'kit', 'keyboard'];
  const title = fc.oneof(validTitle, nastyString);
  const upload = idFor(rejectedWorld, 'uploadId', undefined, true);
  const create = fc.oneof(
    ...kinds.map((kind) => {
      const name = kind[0]!.toUpperCase() + kind.slice(1);
      // The fields of this kind's input; every one right or hostile, but never an attachable upload.
      const base: Record<string, fc.Arbitrary<unknown>> = {
        title,
        boxTypeId: idFor(world, 'boxTypeId', kind, false),
        previewUploadId: fc.option(upload),
        asDefault: fc.option(fc.constant(false)),
        ...(kind === 'kit' ? {} : { modelUploadId: fc.option(upload) }),
        ...(kind === 'keyboard' ? { switchId: idFor(world, 'switchId', kind, false) } : {}),
      };
      // ... and one of them certainly wrong.
      const poisons: Record<string, fc.Arbitrary<unknown>>[] = [
        { boxTypeId: badId },
        { title: invalidTitle },
        { asDefault: fc.constant(true) },
        { previewUploadId: upload },
        ...(kind === 'kit' ? [] : [{ modelUploadId: upload }]),
        ...(kind === 'keyboard' ? [{ switchId: badId }] : []),
      ];
      return fc
        .oneof(...poisons.map((poison) => fc.record({ ...base, ...poison })))
        .map((input) =>
          request(`create${name}`, 'user', { input: Object.fromEntries(Object.entries(input).filter(([, v]) => v !== null)) }),
        );
    }),
  );

  const foreignItem = (kind: ItemKind) => idFor(world, 'itemId', kind, true);
  const change = fc.oneof(
    ...kinds.map((kind) => {
      const name = kind[0]!.toUpperCase() + kind.slice(1);
      const replace = kind === 'box' ? 'replaceBoxFiles' : kind === 'kit' ? 'replaceKitPreview' : 'replaceKeyboardFiles';
      const mine = world.mine[kind].length ? fc.constantFrom(...world.mine[kind]) : foreignItem(kind);
      return fc.oneof(
        fc.record({ id: foreignItem(kind), title }).map((input) => request(`rename${name}`, 'user', { input })),
        fc.record({ id: mine, title: invalidTitle }).map((input) => request(`rename${name}`, 'user', { input })),
        fc.record({ id: foreignItem(kind) }).map((input) => request(`delete${name}`, 'user', { input })),
        fc
          .record({ id: foreignItem(kind), modelUploadId: fc.option(upload), previewUploadId: fc.option(upload) })
          .map((input) => request(replace, 'user', { input })),
        fc.record({ id: mine, modelUploadId: upload, previewUploadId: upload }).map((input) =>
          request(replace, 'user', {
            input: kind === 'kit' ? { id: input.id, previewUploadId: input.previewUploadId } : input,
          }),
        ),
      );
    }),
  );

  const keycap = fc
    .oneof(
      fc.record({ keycapId: idFor(world, 'keycapId', undefined, true), modelUploadId: fc.oneof(upload, badId) }),
      fc.record({
        keycapId: world.mine.keycap.length ? fc.constantFrom(...world.mine.keycap) : badId,
        modelUploadId: upload,
      }),
    )
    .map((input) => request('replaceKeycapModel', 'user', { input }));

  const users = fc.oneof(
    fc.record({ nickname: invalidNickname }).map((input) => request('changeNickname', 'user', { input })),
    // The fuzzing user has no password: every current password is wrong.
    fc
      .record({ currentPassword: passwordArb, newPassword: passwordArb })
      .map((input) => request('changePassword', 'user', { input })),
    fc
      .record({ newEmail: fc.oneof(invalidEmail, nastyString), currentPassword: passwordArb })
      .map((input) => request('requestEmailChange', 'user', { input })),
    fc.record({ code: codeArb }).map((input) => request('confirmEmailChange', 'user', { input })),
    fc.record({ sessionId: badId }).map((input) => request('revokeSession', 'user', { input })),
    fc.record({ email: invalidEmail }).map((input) => request('requestSignUpCode', 'user', { input })),
    fc.record({ email: invalidEmail }).map((input) => request('requestPasswordReset', 'user', { input })),
    fc
      .record({
        email: fc.oneof(invalidEmail, nastyString),
        password: passwordArb,
        deviceLabel: fc.option(nastyString),
        returnRefreshToken: fc.boolean(),
      })
      .map((input) =>
        request('signIn', 'anonymous', { input: Object.fromEntries(Object.entries(input).filter(([, v]) => v !== null)) }),
      ),
    fc
      .record({ email: invalidEmail, code: codeArb, password: passwordArb, nickname: fc.oneof(nastyString, invalidNickname) })
      .map((input) => request('signUp', 'anonymous', { input })),
    fc
      .record({ email: invalidEmail, code: codeArb, newPassword: passwordArb })
      .map((input) => request('resetPassword', 'anonymous', { input })),
    fc.record({ refreshToken: fc.option(tokenArb), returnRefreshToken: fc.boolean() }).map((input) =>
      request('refreshSession', 'anonymous', {
        input: input.refreshToken === null ? { returnRefreshToken: input.returnRefreshToken } : input,
      }),
    ),
  );

  // Wrong-typed variables for any mutation: refused before anything runs.
  const wrong = fc.oneof(
    ...MUTATIONS.filter((op) => op.args.length).map((op) =>
      fc
        .tuple(
          fc.constantFrom<Caller>('user', 'anonymous'),
          wrongTyped(op.args[0]![1]).filter((v) => v !== undefined),
        )
        .map(([as, value]) => request(op.field, as, { [op.args[0]![0]]: value })),
    ),
  );

  return fc.oneof(
    { weight: 3, arbitrary: anonymous },
    { weight: 4, arbitrary: create },
    { weight: 4, arbitrary: change },
    { weight: 1, arbitrary: keycap },
    { weight: 3, arbitrary: users },
    { weight: 2, arbitrary: wrong },
  );
}

/** Samples `count` values of an arbitrary with a seed derived from SEED and a stream name. */
export function sample<T>(arbitrary: fc.Arbitrary<T>, count: number, stream: string): T[] {
  let hash = SEED;
  for (const char of stream) hash = (Math.imul(hash, 31) + char.charCodeAt(0)) | 0;
  return fc.sample(arbitrary, { seed: hash, numRuns: count });
}

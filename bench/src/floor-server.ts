/**
 * The floor of `bench:gateway`: the heavy query's answer (`heavy-query.ts`) straight from the same PostgreSQL, with
 * hand-written SQL and JSON.stringify on plain node:http, in a child process of its own: what this answer costs at
 * least on this machine, without GraphQL, federation, a cache or statistics. It reads only `variables.id` of the
 * request and always answers that one query; the benchmark checks that its data is the gateway's before any load.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { json } from 'node:stream/consumers';
import pg from 'pg';
import { serveAsChild, startChild } from './child-process';

export interface FloorOptions {
  databaseUrls: { users: string; keyboards: string };
  /** The origin the keyboards subgraph writes into file URLs. */
  filesPublicUrl: string;
}

export interface RunningFloor {
  url: string;
  pid: number;
  close(): Promise<void>;
}

/** The page sizes the query asks for. */
const PAGE = { keyboards: 50, boxes: 10, kits: 2, keycaps: 20 };

type Row = Record<string, unknown>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** A Relay global id as the subgraphs give them out (`toGlobalId` of @keylab/server). */
const globalId = (type: string, id: unknown) => Buffer.from(`${type}:${id as string}`).toString('base64url');

/** A stored file's columns under a prefix, from the join aliased as the prefix. */
const fileColumns = (as: string) =>
  `${as}.storage_key AS ${as}_key, ${as}.content_type AS ${as}_type, ${as}.byte_size AS ${as}_size, ${as}.sha256 AS ${as}_sha256`;
const boxTypeColumns = 't.id AS t_id, t.title AS t_title, t.key_count AS t_keys';
/** Newest first, as User.keyboards, boxes and kits list them; the window counts every row of the owner (totalCount). */
const ownersPage = (as: string) => `WHERE ${as}.owner_id = $1 ORDER BY ${as}.created_at DESC, ${as}.id DESC LIMIT $2`;

const KEYBOARDS = `
  SELECT k.id, k.owner_id, k.title, k.created_at, count(*) OVER ()::int AS total, ${boxTypeColumns},
         s.id AS s_id, s.title AS s_title, ${fileColumns('sound')}, ${fileColumns('preview')}
  FROM keyboards k
  JOIN box_types t ON t.id = k.box_type_id
  JOIN switches s ON s.id = k.switch_id
  LEFT JOIN files sound ON sound.id = s.sound_id
  LEFT JOIN files preview ON preview.id = k.preview_id`;
const KEYBOARD_BY_ID = `${KEYBOARDS} WHERE k.id = $1`;
const KEYBOARDS_OF = `${KEYBOARDS} ${ownersPage('k')}`;
const BOXES_OF = `
  SELECT b.id, b.owner_id, b.title, b.created_at, count(*) OVER ()::int AS total, ${boxTypeColumns},
         ${fileColumns('model')}, ${fileColumns('preview')}
  FROM boxes b
  JOIN box_types t ON t.id = b.box_type_id
  LEFT JOIN files model ON model.id = b.model_id
  LEFT JOIN files preview ON preview.id = b.preview_id
  ${ownersPage('b')}`;
const KITS_OF = `
  SELECT i.id, i.owner_id, i.title, count(*) OVER ()::int AS total, ${boxTypeColumns}, ${fileColumns('preview')}
  FROM kits i
  JOIN box_types t ON t.id = i.box_type_id
  LEFT JOIN files preview ON preview.id = i.preview_id
  ${ownersPage('i')}`;
/** The first keycaps of each kit on the kits page, by title (then id), with each kit's count. */
const KEYCAPS_OF_KITS = `
  SELECT c.kit_id, c.id, c.title, c.total, ${fileColumns('model')}
  FROM (
    SELECT kit_id, id, title, model_id,
           row_number() OVER (PARTITION BY kit_id ORDER BY title, id) AS n,
           count(*) OVER (PARTITION BY kit_id)::int AS total
    FROM keycaps
    WHERE kit_id IN (SELECT i.id FROM kits i ${ownersPage('i')})
  ) c
  LEFT JOIN files model ON model.id = c.model_id
  WHERE c.n <= $3
  ORDER BY c.kit_id, c.n`;
const USER_BY_ID = 'SELECT id, nickname, created_at FROM users WHERE id = $1';

const iso = (value: unknown) => (value as Date).toISOString();
const totalOf = (rows: Row[]) => (rows[0]?.total as number | undefined) ?? 0;

/** The cursor the keyboards subgraph gives a keyboard under its default order (`encodeCursor`). */
function endCursor(rows: Row[]): string | null {
  const last = rows.at(-1);
  if (!last) return null;
  const position = ['keyboard', 'CREATED_AT', 'DESC', iso(last.created_at), last.id];
  return Buffer.from(JSON.stringify(position)).toString('base64url');
}

/** The answer's objects, field by field in the query's order. */
function shapes(filesPublicUrl: string) {
  // Every file here is of the default catalogue, so public: its URL is not signed.
  const file = (row: Row, as: string) =>
    row[`${as}_key`] == null
      ? null
      : {
          url: `${filesPublicUrl}/files/${row[`${as}_key`] as string}`,
          contentType: row[`${as}_type`],
          byteSize: row[`${as}_size`],
          sha256: row[`${as}_sha256`],
        };
  const boxType = (row: Row) => ({ id: globalId('BoxType', row.t_id), title: row.t_title, keyCount: row.t_keys });
  const item = (type: 'Keyboard' | 'Box' | 'Kit', row: Row) => ({
    id: globalId(type, row.id),
    title: row.title,
    ...(type === 'Kit' ? {} : { isDefault: row.owner_id === null, createdAt: iso(row.created_at) }),
  });
  const keyboard = (row: Row) => ({
    ...item('Keyboard', row),
    boxType: boxType(row),
    switch: { id: globalId('Switch', row.s_id), title: row.s_title, sound: file(row, 'sound') },
    preview: file(row, 'preview'),
  });
  const user = (row: Row) => ({ id: globalId('User', row.id), nickname: row.nickname, createdAt: iso(row.created_at) });
  // Every item listed is the owner's: each one's owner is that user.
  const keyboards = (rows: Row[], owner: object) => ({
    totalCount: totalOf(rows),
    pageInfo: { hasNextPage: totalOf(rows) > rows.length, endCursor: endCursor(rows) },
    nodes: rows.map((row) => ({ ...keyboard(row), owner })),
  });
  const boxes = (rows: Row[], owner: object) => ({
    totalCount: totalOf(rows),
    nodes: rows.map((row) => ({
      ...item('Box', row),
      owner,
      boxType: boxType(row),
      model: file(row, 'model'),
      preview: file(row, 'preview'),
    })),
  });
  const keycaps = (rows: Row[]) => ({
    totalCount: totalOf(rows),
    nodes: rows.map((row) => ({ id: globalId('Keycap', row.id), title: row.title, model: file(row, 'model') })),
  });
  const kits = (rows: Row[], keycapRows: Row[], owner: object) => ({
    totalCount: totalOf(rows),
    nodes: rows.map((row) => ({
      ...item('Kit', row),
      owner,
      boxType: boxType(row),
      preview: file(row, 'preview'),
      keycaps: keycaps(keycapRows.filter((keycap) => keycap.kit_id === row.id)),
    })),
  });
  return { keyboard, user, keyboards, boxes, kits };
}

function floorQuery(pools: { users: pg.Pool; keyboards: pg.Pool }, filesPublicUrl: string) {
  const shape = shapes(filesPublicUrl);
  const rows = async (pool: pg.Pool, sql: string, values: unknown[]) => (await pool.query<Row>(sql, values)).rows;

  /** The owner and everything they have, in one round trip of parallel queries. */
  async function ownerOf(ownerId: string) {
    const { keyboards: db } = pools;
    const [[owner], keyboards, boxes, kits, keycaps] = await Promise.all([
      rows(pools.users, USER_BY_ID, [ownerId]),
      rows(db, KEYBOARDS_OF, [ownerId, PAGE.keyboards]),
      rows(db, BOXES_OF, [ownerId, PAGE.boxes]),
      rows(db, KITS_OF, [ownerId, PAGE.kits]),
      rows(db, KEYCAPS_OF_KITS, [ownerId, PAGE.kits, PAGE.keycaps]),
    ]);
    if (!owner) return null;
    const user = shape.user(owner);
    return {
      ...user,
      keyboards: shape.keyboards(keyboards, user),
      boxes: shape.boxes(boxes, user),
      kits: shape.kits(kits, keycaps, user),
    };
  }

  return async (rawId: string) => {
    const [root] = UUID.test(rawId) ? await rows(pools.keyboards, KEYBOARD_BY_ID, [rawId.toLowerCase()]) : [];
    if (!root) return { keyboard: null };
    const owner = root.owner_id ? await ownerOf(root.owner_id as string) : null;
    return { keyboard: { ...shape.keyboard(root), owner } };
  };
}

function handler(answer: (id: string) => Promise<unknown>) {
  const send = (res: ServerResponse, status: number, body: string) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  };
  return async (req: IncomingMessage, res: ServerResponse) => {
    try {
      const body = (await json(req)) as { variables?: { id?: unknown } };
      const id = body.variables?.id;
      if (req.method !== 'POST' || typeof id !== 'string') return send(res, 400, '{"error":"POST the heavy query"}');
      send(res, 200, JSON.stringify({ data: await answer(id) }));
    } catch (error) {
      send(res, 500, JSON.stringify({ error: (error as Error).message }));
    }
  };
}

export async function startFloorServer(options: FloorOptions): Promise<RunningFloor> {
  const child = await startChild<string>('the floor process', import.meta.url, options);
  return { url: child.ready, pid: child.pid, close: child.close };
}

serveAsChild(import.meta.url, async ({ databaseUrls, filesPublicUrl }: FloorOptions) => {
  // 10 connections to each database, as each subgraph's Prisma adapter has.
  const pool = (connectionString: string) => new pg.Pool({ connectionString, max: 10 });
  const pools = { users: pool(databaseUrls.users), keyboards: pool(databaseUrls.keyboards) };
  const handle = handler(floorQuery(pools, filesPublicUrl));
  const server = createServer((req, res) => void handle(req, res));
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const close = async () => {
    const closed = new Promise((resolve) => server.close(resolve));
    server.closeAllConnections();
    await closed;
    await Promise.all([pools.users.end(), pools.keyboards.end()]);
  };
  return { ready: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`, close };
});

import { Prisma } from '../db/generated/client';

/**
 * The rollups hold one row per slot (and tag, item or operation name) at fixed widths, in minutes: 1, 15,
 * 60 and 1440 (days in UTC). Every real time zone's offset is a multiple of 15 minutes, so the edges of
 * any bucket of 15 minutes or more, in any zone (Asia/Kolkata at +05:30, Asia/Kathmandu at +05:45, days of
 * 23 or 25 hours), are 15-minute slot edges: a bucket is read exactly as its whole UTC days, then whole
 * hours, then quarters, then minutes at the very edges. Rows per day depend on the tags (items, names)
 * only, never on the traffic. (The alternative, a day rollup per zone, would need one per distinct offset
 * and still finer slots for DST days.) Items and operations are kept at 15 minutes and more: the
 * overview, their only reader, spans whole quarters.
 *
 * Unique visitors are HyperLogLog sketches (postgresql-hll) of the visitor ids, unioned over the rows of a
 * bucket. SKETCH is the type modifier of every sketch: log2m 14 (16,384 registers, about 0.8% standard
 * error), regwidth 5, expthresh -1 (auto: the explicit representation, a sorted list of hashes, until it
 * would be larger than the full one, so up to about 1,300 visitors, and the count is exact there), sparse
 * on. Unions of small sets stay explicit, so small sets are counted exactly over any number of slots.
 */
export const WIDTHS = [1, 15, 60, 1440] as const;
export const SKETCH = Prisma.raw('14, 5, -1, 1');
const widthRows = (widths: readonly number[]) =>
  Prisma.raw(`(VALUES ${widths.map((width) => `(${width}::smallint)`).join(', ')}) AS w(width)`);
/** Every width, and the widths of the item and operation rollups. */
export const ALL_WIDTHS = widthRows(WIDTHS);
export const QUARTERS_UP = widthRows(WIDTHS.slice(1));
/** The slot of width w.width holding `column`. */
export const slotOf = (column: Prisma.Sql) =>
  Prisma.sql`date_bin(w.width * INTERVAL '1 minute', ${column}, TIMESTAMPTZ '2000-01-01 00:00:00+00')`;
const minuteOf = (column: Prisma.Sql) =>
  Prisma.sql`date_bin(INTERVAL '1 minute', ${column}, TIMESTAMPTZ '2000-01-01 00:00:00+00')`;
/** A sketch of the visitor ids of `column` (NULL ids are left out; no id at all gives an empty sketch). */
export const sketchOf = (column: Prisma.Sql) => Prisma.sql`hll_add_agg(hll_hash_text(${column}), ${SKETCH})`;

/**
 * Events and visitor sketches per minute and tag of the events in `source` (at, tag, visitor_id): the
 * other widths are unions of these minutes, so each visitor id is hashed once whatever the widths.
 */
export const minutesOf = (source: Prisma.Sql) => Prisma.sql`
  SELECT ${minuteOf(Prisma.sql`at`)} AS slot, tag, count(*)::int AS events, ${sketchOf(Prisma.sql`visitor_id`)} AS visitors
  FROM ${source} GROUP BY 1, 2`;

/** Adds the minutes (slot, tag, events, visitors) to activity_rollups at every width. */
export const addActivity = (minutes: Prisma.Sql) => Prisma.sql`
  INSERT INTO activity_rollups (width, slot, tag, events, visitors)
  SELECT w.width, ${slotOf(Prisma.sql`m.slot`)}, m.tag, sum(m.events)::int, hll_union_agg(m.visitors)
  FROM ${minutes} m CROSS JOIN ${ALL_WIDTHS} GROUP BY 1, 2, 3 ORDER BY 1, 2
  ON CONFLICT (width, slot, tag) DO UPDATE
    SET events = activity_rollups.events + excluded.events, visitors = hll_union(activity_rollups.visitors, excluded.visitors)`;

const quarterOf = (column: Prisma.Sql) =>
  Prisma.sql`date_bin(INTERVAL '15 minutes', ${column}, TIMESTAMPTZ '2000-01-01 00:00:00+00')`;

/** Adds the item views of the events in `source` (at, tag, item_id, visitor_id) to item_rollups, through quarters. */
export const addItemViews = (source: Prisma.Sql) => Prisma.sql`
  INSERT INTO item_rollups (width, slot, tag, item_id, views, visitors)
  SELECT w.width, ${slotOf(Prisma.sql`q.slot`)}, q.tag, q.item_id, sum(q.views)::int, hll_union_agg(q.visitors)
  FROM (
    SELECT ${quarterOf(Prisma.sql`at`)} AS slot, tag, item_id, count(*) AS views, ${sketchOf(Prisma.sql`visitor_id`)} AS visitors
    FROM ${source} WHERE item_id IS NOT NULL GROUP BY 1, 2, 3
  ) q CROSS JOIN ${QUARTERS_UP} GROUP BY 1, 2, 3, 4 ORDER BY 1, 2
  ON CONFLICT (width, slot, tag, item_id) DO UPDATE
    SET views = item_rollups.views + excluded.views, visitors = hll_union(item_rollups.visitors, excluded.visitors)`;

/** Adds the GraphQL operations of the events in `source` (at, tag, operation_name, outcome, duration_ms) to operation_rollups. */
export const addOperations = (source: Prisma.Sql) => Prisma.sql`
  INSERT INTO operation_rollups (width, slot, name, operations, errors, duration_ms)
  SELECT w.width, ${slotOf(Prisma.sql`q.slot`)}, q.name, sum(q.operations)::int, sum(q.errors)::int, sum(q.duration_ms)::bigint
  FROM (
    SELECT ${quarterOf(Prisma.sql`at`)} AS slot, coalesce(operation_name, '') AS name, count(*) AS operations,
           count(*) FILTER (WHERE outcome = 'error') AS errors, coalesce(sum(duration_ms), 0) AS duration_ms
    FROM ${source} WHERE tag = 'operation' GROUP BY 1, 2
  ) q CROSS JOIN ${QUARTERS_UP} GROUP BY 1, 2, 3 ORDER BY 1, 2
  ON CONFLICT (width, slot, name) DO UPDATE
    SET operations = operation_rollups.operations + excluded.operations, errors = operation_rollups.errors + excluded.errors,
        duration_ms = operation_rollups.duration_ms + excluded.duration_ms`;

/**
 * Adds to visit_rollups, at every width: the visits of `visits` (started_at, ended_at, operations, user_id,
 * signed_up, sign: 1 for a visit added, -1 for one taken out) by the slot they started in, and the visitor
 * sketches of `minutes` (slot, tag, events, visitors), every tag and every activity tag together. Sketches
 * only grow: a visit that moves is subtracted from the counts, never from a sketch (events are never
 * removed, so nobody leaves a slot).
 */
export const addVisits = (visits: Prisma.Sql, minutes: Prisma.Sql) => Prisma.sql`
  INSERT INTO visit_rollups (width, slot, visits, bounces, duration_ms, signed_in, sign_up_visits, visitors, activity_visitors)
  SELECT width, slot, sum(visits)::int, sum(bounces)::int, sum(duration_ms)::bigint, sum(signed_in)::int, sum(sign_up_visits)::int,
         coalesce(hll_union_agg(visitors), hll_empty(${SKETCH})), coalesce(hll_union_agg(activity_visitors), hll_empty(${SKETCH}))
  FROM (
    SELECT w.width, ${slotOf(Prisma.sql`started_at`)}, sum(sign), coalesce(sum(sign) FILTER (WHERE operations <= 1), 0),
           sum(sign * (extract(epoch FROM ended_at - started_at) * 1000)::bigint), coalesce(sum(sign) FILTER (WHERE user_id IS NOT NULL), 0),
           coalesce(sum(sign) FILTER (WHERE signed_up), 0), NULL::hll, NULL::hll
    FROM ${visits} CROSS JOIN ${ALL_WIDTHS} GROUP BY 1, 2
    UNION ALL
    SELECT w.width, ${slotOf(Prisma.sql`m.slot`)}, 0, 0, 0, 0, 0, hll_union_agg(m.visitors),
           hll_union_agg(m.visitors) FILTER (WHERE m.tag <> 'operation')
    FROM ${minutes} m CROSS JOIN ${ALL_WIDTHS} GROUP BY 1, 2
  ) AS parts(width, slot, visits, bounces, duration_ms, signed_in, sign_up_visits, visitors, activity_visitors)
  GROUP BY 1, 2 ORDER BY 1, 2
  ON CONFLICT (width, slot) DO UPDATE
    SET visits = visit_rollups.visits + excluded.visits, bounces = visit_rollups.bounces + excluded.bounces,
        duration_ms = visit_rollups.duration_ms + excluded.duration_ms, signed_in = visit_rollups.signed_in + excluded.signed_in,
        sign_up_visits = visit_rollups.sign_up_visits + excluded.sign_up_visits,
        visitors = hll_union(visit_rollups.visitors, excluded.visitors),
        activity_visitors = hll_union(visit_rollups.activity_visitors, excluded.activity_visitors)`;

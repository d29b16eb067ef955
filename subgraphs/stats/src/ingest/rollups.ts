import { Prisma } from '../db/generated/client';

/**
 * The rollups (activity_rollups, visit_rollups) hold one row per slot (and tag) at three widths, in
 * minutes: 15, 60 and 1440 (days in UTC). Every real time zone's offset is a multiple of 15 minutes, so
 * the edges of any bucket of 15 minutes or more, in any zone (Asia/Kolkata at +05:30, Asia/Kathmandu at
 * +05:45, days of 23 or 25 hours), are 15-minute slot edges: a bucket is read exactly as its whole UTC
 * days, then whole hours at their edges, then 15-minute slots at the very edges (at most 2 x 3 quarters
 * and 2 x 23 hours). Rows per day depend on the number of tags only, never on the traffic, and a series
 * reads at most about 52 rows per bucket and tag whatever its length. (The alternative, a day rollup per
 * zone, would need one per distinct offset and still 15-minute slots for DST days.)
 *
 * Unique visitors are HyperLogLog sketches (postgresql-hll) of the visitor ids, unioned over the rows of a
 * bucket. SKETCH is the type modifier of every sketch: log2m 14 (16,384 registers, about 0.8% standard
 * error), regwidth 5, expthresh -1 (auto: the explicit representation, a sorted list of hashes, until it
 * would be larger than the full one, so up to about 1,300 visitors, and the count is exact there), sparse
 * on. Unions of small sets stay explicit, so small sets are counted exactly over any number of slots.
 */
export const WIDTHS = [15, 60, 1440] as const;
export const SKETCH = Prisma.raw('14, 5, -1, 1');
export const WIDTH_ROWS = Prisma.raw('(VALUES (15), (60), (1440)) AS w(width)');
/** The slot of width w.width holding `column`. */
export const slotOf = (column: Prisma.Sql) =>
  Prisma.sql`date_bin(w.width * INTERVAL '1 minute', ${column}, TIMESTAMPTZ '2000-01-01 00:00:00+00')`;
/** A sketch of the visitor ids of `column` (NULL ids are left out; no id at all gives an empty sketch). */
export const sketchOf = (column: Prisma.Sql) => Prisma.sql`hll_add_agg(hll_hash_text(${column}), ${SKETCH})`;

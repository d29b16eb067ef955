import { z } from '@keylab/config';
import type { StatsDb } from '../db/client';
import { Prisma } from '../db/generated/client';
import { INGEST_LOCK, LATE_AFTER_MS, TIMEOUT } from './ingest';
import { ALL_WIDTHS, SKETCH, slotOf } from './rollups';

export interface SignUp {
  userId: string;
  at: Date;
  visitorId: string | null;
}

const signUpSchema = z.object({
  version: z.literal(1),
  userId: z.uuid(),
  createdAt: z.iso.datetime({ offset: true }),
  // Older events have no visitor id.
  visitorId: z
    .string()
    .max(200)
    .refine((value) => !value.includes('\u0000'))
    .nullish(),
});

/** A UserRegisteredV1 message body; undefined when it is not one. */
export function parseSignUp(body: Buffer): SignUp | undefined {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
  const parsed = signUpSchema.safeParse(json);
  if (!parsed.success) return undefined;
  return { userId: parsed.data.userId, at: new Date(parsed.data.createdAt), visitorId: parsed.data.visitorId ?? null };
}

/**
 * Stores a sign-up once per user (a redelivery changes nothing) and marks the visit it happened in, with
 * the visit rollup, under the consumer's lock (visits that merge later look sign-ups up themselves);
 * `late` when a new one is older than LATE_AFTER_MS, so buckets already cached as closed may have changed.
 */
export async function recordSignUp(db: StatsDb, signUp: SignUp, now = new Date()): Promise<{ inserted: boolean; late: boolean }> {
  const [, [row]] = await db.$transaction([
    db.$executeRaw`SELECT pg_advisory_xact_lock(${INGEST_LOCK}::bigint)`,
    db.$queryRaw<{ inserted: number }[]>`
      WITH new AS (
        INSERT INTO sign_ups (user_id, at, visitor_id) VALUES (${signUp.userId}, ${signUp.at}::timestamptz, ${signUp.visitorId})
        ON CONFLICT (user_id) DO NOTHING
        RETURNING at, visitor_id
      ),
      marked AS (
        UPDATE visits v SET signed_up = true FROM new
        WHERE v.visitor_id = new.visitor_id AND v.started_at <= new.at AND v.ended_at + ${TIMEOUT}::interval > new.at
          AND NOT v.signed_up
        RETURNING v.started_at
      ),
      counted AS (
        INSERT INTO visit_rollups (width, slot, visits, bounces, duration_ms, signed_in, sign_up_visits, visitors, activity_visitors)
        SELECT w.width, ${slotOf(Prisma.sql`started_at`)}, 0, 0, 0, 0, count(*)::int, hll_empty(${SKETCH}), hll_empty(${SKETCH})
        FROM marked CROSS JOIN ${ALL_WIDTHS} GROUP BY 1, 2
        ON CONFLICT (width, slot) DO UPDATE SET sign_up_visits = visit_rollups.sign_up_visits + excluded.sign_up_visits
      )
      SELECT count(*)::int AS inserted FROM new`,
  ]);
  const inserted = row!.inserted > 0;
  return { inserted, late: inserted && signUp.at.getTime() < now.getTime() - LATE_AFTER_MS };
}

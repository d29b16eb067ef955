import { z } from '@keylab/config';
import type { StatsDb } from '../db/client';
import { LATE_AFTER_MS } from './ingest';

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
 * Stores a sign-up once per user (a redelivery changes nothing); `late` when a new one is older than
 * LATE_AFTER_MS, so buckets already cached as closed may have changed.
 */
export async function recordSignUp(db: StatsDb, signUp: SignUp, now = new Date()): Promise<{ inserted: boolean; late: boolean }> {
  const inserted = await db.$executeRaw`
    INSERT INTO sign_ups (user_id, at, visitor_id) VALUES (${signUp.userId}, ${signUp.at}::timestamptz, ${signUp.visitorId})
    ON CONFLICT (user_id) DO NOTHING`;
  return { inserted: inserted > 0, late: inserted > 0 && signUp.at.getTime() < now.getTime() - LATE_AFTER_MS };
}

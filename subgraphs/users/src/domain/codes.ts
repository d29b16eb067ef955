import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';
import { errors } from '@keylab/errors';
import type { UsersDb } from '../db/client';
import type { Prisma } from '../db/generated/client';

export type CodePurpose = 'sign_up' | 'password_reset' | 'email_change';

export const CODE_TTL_MS = 10 * 60_000;
export const MAX_CODE_TRIES = 5;

type Tx = Prisma.TransactionClient;

export class CodeHasher {
  constructor(private readonly secret: string) {}

  /** HMAC bound to purpose and address: a code is worthless for another address or purpose. */
  hash(purpose: CodePurpose, email: string, code: string): string {
    return createHmac('sha256', this.secret).update(`${purpose}\n${email}\n${code}`).digest('hex');
  }

  matches(stored: string, purpose: CodePurpose, email: string, code: string): boolean {
    const expected = Buffer.from(stored, 'hex');
    const actual = Buffer.from(this.hash(purpose, email, code), 'hex');
    return expected.length === actual.length && timingSafeEqual(expected, actual);
  }
}

/** A new 6-digit code from the CSPRNG; any earlier live code for the same address and purpose stops working. */
export async function issueCode(
  tx: Tx,
  hasher: CodeHasher,
  input: { purpose: CodePurpose; email: string; userId?: string },
): Promise<string> {
  const code = randomInt(0, 1_000_000).toString().padStart(6, '0');
  const now = new Date();
  await tx.verificationCode.updateMany({
    where: { purpose: input.purpose, email: input.email, spentAt: null },
    data: { spentAt: now },
  });
  await tx.verificationCode.create({
    data: {
      purpose: input.purpose,
      email: input.email,
      userId: input.userId,
      codeHash: hasher.hash(input.purpose, input.email, code),
      createdAt: now,
      expiresAt: new Date(now.getTime() + CODE_TTL_MS),
    },
  });
  return code;
}

/**
 * Checks a code and, when it is right, spends it inside `tx` (single use, also under concurrent tries).
 * A wrong code counts a try; the fifth wrong try spends the code. Any failure is BAD_USER_INPUT on `code`.
 */
export async function spendCode(
  db: UsersDb,
  tx: Tx,
  hasher: CodeHasher,
  input: { purpose: CodePurpose; email?: string; userId?: string; code: string },
): Promise<{ email: string; userId: string | null }> {
  const live = await tx.verificationCode.findFirst({
    where: { purpose: input.purpose, email: input.email, userId: input.userId, spentAt: null, expiresAt: { gt: new Date() } },
    orderBy: { createdAt: 'desc' },
  });
  const invalid = () => errors.badField('code', 'code.invalid');
  if (!live) throw invalid();
  if (!hasher.matches(live.codeHash, input.purpose, live.email, input.code)) {
    // Counted outside `tx`, which the error rolls back.
    const [counted] = await db.$queryRaw<{ attempts: number }[]>`
      UPDATE verification_codes
         SET attempts = attempts + 1,
             spent_at = CASE WHEN attempts + 1 >= ${MAX_CODE_TRIES} THEN now() ELSE spent_at END
       WHERE id = ${live.id}::uuid AND spent_at IS NULL
      RETURNING attempts`;
    if (!counted || counted.attempts >= MAX_CODE_TRIES) throw errors.badField('code', 'code.tooManyTries');
    throw invalid();
  }
  const spent = await tx.verificationCode.updateMany({ where: { id: live.id, spentAt: null }, data: { spentAt: new Date() } });
  if (spent.count !== 1) throw invalid();
  return { email: live.email, userId: live.userId };
}

import { createHash, timingSafeEqual } from 'node:crypto';
import { hash, verify, type Algorithm } from '@node-rs/argon2';

/** OWASP's Argon2id parameters (19 MiB, 2 passes, 1 lane). */
const ARGON2_ID = 2 as Algorithm.Argon2id;
export const ARGON2 = { algorithm: ARGON2_ID, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

/** One hash on libuv's thread pool, whenever asked: for seeds, imports and tests. The service hashes with a `PasswordHasher`. */
export const hashPassword = (password: string) => hash(password, ARGON2);

/** A hash of nothing, verified for unknown accounts so that they cost the same time as known ones. */
const dummyHash = hashPassword(`dummy-${Math.random()}`);

export interface StoredPassword {
  passwordHash: string | null;
  legacySalt: string | null;
  legacyHash: string | null;
}

/** The original KeyLab's scheme: lower-case hex SHA-512 of salt followed by password. */
export function legacyHash(salt: string, password: string): string {
  return createHash('sha512').update(`${salt}${password}`, 'utf8').digest('hex');
}

export type PasswordCheck = 'ok' | 'ok-upgrade' | 'wrong';

type Verify = (hashed: string, password: string) => Promise<boolean>;

/**
 * Verifies a password against an Argon2id hash or, for imported accounts, the legacy hash. Every wrong
 * password costs one Argon2id verification, so its timing tells no unknown, legacy or upgraded account apart.
 */
export async function checkPassword(
  stored: StoredPassword | null,
  password: string,
  verifyHash: Verify = verify,
): Promise<PasswordCheck> {
  if (stored?.passwordHash) return (await verifyHash(stored.passwordHash, password)) ? 'ok' : 'wrong';
  if (stored?.legacySalt && stored.legacyHash) {
    const expected = Buffer.from(stored.legacyHash.toLowerCase(), 'hex');
    const actual = Buffer.from(legacyHash(stored.legacySalt, password), 'hex');
    if (expected.length === actual.length && timingSafeEqual(expected, actual)) return 'ok-upgrade';
  }
  await verifyHash(await dummyHash, password);
  return 'wrong';
}

import type { Viewer } from './viewer';

export interface VerifiedToken {
  viewer: Viewer;
  /** The token's exp, in milliseconds. */
  expiresAt: number;
}

export interface VerifiedTokens {
  get(token: string): VerifiedToken | undefined;
  remember(token: string, verified: VerifiedToken): VerifiedToken;
  readonly size: number;
}

/**
 * Tokens whose signature and claims were verified, each remembered for `rememberMs` at most and never past
 * its expiry; beyond `capacity` tokens the oldest is forgotten.
 */
export function verifiedTokens({ capacity, rememberMs }: { capacity: number; rememberMs: number }): VerifiedTokens {
  const entries = new Map<string, { verified: VerifiedToken; until: number }>();
  return {
    get(token) {
      const entry = entries.get(token);
      if (entry && entry.until > Date.now()) return entry.verified;
      entries.delete(token);
      return undefined;
    },
    remember(token, verified) {
      if (entries.size >= capacity) entries.delete(entries.keys().next().value!);
      entries.set(token, { verified, until: Math.min(verified.expiresAt, Date.now() + rememberMs) });
      return verified;
    },
    get size() {
      return entries.size;
    },
  };
}

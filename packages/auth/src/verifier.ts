import {
  createLocalJWKSet,
  errors as joseErrors,
  jwtVerify,
  type JSONWebKeySet,
  type JWTPayload,
  type JWTVerifyGetKey,
} from 'jose';
import { InvalidTokenError, KeysUnavailableError } from './errors';
import { remoteKeySet } from './remote-keys';
import { sessionEndedCheck } from './revocation-check';
import type { SessionRevocations } from './revocations';
import { verifiedTokens, type VerifiedToken } from './verified-tokens';
import type { Viewer } from './viewer';

export const ACCESS_TOKEN_ALGORITHMS = ['EdDSA', 'ES256'];
/** The JWT type of access tokens (RFC 9068): no other JWT of the users service passes for one. */
export const ACCESS_TOKEN_TYPE = 'at+jwt';

export interface VerifierOptions {
  /** The URL of the users service's JWKS, or a key set at hand. */
  jwks: string | JSONWebKeySet;
  issuer: string;
  audience: string;
  /** Ended sessions, asked on every call: their tokens are refused at once, and so is a token without sid. */
  revocations?: Pick<SessionRevocations, 'isRevoked'>;
  /** Told once per outage that `revocations` could not answer (tokens are then trusted on their signature). */
  onRevocationsUnavailable?: (error: unknown) => void;
  /**
   * With a JWKS URL: keys fetched are used this long before being fetched again, so a key withdrawn from
   * the JWKS stops being trusted within this time plus the minute a verified token is remembered.
   */
  keysMaxAgeMs?: number;
  /**
   * With a JWKS URL that cannot be reached: the last keys fetched are used this much longer, then every
   * call fails with KeysUnavailableError.
   */
  keepKeysWhenUnreachableMs?: number;
}

export const DEFAULT_KEYS_MAX_AGE_MS = 60_000;
export const DEFAULT_KEEP_KEYS_WHEN_UNREACHABLE_MS = 10 * 60_000;

/** A verified token is remembered this long at most: a key withdrawn from the JWKS stops working soon. */
const REMEMBER_MS = 60_000;
const REMEMBERED_TOKENS = 10_000;

/** Resolves to the viewer; rejects with InvalidTokenError, or KeysUnavailableError when it cannot tell. */
export type AccessTokenVerifier = (token: string) => Promise<Viewer>;

/**
 * Verifies access tokens with jose against the users service's published keys. A client sends the same
 * token with every request for its 15 minutes: each process remembers what it verified for up to a minute
 * (never past the token's expiry) instead of checking the signature again, but asks about its session
 * every time.
 */
export function createAccessTokenVerifier(options: VerifierOptions): AccessTokenVerifier {
  const keys =
    typeof options.jwks === 'string'
      ? remoteKeySet(new URL(options.jwks), {
          maxAgeMs: options.keysMaxAgeMs ?? DEFAULT_KEYS_MAX_AGE_MS,
          keepWhenUnreachableMs: options.keepKeysWhenUnreachableMs ?? DEFAULT_KEEP_KEYS_WHEN_UNREACHABLE_MS,
        })
      : createLocalJWKSet(options.jwks);
  const verifySignature = signatureVerifier(keys, options);
  const verified = verifiedTokens({ capacity: REMEMBERED_TOKENS, rememberMs: REMEMBER_MS });
  const sessionEnded = options.revocations && sessionEndedCheck(options.revocations, options.onRevocationsUnavailable);
  return async (token) => {
    // A remembered token skips the signature, never the question whether its session has ended.
    const { viewer } = verified.get(token) ?? verified.remember(token, await verifySignature(token));
    if (sessionEnded) {
      if (!viewer.sessionId) throw new InvalidTokenError('The token names no session that could be ended');
      if (await sessionEnded(viewer.sessionId)) throw new InvalidTokenError('The session has ended', 'TOKEN_REVOKED');
    }
    return viewer;
  };
}

function signatureVerifier(keys: JWTVerifyGetKey, options: VerifierOptions) {
  return async (token: string): Promise<VerifiedToken> => {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keys, {
        issuer: options.issuer,
        audience: options.audience,
        algorithms: ACCESS_TOKEN_ALGORITHMS,
        typ: ACCESS_TOKEN_TYPE,
        requiredClaims: ['sub', 'exp', 'iat', 'jti'],
      }));
    } catch (error) {
      if (error instanceof KeysUnavailableError) throw error;
      throw new InvalidTokenError(
        (error as Error).message,
        error instanceof joseErrors.JWTExpired ? 'TOKEN_EXPIRED' : 'TOKEN_INVALID',
      );
    }
    const roles = Array.isArray(payload.roles) ? payload.roles.filter((r): r is string => typeof r === 'string') : [];
    return {
      viewer: { userId: payload.sub!, roles, sessionId: typeof payload.sid === 'string' ? payload.sid : null },
      expiresAt: payload.exp! * 1000,
    };
  };
}

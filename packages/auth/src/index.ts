import { createLocalJWKSet, createRemoteJWKSet, jwtVerify, type JSONWebKeySet, type JWTPayload } from 'jose';

/** Who is calling, as proved by a verified access token. */
export interface Viewer {
  userId: string;
  roles: readonly string[];
  /** The session the token was issued for (claim sid). */
  sessionId: string | null;
}

export const ACCESS_TOKEN_ALGORITHMS = ['EdDSA', 'ES256'];

export interface VerifierOptions {
  /** The URL of the users service's JWKS, or a key set at hand. */
  jwks: string | JSONWebKeySet;
  issuer: string;
  audience: string;
}

export class InvalidTokenError extends Error {
  override name = 'InvalidTokenError';
}

export type AccessTokenVerifier = (token: string) => Promise<Viewer>;

/** A verified token is remembered this long at most (so a key withdrawn from the JWKS stops working soon). */
const REMEMBER_MS = 60_000;
const REMEMBERED_TOKENS = 10_000;

/**
 * Verifies access tokens with jose against the users service's published keys. A client sends the same
 * token with every request for its 15 minutes: each process remembers what it verified for up to a
 * minute (never past the token's expiry) instead of checking the signature again.
 */
export function createAccessTokenVerifier(options: VerifierOptions): AccessTokenVerifier {
  const keys =
    typeof options.jwks === 'string'
      ? createRemoteJWKSet(new URL(options.jwks), { cooldownDuration: 30_000, cacheMaxAge: 10 * 60_000 })
      : createLocalJWKSet(options.jwks);
  const verified = new Map<string, { viewer: Viewer; until: number }>();
  const verify = verifySignature(keys, options);
  return async (token) => {
    const known = verified.get(token);
    if (known && known.until > Date.now()) return known.viewer;
    verified.delete(token);
    const { viewer, expiresAt } = await verify(token);
    if (verified.size >= REMEMBERED_TOKENS) verified.delete(verified.keys().next().value!);
    verified.set(token, { viewer, until: Math.min(expiresAt, Date.now() + REMEMBER_MS) });
    return viewer;
  };
}

function verifySignature(keys: Parameters<typeof jwtVerify>[1], options: VerifierOptions) {
  return async (token: string): Promise<{ viewer: Viewer; expiresAt: number }> => {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keys, {
        issuer: options.issuer,
        audience: options.audience,
        algorithms: ACCESS_TOKEN_ALGORITHMS,
        requiredClaims: ['sub', 'exp', 'iat', 'jti'],
      }));
    } catch (error) {
      throw new InvalidTokenError((error as Error).message);
    }
    const roles = Array.isArray(payload.roles) ? payload.roles.filter((r): r is string => typeof r === 'string') : [];
    return {
      viewer: { userId: payload.sub!, roles, sessionId: typeof payload.sid === 'string' ? payload.sid : null },
      expiresAt: payload.exp! * 1000,
    };
  };
}

/** The bearer token of an Authorization header; undefined when there is none. */
export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match) throw new InvalidTokenError('Authorization is not a Bearer token');
  return match[1];
}

export const isAdmin = (viewer: Viewer | null | undefined): boolean => viewer?.roles.includes('admin') ?? false;
export { REFRESH_COOKIE, readCookie } from './cookies';
export { sessionRevocations, type SessionRevocations, type RevocationOptions } from './revocations';

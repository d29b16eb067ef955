export {
  ACCESS_TOKEN_ALGORITHMS,
  ACCESS_TOKEN_TYPE,
  createAccessTokenVerifier,
  DEFAULT_KEEP_KEYS_WHEN_UNREACHABLE_MS,
  DEFAULT_KEYS_MAX_AGE_MS,
  type AccessTokenVerifier,
  type VerifierOptions,
} from './verifier';
export { InvalidTokenError, KeysUnavailableError, type TokenProblem } from './errors';
export { isAdmin, type Viewer } from './viewer';
export { bearerToken } from './bearer';
export { REFRESH_COOKIE, readCookie } from './cookies';
export { sessionRevocations, type SessionRevocations, type RevocationOptions } from './revocations';

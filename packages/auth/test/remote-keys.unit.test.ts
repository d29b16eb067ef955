import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createAccessTokenVerifier, InvalidTokenError, KeysUnavailableError, type AccessTokenVerifier } from '../src/index';
import { startJwksServer, type JwksServer } from './jwks-server';
import { accessToken, AUDIENCE, ISSUER, signingKey, type SigningKey } from './tokens';

const SECOND = 1_000;
const MINUTE = 60 * SECOND;

let current: SigningKey;
let next: SigningKey;
let stranger: SigningKey;
let jwks: JwksServer;
let verify: AccessTokenVerifier;

beforeAll(async () => {
  [current, next, stranger] = await Promise.all([signingKey('current'), signingKey('next'), signingKey('stranger')]);
});

beforeEach(async () => {
  vi.useFakeTimers({ toFake: ['Date'] });
  jwks = await startJwksServer([current.jwk]);
  // The defaults: keys are fetched again after a minute and kept ten minutes more while the JWKS is away.
  verify = createAccessTokenVerifier({ jwks: jwks.url, issuer: ISSUER, audience: AUDIENCE });
});

afterEach(async () => {
  vi.useRealTimers();
  await jwks.close();
});

const later = (ms: number) => vi.setSystemTime(Date.now() + ms);

describe('keys from the JWKS URL', () => {
  it('are fetched once for many tokens, and a signature that does not match is an invalid token', async () => {
    for (let i = 0; i < 3; i++) await expect(verify(await accessToken(current))).resolves.toMatchObject({ userId: 'u1' });
    await expect(verify(await accessToken(stranger, { kid: 'current' }))).rejects.toBeInstanceOf(InvalidTokenError);
    await expect(verify('not.a.token')).rejects.toBeInstanceOf(InvalidTokenError);
    expect(jwks.requests).toBe(1);
  });

  it('stop being trusted about a minute after the JWKS withdraws them, plus the minute a token is remembered', async () => {
    await verify(await accessToken(current));
    jwks.state.keys = [next.jwk];
    later(30 * SECOND);
    const remembered = await accessToken(current);
    await expect(verify(remembered)).resolves.toMatchObject({ userId: 'u1' });

    later(31 * SECOND);
    await expect(verify(await accessToken(current))).rejects.toBeInstanceOf(InvalidTokenError);
    await expect(verify(await accessToken(next))).resolves.toMatchObject({ userId: 'u1' });
    await expect(verify(remembered)).resolves.toMatchObject({ userId: 'u1' });

    later(30 * SECOND);
    await expect(verify(remembered)).rejects.toBeInstanceOf(InvalidTokenError);
  });

  it('pick up a key the JWKS adds when a token names it, at most every 30 seconds', async () => {
    await verify(await accessToken(current));
    jwks.state.keys = [current.jwk, next.jwk];
    await expect(verify(await accessToken(next))).rejects.toBeInstanceOf(InvalidTokenError);
    later(31 * SECOND);
    await expect(verify(await accessToken(next))).resolves.toMatchObject({ userId: 'u1' });
    await expect(verify(await accessToken(current, { kid: 'unknown' }))).rejects.toBeInstanceOf(InvalidTokenError);
    expect(jwks.requests).toBe(2);
  });

  it.each(['unreachable', 'failing'] as const)(
    'are kept ten minutes while the JWKS is %s, then the answer is KeysUnavailableError until it is back',
    async (mode) => {
      await verify(await accessToken(current));
      jwks.state.mode = mode;

      later(MINUTE + SECOND);
      await expect(verify(await accessToken(current))).resolves.toMatchObject({ userId: 'u1' });
      await expect(verify(await accessToken(stranger, { kid: 'current' }))).rejects.toBeInstanceOf(InvalidTokenError);
      await expect(verify(await accessToken(next))).rejects.toBeInstanceOf(KeysUnavailableError);
      await expect(verify('not.a.token')).rejects.toBeInstanceOf(InvalidTokenError);
      expect(jwks.requests).toBe(2);

      later(10 * MINUTE - 2 * SECOND);
      await expect(verify(await accessToken(current))).resolves.toMatchObject({ userId: 'u1' });
      later(2 * SECOND);
      const refused = verify(await accessToken(current));
      await expect(refused).rejects.toBeInstanceOf(KeysUnavailableError);
      await expect(refused).rejects.toHaveProperty('cause');

      jwks.state.mode = 'up';
      jwks.state.keys = [next.jwk];
      await expect(verify(await accessToken(next))).rejects.toBeInstanceOf(KeysUnavailableError);
      later(5 * SECOND);
      await expect(verify(await accessToken(next))).resolves.toMatchObject({ userId: 'u1' });
      await expect(verify(await accessToken(current))).rejects.toBeInstanceOf(InvalidTokenError);
    },
  );

  it('try an unreachable JWKS again every five seconds, not on every request', async () => {
    await verify(await accessToken(current));
    jwks.state.mode = 'unreachable';
    later(MINUTE + SECOND);
    for (let i = 0; i < 5; i++) await verify(await accessToken(current));
    expect(jwks.requests).toBe(2);
    later(5 * SECOND);
    await verify(await accessToken(current));
    await vi.waitFor(() => expect(jwks.requests).toBe(3));
    jwks.state.mode = 'up';
    later(5 * SECOND);
    await verify(await accessToken(current));
    await vi.waitFor(() => expect(jwks.requests).toBe(4));
    for (let i = 0; i < 5; i++) await verify(await accessToken(current));
    expect(jwks.requests).toBe(4);
  });

  it('that never could be fetched make every signed token KeysUnavailableError', async () => {
    jwks.state.mode = 'unreachable';
    await expect(verify(await accessToken(current))).rejects.toBeInstanceOf(KeysUnavailableError);
    await expect(verify('not.a.token')).rejects.toBeInstanceOf(InvalidTokenError);
  });

  it('follow the keysMaxAgeMs and keepKeysWhenUnreachableMs options', async () => {
    const quick = createAccessTokenVerifier({
      jwks: jwks.url,
      issuer: ISSUER,
      audience: AUDIENCE,
      keysMaxAgeMs: 5 * SECOND,
      keepKeysWhenUnreachableMs: 20 * SECOND,
    });
    await quick(await accessToken(current));
    jwks.state.keys = [next.jwk];
    later(6 * SECOND);
    await expect(quick(await accessToken(current))).rejects.toBeInstanceOf(InvalidTokenError);
    jwks.state.mode = 'unreachable';
    later(24 * SECOND);
    await expect(quick(await accessToken(next))).resolves.toMatchObject({ userId: 'u1' });
    later(2 * SECOND);
    await expect(quick(await accessToken(next))).rejects.toBeInstanceOf(KeysUnavailableError);
  });
});

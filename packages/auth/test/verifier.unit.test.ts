import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createAccessTokenVerifier, InvalidTokenError, type VerifierOptions } from '../src/index';
import { accessToken, AUDIENCE, ISSUER, signingKey, type SigningKey } from './tokens';

let key: SigningKey;
beforeAll(async () => {
  key = await signingKey('k1');
});
afterEach(() => {
  vi.useRealTimers();
});

const verifier = (options: Partial<VerifierOptions> = {}) =>
  createAccessTokenVerifier({ jwks: { keys: [key.jwk] }, issuer: ISSUER, audience: AUDIENCE, ...options });

/** Ended sessions at hand, which the test ends, or makes unable to answer. */
function fakeRevocations() {
  const state = { ended: new Set<string>(), down: false, hanging: false, asked: 0 };
  const isRevoked = async (sessionId: string) => {
    state.asked += 1;
    if (state.hanging) return new Promise<boolean>(() => {});
    if (state.down) throw new Error('redis is down');
    return state.ended.has(sessionId);
  };
  return { state, revocations: { isRevoked } };
}

describe('the access token verifier', () => {
  it('remembers a verified token only until it expires', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const verify = verifier();
    const token = await accessToken(key, { expiresIn: 2 });
    expect(await verify(token)).toEqual({ userId: 'u1', roles: ['user'], sessionId: 's1' });
    expect(await verify(token)).toEqual({ userId: 'u1', roles: ['user'], sessionId: 's1' });
    vi.setSystemTime(Date.now() + 2_100);
    await expect(verify(token)).rejects.toBeInstanceOf(InvalidTokenError);
    // Told apart from a forged one: the client refreshes rather than signs in again.
    await expect(verify(token)).rejects.toMatchObject({ reason: 'TOKEN_EXPIRED' });
  });

  it('accepts only access tokens: typ at+jwt (RFC 9068)', async () => {
    const verify = verifier();
    await expect(verify(await accessToken(key))).resolves.toMatchObject({ userId: 'u1' });
    await expect(verify(await accessToken(key, { typ: 'application/at+jwt' }))).resolves.toMatchObject({ userId: 'u1' });
    for (const typ of [null, 'JWT', 'id+jwt']) {
      await expect(verify(await accessToken(key, { typ }))).rejects.toBeInstanceOf(InvalidTokenError);
    }
  });

  it('refuses the token of an ended session at once, also when it is remembered', async () => {
    const { state, revocations } = fakeRevocations();
    const verify = verifier({ revocations });
    const token = await accessToken(key, { sid: 's1' });
    const other = await accessToken(key, { sid: 's2' });
    await expect(verify(token)).resolves.toMatchObject({ sessionId: 's1' });
    state.ended.add('s1');
    await expect(verify(token)).rejects.toMatchObject({ message: 'The session has ended', reason: 'TOKEN_REVOKED' });
    await expect(verify(other)).resolves.toMatchObject({ sessionId: 's2' });
    expect(state.asked).toBe(3);
  });

  it('refuses a token without sid when sessions can end, and accepts it when they cannot', async () => {
    const token = await accessToken(key, { sid: null });
    await expect(verifier({ revocations: fakeRevocations().revocations })(token)).rejects.toBeInstanceOf(InvalidTokenError);
    await expect(verifier()(token)).resolves.toMatchObject({ sessionId: null });
  });

  it('trusts the signature while ended sessions cannot be asked about, and reports each outage once', async () => {
    const { state, revocations } = fakeRevocations();
    const onRevocationsUnavailable = vi.fn();
    const verify = verifier({ revocations, onRevocationsUnavailable });
    const token = await accessToken(key);
    state.down = true;
    for (let i = 0; i < 3; i++) await expect(verify(token)).resolves.toMatchObject({ userId: 'u1' });
    expect(onRevocationsUnavailable).toHaveBeenCalledTimes(1);
    expect(onRevocationsUnavailable).toHaveBeenCalledWith(new Error('redis is down'));

    state.down = false;
    state.ended.add('s1');
    await expect(verify(token)).rejects.toBeInstanceOf(InvalidTokenError);
    state.down = true;
    await expect(verify(token)).resolves.toMatchObject({ userId: 'u1' });
    expect(onRevocationsUnavailable).toHaveBeenCalledTimes(2);
  });

  it('does not wait long for ended sessions that do not answer', async () => {
    const { state, revocations } = fakeRevocations();
    const onRevocationsUnavailable = vi.fn();
    const verify = verifier({ revocations, onRevocationsUnavailable });
    state.hanging = true;
    const started = Date.now();
    await expect(verify(await accessToken(key))).resolves.toMatchObject({ userId: 'u1' });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(onRevocationsUnavailable).toHaveBeenCalledTimes(1);
  });
});

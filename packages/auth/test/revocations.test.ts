import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createRedis, type Redis } from '@keylab/redis';
import { createAccessTokenVerifier, InvalidTokenError, sessionRevocations } from '../src/index';
import { accessToken, AUDIENCE, ISSUER, signingKey, type SigningKey } from './tokens';

const quiet = { info: () => {}, warn: () => {} } as unknown as Parameters<typeof createRedis>[1];
const options = { prefix: `test-auth-${crypto.randomUUID()}`, tokenTtlSeconds: 900 };

let key: SigningKey;
let redis: Redis;

beforeAll(async () => {
  key = await signingKey('k1');
  redis = createRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', quiet);
  await new Promise((resolve) => redis.once('ready', resolve));
});

afterAll(() => {
  redis?.disconnect();
});

const verifierWith = (revocations: ReturnType<typeof sessionRevocations>, onRevocationsUnavailable = vi.fn()) =>
  createAccessTokenVerifier({
    jwks: { keys: [key.jwk] },
    issuer: ISSUER,
    audience: AUDIENCE,
    revocations,
    onRevocationsUnavailable,
  });

describe('sessions ended in Redis', () => {
  it('refuse their tokens in every verifier at once, remembered or not, for as long as a token lives', async () => {
    const revocations = sessionRevocations(redis, options);
    const [gateway, subgraph] = [verifierWith(revocations), verifierWith(revocations)];
    const sessionId = crypto.randomUUID();
    const ended = await accessToken(key, { sid: sessionId });
    const kept = await accessToken(key, { sid: crypto.randomUUID() });
    await expect(gateway(ended)).resolves.toMatchObject({ sessionId });

    await revocations.revoke([sessionId]);
    await expect(gateway(ended)).rejects.toBeInstanceOf(InvalidTokenError);
    await expect(subgraph(ended)).rejects.toBeInstanceOf(InvalidTokenError);
    await expect(gateway(kept)).resolves.toMatchObject({ userId: 'u1' });
    const ttl = await redis.ttl(`${options.prefix}:revoked-session:${sessionId}`);
    expect(ttl).toBeGreaterThan(900);
  });

  it('do not sign everybody out while Redis is away: the signature is trusted and the outage reported once', async () => {
    const away = createRedis('redis://127.0.0.1:1', quiet);
    try {
      const onRevocationsUnavailable = vi.fn();
      const verify = verifierWith(sessionRevocations(away, options), onRevocationsUnavailable);
      const token = await accessToken(key, { sid: crypto.randomUUID() });
      for (let i = 0; i < 3; i++) await expect(verify(token)).resolves.toMatchObject({ userId: 'u1' });
      expect(onRevocationsUnavailable).toHaveBeenCalledTimes(1);
      expect(onRevocationsUnavailable.mock.calls[0]![0]).toBeInstanceOf(Error);
    } finally {
      away.disconnect();
    }
  });
});

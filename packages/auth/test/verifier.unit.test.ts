import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { createAccessTokenVerifier, InvalidTokenError } from '../src/index';

describe('the access token verifier', () => {
  it('remembers a verified token only until it expires', async () => {
    const { privateKey, publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'EdDSA' };
    const verify = createAccessTokenVerifier({ jwks: { keys: [jwk] }, issuer: 'keylab-users', audience: 'keylab' });
    const now = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({ roles: ['user'], sid: 's1' })
      .setProtectedHeader({ alg: 'EdDSA', kid: 'k1' })
      .setSubject('u1')
      .setIssuer('keylab-users')
      .setAudience('keylab')
      .setIssuedAt(now)
      .setJti('j1')
      .setExpirationTime(now + 2)
      .sign(privateKey);
    expect(await verify(token)).toEqual({ userId: 'u1', roles: ['user'], sessionId: 's1' });
    expect(await verify(token)).toEqual({ userId: 'u1', roles: ['user'], sessionId: 's1' });
    await new Promise((resolve) => setTimeout(resolve, (now + 2) * 1000 - Date.now() + 1_100));
    await expect(verify(token)).rejects.toBeInstanceOf(InvalidTokenError);
  });
});

import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';

export const ISSUER = 'keylab-users';
export const AUDIENCE = 'keylab';

export interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  /** The public half as the users service publishes it. */
  jwk: JWK;
}

export async function signingKey(kid: string): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  return { kid, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: 'EdDSA', use: 'sig' } };
}

export interface TokenOptions {
  /** Signs with this key but names another kid in the header. */
  kid?: string;
  /** The typ header; null leaves it out. */
  typ?: string | null;
  /** The sid claim; null leaves it out. */
  sid?: string | null;
  /** Seconds from now. */
  expiresIn?: number;
}

/** An access token as the users service signs it, unless the options say otherwise. */
export function accessToken(key: SigningKey, { kid = key.kid, typ = 'at+jwt', sid = 's1', expiresIn = 900 }: TokenOptions = {}) {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ roles: ['user'], ...(sid === null ? {} : { sid }) })
    .setProtectedHeader({ alg: 'EdDSA', kid, ...(typ === null ? {} : { typ }) })
    .setSubject('u1')
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt(now)
    .setJti(crypto.randomUUID())
    .setExpirationTime(now + expiresIn)
    .sign(key.privateKey);
}

import { localSecret } from './local-secrets';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, SignJWT, type JWK, type CryptoKey } from 'jose';

const ALGORITHM = 'EdDSA';

export interface SigningKeys {
  /** The JWKS document: the current public key and, during a rotation, the previous one. */
  jwks: { keys: JWK[] };
  signAccessToken(claims: { userId: string; roles: readonly string[]; sessionId: string }): Promise<string>;
  ttlSeconds: number;
}

export interface SigningKeyOptions {
  issuer: string;
  audience: string;
  ttlSeconds: number;
  /** Private JWK as JSON; when absent, one is read from or generated into `dataDir`. */
  privateJwk?: string;
  previousPublicJwk?: string;
  dataDir?: string;
}

async function generatePrivateJwk(): Promise<JWK> {
  const { privateKey } = await generateKeyPair(ALGORITHM, { crv: 'Ed25519', extractable: true });
  const jwk = await exportJWK(privateKey);
  return { ...jwk, alg: ALGORITHM, kid: await calculateJwkThumbprint(jwk) };
}

function publicPart(jwk: JWK): JWK {
  const { kty, crv, x, y, kid } = jwk;
  return { kty, crv, x, ...(y ? { y } : {}), kid, alg: jwk.alg ?? ALGORITHM, use: 'sig' };
}

export async function loadSigningKeys(options: SigningKeyOptions): Promise<SigningKeys> {
  const privateJwk: JWK = options.privateJwk
    ? (JSON.parse(options.privateJwk) as JWK)
    : await localSecret(options.dataDir, 'users-signing-key.jwk.json', generatePrivateJwk);
  const kid = privateJwk.kid ?? (await calculateJwkThumbprint(privateJwk));
  const key = (await importJWK({ ...privateJwk, kid }, privateJwk.alg ?? ALGORITHM)) as CryptoKey;
  const keys = [publicPart({ ...privateJwk, kid })];
  if (options.previousPublicJwk) keys.push(publicPart(JSON.parse(options.previousPublicJwk) as JWK));
  return {
    jwks: { keys },
    ttlSeconds: options.ttlSeconds,
    signAccessToken: ({ userId, roles, sessionId }) =>
      new SignJWT({ roles: [...roles], sid: sessionId })
        .setProtectedHeader({ alg: privateJwk.alg ?? ALGORITHM, kid, typ: 'at+jwt' })
        .setSubject(userId)
        .setIssuer(options.issuer)
        .setAudience(options.audience)
        .setIssuedAt()
        .setExpirationTime(`${options.ttlSeconds}s`)
        .setJti(crypto.randomUUID())
        .sign(key),
  };
}

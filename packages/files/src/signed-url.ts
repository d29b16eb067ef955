import { createHmac, timingSafeEqual } from 'node:crypto';

const EXPIRES = 'expires';
const SIGNATURE = 'signature';
const BASE = 'http://signed.invalid';

function sign(pathname: string, query: URLSearchParams, secret: string | Buffer): string {
  return createHmac('sha256', secret).update(`${pathname}?${query.toString()}`).digest('base64url');
}

/**
 * Signs a path (with or without a query) until `expiresAt`: appends `expires=<unix seconds>` and
 * `signature=<base64url HMAC-SHA256 of the path and the query before it>`. Relative in, relative out.
 */
export function signUrl(path: string, secret: string | Buffer, expiresAt: Date | number): string {
  if (!secret || secret.length < 16) throw new TypeError('the URL signing secret must be at least 16 characters');
  const url = new URL(path, BASE);
  const seconds = Math.floor((expiresAt instanceof Date ? expiresAt.getTime() : expiresAt) / 1000);
  if (!Number.isFinite(seconds)) throw new TypeError('expiresAt is not a date');
  url.searchParams.delete(SIGNATURE);
  url.searchParams.delete(EXPIRES);
  url.searchParams.append(EXPIRES, String(seconds));
  url.searchParams.append(SIGNATURE, sign(url.pathname, url.searchParams, secret));
  return url.origin === BASE ? `${url.pathname}${url.search}` : url.toString();
}

export type SignedUrlCheck =
  { valid: true; path: string; expiresAt: Date } | { valid: false; reason: 'unsigned' | 'expired' | 'bad_signature' };

/**
 * Checks a URL made by `signUrl` (absolute, or a path with its query such as express's `req.originalUrl`):
 * the signature must match the path and every query parameter before it, and `expires` must be in the future.
 */
export function verifySignedUrl(url: string, secret: string | Buffer, now: Date | number = Date.now()): SignedUrlCheck {
  let parsed: URL;
  try {
    parsed = new URL(url, BASE);
  } catch {
    return { valid: false, reason: 'unsigned' };
  }
  const params = parsed.searchParams;
  const signature = params.get(SIGNATURE);
  const expires = params.get(EXPIRES);
  if (!signature || !expires || params.getAll(SIGNATURE).length !== 1 || params.getAll(EXPIRES).length !== 1) {
    return { valid: false, reason: 'unsigned' };
  }
  // The signature is the last parameter: everything before it is signed.
  const signed = new URLSearchParams([...params].filter(([name]) => name !== SIGNATURE));
  const expected = Buffer.from(sign(parsed.pathname, signed, secret));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected) || [...params].at(-1)?.[0] !== SIGNATURE) {
    return { valid: false, reason: 'bad_signature' };
  }
  const expiresAt = new Date(Number(expires) * 1000);
  const nowMs = now instanceof Date ? now.getTime() : now;
  if (!/^\d{1,12}$/.test(expires) || expiresAt.getTime() <= nowMs) return { valid: false, reason: 'expired' };
  return { valid: true, path: parsed.pathname, expiresAt };
}

import { createHmac, timingSafeEqual } from 'node:crypto';

/** The header in which the gateway proves that it sent a request, and vouches for what it forwards. */
export const GATEWAY_PROOF_HEADER = 'x-gateway-proof';

/** What the gateway forwards about a caller, as it saw them. */
export interface ForwardedIdentity {
  requestId: string;
  clientIp: string;
  visitorId: string | null;
  /** The refresh-token cookie, forwarded to the users subgraph only. */
  refreshToken?: string;
}

/** A proof older than this (or from further in the future) is refused: a copied one is of little use. */
const MAX_AGE_MS = 60_000;

const mac = (secret: string, issuedAt: number, identity: ForwardedIdentity) =>
  createHmac('sha256', secret)
    .update([issuedAt, identity.requestId, identity.clientIp, identity.visitorId ?? '', identity.refreshToken ?? ''].join('\n'))
    .digest('base64url');

/** `<issued at>.<HMAC-SHA256 over the time and the forwarded values>`, with the secret the subgraphs share. */
export function signForwarded(secret: string, identity: ForwardedIdentity, now = Date.now()): string {
  return `${now}.${mac(secret, now, identity)}`;
}

/**
 * The two headers of a request sent as the gateway sends it: a new request id and the proof over it and the
 * forwarded values given (the caller sends those in their own headers). For callers beside the gateway: tests,
 * benchmarks.
 */
export function gatewayProofHeaders(
  secret: string,
  forwarded: Omit<ForwardedIdentity, 'requestId'> = { clientIp: '', visitorId: null },
): Record<string, string> {
  const requestId = crypto.randomUUID();
  return { 'x-request-id': requestId, [GATEWAY_PROOF_HEADER]: signForwarded(secret, { ...forwarded, requestId }) };
}

/** Whether `proof` is the gateway's, fresh, and over exactly these forwarded values. */
export function verifyForwarded(
  secret: string,
  proof: string | undefined,
  identity: ForwardedIdentity,
  now = Date.now(),
): boolean {
  const [issued, signature, extra] = (proof ?? '').split('.');
  const issuedAt = Number(issued);
  if (!signature || extra !== undefined || !Number.isSafeInteger(issuedAt) || Math.abs(now - issuedAt) > MAX_AGE_MS) return false;
  const expected = Buffer.from(mac(secret, issuedAt, identity));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

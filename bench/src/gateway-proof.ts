/**
 * What a benchmark needs to call a subgraph straight: the subgraphs answer only requests that carry the gateway's
 * proof (`x-gateway-proof`, valid 60 s) over exactly the forwarded values the request also carries. A run can last
 * longer than that, so every request gets a fresh one, signed as the gateway's data source signs: a new request id
 * and one HMAC per request, so that the direct path pays for it what the gateway pays.
 */
import { gatewayProofHeaders } from '@keylab/server';

/** The headers to send, given the others: adds a request id and the proof over them. */
export type Sign = (headers: Record<string, string>) => Record<string, string>;

/** Signs with the stack's `gatewaySecret` over the client address, visitor and refresh token in the headers (if any). */
export function gatewayProof(secret: string): Sign {
  return (headers) => ({
    ...headers,
    ...gatewayProofHeaders(secret, {
      clientIp: headers['x-client-ip'] ?? '',
      visitorId: headers['x-visitor-id'] ?? null,
      refreshToken: headers['x-refresh-token'],
    }),
  });
}

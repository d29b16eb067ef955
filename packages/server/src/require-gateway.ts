import type { NextFunction, Request, Response } from 'express';
import { forwardedIdentity } from './context';
import { GATEWAY_PROOF_HEADER, verifyForwarded, type ForwardedIdentity } from './gateway-proof';
import { refuseRequest } from './graphql';

/**
 * A subgraph serves the gateway only: a request must carry the gateway's proof over the identity it
 * forwards (address, visitor, request id), so no one who reaches the port can pick the address its rate
 * limits count, or skip the gateway's operation limits and origin guard. The verified identity is left
 * in `res.locals.forwarded`.
 */
export function requireGateway(secret: string) {
  return (req: Request, res: Response, next: NextFunction) => {
    const identity = forwardedIdentity(req.headers);
    const proof = req.headers[GATEWAY_PROOF_HEADER];
    if (!verifyForwarded(secret, typeof proof === 'string' ? proof : undefined, identity)) {
      return refuseRequest(req, res, 403, 'request.gatewayOnly', {}, { code: 'FORBIDDEN' });
    }
    res.locals.forwarded = identity;
    next();
  };
}

export const verifiedForwarded = (res: Response): ForwardedIdentity => res.locals.forwarded as ForwardedIdentity;

import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import type { Request, Response } from 'express';
import { requestIdFrom, type Logger } from '@keylab/logger';
import { GATEWAY_PROOF_HEADER, signForwarded } from '@keylab/server';

/** Request headers a file download or upload needs at the catalogue service. */
const PASSED_UP = ['authorization', 'accept-language', 'content-type', 'content-length', 'range', 'if-none-match', 'if-range'];
/** Response headers the browser needs back (caching, ranges, type). */
const PASSED_DOWN = [
  'content-type',
  'content-length',
  'content-range',
  'accept-ranges',
  'etag',
  'cache-control',
  'last-modified',
  'content-disposition',
  'x-content-type-options',
  'retry-after',
  'x-request-id',
];

/**
 * On every answer, whatever the service sent: stored files are user content on the gateway's origin, so
 * a browser that opens one directly must not sniff it, run it or let it reach the origin (the sandbox
 * gives it an opaque origin even as a document). same-site rather than same-origin: the KeyLab web app
 * may live on a sibling origin of the same site (another port or subdomain) and still plays sounds and
 * shows previews with plain <audio> and <img>, which are no-cors loads; other sites cannot embed them.
 */
const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'content-security-policy': "default-src 'none'; sandbox",
  'cross-origin-resource-policy': 'same-site',
};

function pick(headers: IncomingHttpHeaders, names: string[]): Record<string, string | string[]> {
  const picked: Record<string, string | string[]> = {};
  for (const name of names) {
    const value = headers[name];
    if (value !== undefined) picked[name] = value;
  }
  return picked;
}

/**
 * Streams file downloads and uploads between the browser and the keyboards subgraph, so that model
 * URLs live on the gateway's origin; bodies are piped, never buffered, and every answer gets SECURITY_HEADERS.
 */
export function fileProxy(target: string, logger: Logger, gatewaySecret: string, service = 'catalogue') {
  const origin = new URL(target);
  return (req: Request, res: Response) => {
    // Signed as for GraphQL: the subgraph serves the gateway only.
    const identity = { requestId: requestIdFrom(req.headers['x-request-id']), clientIp: req.ip ?? '', visitorId: null };
    const upstream = httpRequest(
      {
        hostname: origin.hostname,
        port: origin.port,
        method: req.method,
        path: req.originalUrl,
        headers: {
          ...pick(req.headers, PASSED_UP),
          'x-request-id': identity.requestId,
          'x-client-ip': identity.clientIp,
          [GATEWAY_PROOF_HEADER]: signForwarded(gatewaySecret, identity),
        },
      },
      (answer) => {
        res.status(answer.statusCode ?? 502);
        for (const [name, value] of Object.entries(pick(answer.headers, PASSED_DOWN))) res.setHeader(name, value);
        res.set(SECURITY_HEADERS);
        answer.pipe(res);
      },
    );
    upstream.on('error', (error) => {
      logger.warn({ err: error.message, path: req.path }, `file request to the ${service} service failed`);
      if (!res.headersSent)
        res
          .status(502)
          .set(SECURITY_HEADERS)
          .json({ error: { code: 'INTERNAL', message: `The ${service} service is unavailable right now.` } });
      else res.destroy();
    });
    req.on('aborted', () => upstream.destroy());
    req.pipe(upstream);
  };
}

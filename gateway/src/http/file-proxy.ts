import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import type { Request, Response } from 'express';
import type { Logger } from '@keylab/logger';

/** Request headers a file download or upload needs at the catalogue service. */
const PASSED_UP = [
  'authorization',
  'accept-language',
  'content-type',
  'content-length',
  'range',
  'if-none-match',
  'if-range',
  'x-request-id',
];
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
  'x-request-id',
];

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
 * URLs live on the gateway's origin; bodies are piped, never buffered.
 */
export function fileProxy(target: string, logger: Logger, service = 'catalogue') {
  const origin = new URL(target);
  return (req: Request, res: Response) => {
    const upstream = httpRequest(
      {
        hostname: origin.hostname,
        port: origin.port,
        method: req.method,
        path: req.originalUrl,
        headers: { ...pick(req.headers, PASSED_UP), 'x-client-ip': req.ip ?? '' },
      },
      (answer) => {
        res.status(answer.statusCode ?? 502);
        for (const [name, value] of Object.entries(pick(answer.headers, PASSED_DOWN))) res.setHeader(name, value);
        answer.pipe(res);
      },
    );
    upstream.on('error', (error) => {
      logger.warn({ err: error.message, path: req.path }, `file request to the ${service} service failed`);
      if (!res.headersSent)
        res.status(502).json({ error: { code: 'INTERNAL', message: `The ${service} service is unavailable right now.` } });
      else res.destroy();
    });
    req.on('aborted', () => upstream.destroy());
    req.pipe(upstream);
  };
}

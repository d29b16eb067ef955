import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import type { Request, Response } from 'express';
import { requestIdFrom, type Logger } from '@keylab/logger';
import { GATEWAY_PROOF_HEADER, signForwarded } from '@keylab/server';
import { noneMatch, parseRange } from '@keylab/files/conditions';
import type { HeldFile, ImmutableFiles } from './immutable-files';

/** Request headers a file download or upload needs at the catalogue service. */
const PASSED_UP = ['authorization', 'accept-language', 'content-type', 'content-length', 'range', 'if-none-match', 'if-range'];
/** Asking whether a held file may still be served: the client's own conditions are answered from memory. */
const PASSED_UP_TO_REVALIDATE = PASSED_UP.filter((name) => !['range', 'if-none-match', 'if-range'].includes(name));
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

export interface FileProxyOptions {
  /** The service named in the answer when it cannot be reached. */
  service?: string;
  /** Hot immutable downloads sent from the gateway's memory once the service allowed them (GET /files). */
  held?: ImmutableFiles;
}

/**
 * Streams file downloads and uploads between the browser and the keyboards subgraph, so that model
 * URLs live on the gateway's origin; bodies are piped, never buffered, and every answer gets SECURITY_HEADERS.
 * With `held`, a file the service sent as immutable is kept in memory: later downloads still ask the service
 * (If-None-Match, a 304 without a body, so access and withdrawal are checked as before) and get the bytes
 * from memory, with the client's own If-None-Match and Range answered here.
 */
export function fileProxy(target: string, logger: Logger, gatewaySecret: string, options: FileProxyOptions = {}) {
  const origin = new URL(target);
  const { service = 'catalogue', held } = options;
  return (req: Request, res: Response) => {
    // Signed as for GraphQL: the subgraph serves the gateway only.
    const identity = { requestId: requestIdFrom(req.headers['x-request-id']), clientIp: req.ip ?? '', visitorId: null };
    const url = req.originalUrl;
    const reads = req.method === 'GET' || req.method === 'HEAD';
    const known = held && reads ? held.get(url) : undefined;
    const upstream = httpRequest(
      {
        hostname: origin.hostname,
        port: origin.port,
        method: req.method,
        path: url,
        headers: {
          ...pick(req.headers, known ? PASSED_UP_TO_REVALIDATE : PASSED_UP),
          ...(known ? { 'if-none-match': known.etag } : {}),
          'x-request-id': identity.requestId,
          'x-client-ip': identity.clientIp,
          [GATEWAY_PROOF_HEADER]: signForwarded(gatewaySecret, identity),
        },
      },
      (answer) => {
        if (known && answer.statusCode === 304) {
          answer.resume();
          return sendHeld(req, res, known, identity.requestId);
        }
        if (known) held!.forget(url);
        res.status(answer.statusCode ?? 502);
        for (const [name, value] of Object.entries(pick(answer.headers, PASSED_DOWN))) res.setHeader(name, value);
        res.set(SECURITY_HEADERS);
        if (held && req.method === 'GET' && held.holds(answer.statusCode, answer.headers)) {
          const chunks: Buffer[] = [];
          answer.on('data', (chunk: Buffer) => chunks.push(chunk));
          answer.on('end', () => held.keep(url, answer.headers, chunks));
        }
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
    // A client gone before its answer was sent: the service's answer is dropped, not left paused on its socket.
    res.on('close', () => {
      if (!res.writableFinished) upstream.destroy();
    });
    req.pipe(upstream);
  };
}

/** A held file, as the service would send it: If-None-Match (304), a single Range with If-Range (206, 416), or whole. */
function sendHeld(req: Request, res: Response, file: HeldFile, requestId: string): void {
  const { 'content-type': type, ...onEveryAnswer } = file.headers;
  for (const [name, value] of Object.entries(onEveryAnswer)) res.setHeader(name, value);
  res.setHeader('accept-ranges', 'bytes');
  res.setHeader('x-request-id', requestId);
  res.set(SECURITY_HEADERS);
  if (noneMatch(req.headers['if-none-match'], file.etag)) return void res.status(304).end();
  const size = file.body.byteLength;
  const ifRange = req.headers['if-range'];
  const range = req.headers.range && (!ifRange || ifRange === file.etag) ? parseRange(req.headers.range, size) : null;
  if (range === 'unsatisfiable') return void res.status(416).setHeader('content-range', `bytes */${size}`).end();
  const body = range ? file.body.subarray(range.start, range.end + 1) : file.body;
  if (type) res.setHeader('content-type', type);
  if (range) res.status(206).setHeader('content-range', `bytes ${range.start}-${range.end}/${size}`);
  else res.status(200);
  res.setHeader('content-length', String(body.byteLength));
  res.end(req.method === 'HEAD' ? undefined : body);
}

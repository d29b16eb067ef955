import { hostname, networkInterfaces } from 'node:os';
import type { NextFunction, Request, Response } from 'express';
import { refuseRequest } from '@keylab/server';
import type { GatewayConfig } from '../config';

/**
 * Apollo's embedded Sandbox and Explorer run in iframes from these origins. The embed relays operations
 * through the landing page (so they come from the gateway's own origin), but may also send them itself.
 */
const APOLLO_EMBED_ORIGINS = ['https://sandbox.embed.apollographql.com', 'https://explorer.embed.apollographql.com'];

/** Every name and address this host answers on: loopback, its hostname and each interface's address. */
function localHosts(): Set<string> {
  const hosts = new Set(['localhost', '127.0.0.1', '[::1]', hostname().toLowerCase()]);
  for (const addresses of Object.values(networkInterfaces())) {
    for (const { address, family } of addresses ?? []) {
      // A link-local IPv6 address needs a zone id, which an origin cannot carry.
      if (family === 'IPv6' && address.toLowerCase().startsWith('fe80:')) continue;
      hosts.add(family === 'IPv6' ? `[${address.toLowerCase()}]` : address);
    }
  }
  return hosts;
}

export type OriginPolicy = (origin: string) => boolean;

/**
 * The browser origins that may call the API with credentials: CORS_ORIGINS and the origin of PUBLIC_URL;
 * in development also the gateway's own origins (every local address at the port it listens on, which
 * `port()` gives once it is known) and Apollo's embed origins. Names are matched exactly, never by
 * pattern, so a page on another name that resolves here (DNS rebinding) stays foreign.
 */
export function originPolicy(config: GatewayConfig, port: () => number): OriginPolicy {
  const configured = new Set(config.CORS_ORIGINS);
  if (config.PUBLIC_URL) configured.add(new URL(config.PUBLIC_URL).origin);
  if (config.NODE_ENV === 'production') return (origin) => configured.has(origin);
  for (const origin of APOLLO_EMBED_ORIGINS) configured.add(origin);
  const hosts = localHosts();
  return (origin) => {
    if (configured.has(origin)) return true;
    let url: URL;
    try {
      url = new URL(origin);
    } catch {
      return false;
    }
    return url.protocol === 'http:' && url.origin === origin && Number(url.port || 80) === port() && hosts.has(url.hostname);
  };
}

/**
 * Refuses state-changing requests that a browser sent from an origin outside the allow-list (CORS only
 * stops the page from reading the answer; this stops the request from doing anything).
 */
export function foreignOriginGuard(trusted: OriginPolicy) {
  return (req: Request, res: Response, next: NextFunction) => {
    const origin = req.headers.origin;
    if (origin && req.method !== 'GET' && req.method !== 'HEAD' && req.method !== 'OPTIONS' && !trusted(origin)) {
      return refuseRequest(req, res, 403, 'request.origin', {}, { code: 'FORBIDDEN' });
    }
    next();
  };
}

import { parseCookie } from 'cookie';

/** The refresh-token cookie: the users subgraph sets it; the gateway passes it on to that subgraph alone. */
export const REFRESH_COOKIE = 'kl_refresh';

/** One cookie of a request's Cookie header (the `cookie` package's parser), if it is there. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  return header ? parseCookie(header)[name] : undefined;
}

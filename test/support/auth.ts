import type { GraphQLResponse } from './stack';

/** The Set-Cookie headers of a response, by cookie name. */
export function cookiesOf(response: GraphQLResponse): Record<string, string> {
  const cookies: Record<string, string> = {};
  for (const header of response.headers.getSetCookie()) {
    const [pair = ''] = header.split(';');
    const index = pair.indexOf('=');
    cookies[pair.slice(0, index)] = header;
  }
  return cookies;
}

/** The value of a Set-Cookie header (`name=value; ...` gives value). */
export const cookieValue = (header: string | undefined) => header?.split(';')[0]?.split('=').slice(1).join('=') ?? '';

export const AUTH_FIELDS =
  'accessToken accessTokenExpiresAt refreshToken session { id deviceLabel current } user { id email nickname roles }';

export interface AuthResult {
  accessToken: string;
  accessTokenExpiresAt: string;
  refreshToken: string | null;
  session: { id: string; deviceLabel: string; current: boolean };
  user: { id: string; email: string; nickname: string; roles: ('USER' | 'ADMIN')[] };
}

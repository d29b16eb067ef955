import { locale, t } from '../i18n';

/** One GraphQL error as the page shows it: the server's localized message and the extensions it relies on. */
export interface ApiError {
  /** extensions.code; NETWORK or HTTP when no GraphQL answer arrived. */
  code: string;
  message: string;
  /** BAD_USER_INPUT: the input field that was refused. */
  field?: string;
  /** SERVICE_UNAVAILABLE: the subgraph that could not be reached. */
  service?: string;
  /** RATE_LIMITED: seconds before the next attempt may succeed. */
  retryAfterSeconds?: number;
  /** INTERNAL: the id to quote when reporting it. */
  requestId?: string;
  path?: readonly (string | number)[];
}

/** Data and errors side by side: a partial answer (a subgraph down) still has its data. */
export interface ApiResult<T> {
  data: T | null;
  errors: ApiError[];
}

interface GraphQLErrorBody {
  message?: string;
  path?: (string | number)[];
  extensions?: Record<string, unknown>;
}

const text = (value: unknown) => (typeof value === 'string' ? value : undefined);

function toApiError(error: GraphQLErrorBody): ApiError {
  const extensions = error.extensions ?? {};
  return {
    code: text(extensions.code) ?? 'INTERNAL',
    message: error.message ?? '',
    field: text(extensions.field),
    service: text(extensions.service),
    retryAfterSeconds: typeof extensions.retryAfterSeconds === 'number' ? extensions.retryAfterSeconds : undefined,
    requestId: text(extensions.requestId),
    path: error.path,
  };
}

export const isAbort = (error: unknown) => error instanceof DOMException && error.name === 'AbortError';

/**
 * POSTs one operation to this origin's /graphql, like any client: JSON, the refresh cookie (same origin),
 * the page's language and the access token when there is one. Aborting rejects; everything else resolves.
 */
export async function postGraphQL<T>(
  query: string,
  variables?: Record<string, unknown>,
  { token, signal }: { token?: string | null; signal?: AbortSignal } = {},
): Promise<ApiResult<T>> {
  let response: Response;
  try {
    response = await fetch('/graphql', {
      method: 'POST',
      credentials: 'same-origin',
      headers: {
        'content-type': 'application/json',
        'accept-language': locale,
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify({ query, variables }),
      signal,
    });
  } catch (error) {
    if (isAbort(error)) throw error;
    return { data: null, errors: [{ code: 'NETWORK', message: t('error.network') }] };
  }
  let body: { data?: T | null; errors?: GraphQLErrorBody[] };
  try {
    body = (await response.json()) as typeof body;
  } catch (error) {
    if (isAbort(error)) throw error;
    return { data: null, errors: [{ code: 'HTTP', message: t('error.http', { status: response.status }) }] };
  }
  return { data: body.data ?? null, errors: (body.errors ?? []).map(toApiError) };
}

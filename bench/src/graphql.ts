export interface HttpRequest {
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: string;
}

export function graphqlRequest(url: URL, headers: Record<string, string>, query: string, variables?: object): HttpRequest {
  return {
    method: 'POST',
    path: url.pathname,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  };
}

/** The parsed GraphQL answer, or undefined when the body is not JSON. */
export function parseAnswer<T>(text: string): { data?: T | null; errors?: unknown[] } | undefined {
  try {
    return JSON.parse(text) as { data?: T; errors?: unknown[] };
  } catch {
    return undefined;
  }
}

/** Sends one GraphQL request that must answer 200 with data and no errors; throws with what came back otherwise. */
export async function expectData<T>(label: string, origin: string, request: HttpRequest): Promise<{ data: T; text: string }> {
  const url = `${origin}${request.path}`;
  const response = await fetch(url, { method: request.method, headers: request.headers, body: request.body }).catch(
    (error: Error) => {
      throw new Error(`${label}: ${request.method} ${url} failed: ${error.message}`);
    },
  );
  const text = await response.text();
  const body = parseAnswer<T>(text);
  if (response.status !== 200 || !body || body.errors?.length || body.data == null) {
    throw new Error(`${label}: HTTP ${response.status}, expected 200 with data and no errors:\n${text.slice(0, 1000)}`);
  }
  return { data: body.data, text };
}

/** One operation at a GraphQL endpoint's full URL. */
export function queryData<T>(label: string, url: string, headers: Record<string, string>, query: string, variables?: object) {
  const endpoint = new URL(url);
  return expectData<T>(label, endpoint.origin, graphqlRequest(endpoint, headers, query, variables));
}

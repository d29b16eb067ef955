import { postGraphQL, type ApiError, type ApiResult } from './api/client';
import { REFRESH_SESSION, SIGN_IN, SIGN_OUT, type AuthPayload, type SessionUser } from './api/operations';

export type SessionState =
  { status: 'restoring' } | { status: 'signedOut'; notice: ApiError | null } | { status: 'signedIn'; user: SessionUser };

/** A refresh that failed for another reason than an ended session is tried again after this long. */
const REFRESH_RETRY_MS = 15_000;
/** Refresh this long before the access token expires (at most a tenth of its life). */
const REFRESH_LEAD_MS = 60_000;

// The access token lives in memory only; the refresh token is the HttpOnly cookie the browser keeps.
let state: SessionState = { status: 'restoring' };
let accessToken: string | null = null;
let refreshTimer: ReturnType<typeof setTimeout> | undefined;
let refreshing: Promise<boolean> | null = null;
let restoreStarted = false;
const listeners = new Set<() => void>();

function setState(next: SessionState): void {
  state = next;
  for (const listener of listeners) listener();
}

export const subscribeSession = (listener: () => void) => {
  listeners.add(listener);
  return () => void listeners.delete(listener);
};
export const sessionState = () => state;

function scheduleRefresh(delayMs: number): void {
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(() => void refreshSession(), delayMs);
}

function begin(payload: AuthPayload): void {
  accessToken = payload.accessToken;
  const lifeMs = Date.parse(payload.accessTokenExpiresAt) - Date.now();
  scheduleRefresh(Math.max(lifeMs - Math.min(REFRESH_LEAD_MS, lifeMs / 10), 1_000));
  setState({ status: 'signedIn', user: payload.user });
}

function end(notice: ApiError | null): void {
  accessToken = null;
  clearTimeout(refreshTimer);
  setState({ status: 'signedOut', notice });
}

/**
 * Trades the refresh cookie for a new access token (and a new cookie). Never two at once: a rotated
 * refresh token presented again after the server's grace period ends the whole session, so every caller
 * shares the one request in flight.
 */
export function refreshSession(): Promise<boolean> {
  refreshing ??= postGraphQL<{ refreshSession: AuthPayload }>(REFRESH_SESSION)
    .then(({ data, errors }) => {
      if (data?.refreshSession) {
        begin(data.refreshSession);
        return true;
      }
      const error = errors[0] ?? null;
      const ended = error?.code === 'UNAUTHENTICATED';
      if (state.status === 'restoring') {
        // No cookie or an expired one on page load simply means "not signed in".
        end(ended ? null : error);
      } else if (ended || state.status !== 'signedIn') {
        end(error);
      } else {
        scheduleRefresh(REFRESH_RETRY_MS);
      }
      return false;
    })
    .finally(() => {
      refreshing = null;
    });
  return refreshing;
}

/** On page load: the refresh cookie restores the session. Safe to call more than once (StrictMode). */
export function restoreSession(): void {
  if (restoreStarted) return;
  restoreStarted = true;
  void refreshSession();
}

export async function signIn(email: string, password: string): Promise<ApiError[]> {
  const { data, errors } = await postGraphQL<{ signIn: AuthPayload }>(SIGN_IN, {
    input: { email, password, deviceLabel: 'KeyLab statistics dashboard' },
  });
  if (!data?.signIn) return errors;
  begin(data.signIn);
  return [];
}

export async function signOut(): Promise<void> {
  // Ends the session on the server (and clears the cookie); the page forgets it whatever the answer.
  await authorizedRequest(SIGN_OUT).catch(() => undefined);
  end(null);
}

/**
 * An operation with the access token. An expired token is refreshed once and the operation sent again;
 * a token that another request has already replaced is not refreshed a second time.
 */
export async function authorizedRequest<T>(
  query: string,
  variables?: Record<string, unknown>,
  signal?: AbortSignal,
): Promise<ApiResult<T>> {
  if (refreshing) await refreshing;
  const sentWith = accessToken;
  const first = await postGraphQL<T>(query, variables, { token: sentWith, signal });
  if (!first.errors.some((error) => error.code === 'UNAUTHENTICATED')) return first;
  if (accessToken === sentWith && !(await refreshSession())) return first;
  return postGraphQL<T>(query, variables, { token: accessToken, signal });
}

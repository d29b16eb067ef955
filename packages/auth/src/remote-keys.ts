import { createLocalJWKSet, errors, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';
import { KeysUnavailableError } from './errors';

export interface RemoteKeysTiming {
  /** Keys fetched are used this long, then fetched again: a key withdrawn from the JWKS stops being trusted. */
  maxAgeMs: number;
  /** While the JWKS cannot be reached, the last keys fetched are used this much longer; then KeysUnavailableError. */
  keepWhenUnreachableMs: number;
}

const FETCH_TIMEOUT_MS = 5_000;
/** A token naming a key we do not have fetches the JWKS again (a rotation), but not more often than this. */
const REFETCH_FOR_UNKNOWN_KEY_MS = 30_000;
/** While the JWKS cannot be reached, it is tried again this often, behind the requests. */
const RETRY_UNREACHABLE_MS = 5_000;

type LocalKeys = ReturnType<typeof createLocalJWKSet>;

/**
 * The users service's published keys, fetched from its JWKS URL. jose's remote key set fails every
 * verification once its keys are stale and the URL cannot be reached; this one keeps the last keys for a
 * bounded time instead, so that an outage of the JWKS does not look like every caller being signed out.
 */
export function remoteKeySet(url: URL, { maxAgeMs, keepWhenUnreachableMs }: RemoteKeysTiming): JWTVerifyGetKey {
  let known: { keys: LocalKeys; fetchedAt: number } | undefined;
  /** The last attempt, when it failed; cleared by the next fetch that succeeds. */
  let failure: { at: number; error: unknown } | undefined;
  let pending: Promise<void> | undefined;

  const fetchAndRemember = async () => {
    try {
      known = { keys: createLocalJWKSet(await fetchKeySet(url)), fetchedAt: Date.now() };
      failure = undefined;
    } catch (error) {
      failure = { at: Date.now(), error };
    }
  };
  const refresh = () => (pending ??= fetchAndRemember().finally(() => (pending = undefined)));
  const refreshUnlessTriedJustNow = async () => {
    if (!failure || Date.now() >= failure.at + RETRY_UNREACHABLE_MS) await refresh();
  };
  const isFresh = () => known !== undefined && Date.now() < known.fetchedAt + maxAgeMs;
  const mayStillBeUsed = () => known !== undefined && Date.now() < known.fetchedAt + maxAgeMs + keepWhenUnreachableMs;
  const unavailable = () => new KeysUnavailableError(`The JWKS at ${url.href} cannot be fetched`, { cause: failure?.error });

  const currentKeys = async (): Promise<LocalKeys> => {
    if (!isFresh()) {
      const outageKnown = failure !== undefined;
      const attempt = refreshUnlessTriedJustNow();
      // The first request to find the keys stale waits for them; once the JWKS is known to be
      // unreachable, requests go on with the last keys while it is tried again.
      if (!outageKnown || !mayStillBeUsed()) await attempt;
    }
    if (!known || !mayStillBeUsed()) throw unavailable();
    return known.keys;
  };

  return async (header, token) => {
    const keys = await currentKeys();
    try {
      return await keys(header, token);
    } catch (error) {
      if (!(error instanceof errors.JWKSNoMatchingKey)) throw error;
      if (!failure && Date.now() < known!.fetchedAt + REFETCH_FOR_UNKNOWN_KEY_MS) throw error;
      await refreshUnlessTriedJustNow();
      // Whether the key is a new one cannot be known while the JWKS is unreachable.
      if (failure) throw unavailable();
      return known!.keys(header, token);
    }
  };
}

async function fetchKeySet(url: URL): Promise<JSONWebKeySet> {
  const response = await fetch(url, {
    redirect: 'manual',
    headers: { accept: 'application/jwk-set+json, application/json' },
    signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
  });
  if (response.status !== 200) throw new Error(`The JWKS answered HTTP ${response.status}`);
  return (await response.json()) as JSONWebKeySet;
}

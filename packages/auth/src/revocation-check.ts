import type { SessionRevocations } from './revocations';

/** Redis answers in well under a millisecond; one that has not answered by then counts as down. */
const ANSWER_WITHIN_MS = 1_000;

/**
 * Whether a session has ended, asked on every request. When Redis cannot answer, the answer is "not
 * ended": refusing every signed-in request would sign everybody out during an outage, whereas trusting the
 * signature leaves a session ended meanwhile usable for at most its token's remaining lifetime (access
 * tokens live 15 minutes). Each outage is reported once, through `onUnavailable`.
 */
export function sessionEndedCheck(
  revocations: Pick<SessionRevocations, 'isRevoked'>,
  onUnavailable: (error: unknown) => void = () => {},
): (sessionId: string) => Promise<boolean> {
  let outageReported = false;
  return async (sessionId) => {
    try {
      const revoked = await answerWithin(revocations.isRevoked(sessionId), ANSWER_WITHIN_MS);
      outageReported = false;
      return revoked;
    } catch (error) {
      if (!outageReported) {
        outageReported = true;
        onUnavailable(error);
      }
      return false;
    }
  };
}

function answerWithin<T>(answer: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`ended sessions: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([answer, late]).finally(() => clearTimeout(timer));
}

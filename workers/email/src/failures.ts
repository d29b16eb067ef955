/** Whether a failed send is worth trying again later. */
export type Failure = { kind: 'transient' | 'permanent'; reason: string };

/** Errors nodemailer raises when it could not talk to the server at all: the server may come back. */
const CONNECTION_ERRORS = new Set([
  'ECONNECTION',
  'ETIMEDOUT',
  'ESOCKET',
  'EDNS',
  'ETLS',
  'EPROTOCOL',
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ENOTFOUND',
  // Wrong SMTP credentials fail every message alike: keep them queued while someone fixes the setting.
  'EAUTH',
]);

/**
 * SMTP 4xx and connection problems are transient; 5xx (mailbox unknown, rejected, message refused) is
 * permanent. The reason is the SMTP reply code and nodemailer's error code only: server replies may quote
 * the recipient, so they stay out of logs and headers.
 */
export function classifySendError(error: unknown): Failure {
  const { responseCode, code } = (error ?? {}) as { responseCode?: unknown; code?: unknown };
  const errorCode = typeof code === 'string' ? code : undefined;
  const reason = [typeof responseCode === 'number' ? `smtp ${responseCode}` : undefined, errorCode].filter(Boolean).join(' ');
  if (errorCode === 'EAUTH') return { kind: 'transient', reason: reason || 'EAUTH' };
  if (typeof responseCode === 'number') {
    if (responseCode >= 400 && responseCode < 500) return { kind: 'transient', reason };
    if (responseCode >= 500) return { kind: 'permanent', reason };
  }
  if (errorCode && CONNECTION_ERRORS.has(errorCode)) return { kind: 'transient', reason };
  // EENVELOPE without a reply (no valid recipient), EMESSAGE (the message cannot be built): trying again won't help.
  if (errorCode === 'EENVELOPE' || errorCode === 'EMESSAGE') return { kind: 'permanent', reason };
  // Anything unknown: better a few more tries than an email lost to a bug in the classification.
  return { kind: 'transient', reason: reason || 'unknown error' };
}

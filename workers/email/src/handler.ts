import type { EmailRequestV1, EmailTopology } from '@keylab/messaging';
import type { Deduplicator } from './dedup';
import { classifySendError } from './failures';
import { parseEmailRequest } from './request';
import { renderEmail, TemplateParamsError, type RenderedEmail } from './templates';

/** What the handler needs of one delivery of an email request. */
export interface EmailDelivery {
  content: Buffer;
  /** The message's own id, which names it in the logs when its body cannot be read. */
  messageId: string | undefined;
  /** Failed attempts before this delivery (0 on a first delivery). */
  failedAttempts: number;
}

export type DeadReason = 'malformed' | 'permanent' | 'retries-exhausted';

/** What the logs say about a message: never its recipient or params. */
export interface LogContext {
  messageId?: string;
  template?: string;
  attempt: number;
  reason?: string;
}

export type RetryTier = EmailTopology['retryTiers'][number];

export type Outcome =
  | { kind: 'sent'; context: LogContext }
  /** An earlier delivery of the same request id sent it. */
  | { kind: 'duplicate'; context: LogContext }
  /** Not sent for now: to wait in `tier`, then come back. */
  | { kind: 'retry'; tier: RetryTier; context: LogContext }
  /** Never to be sent: `detail` says why (the wrong fields, or the SMTP reply). */
  | { kind: 'dead'; deadReason: DeadReason; detail: string; context: LogContext };

export interface EmailHandlerDeps {
  retryTiers: readonly RetryTier[];
  dedup: Deduplicator;
  send(request: EmailRequestV1, email: RenderedEmail): Promise<void>;
}

/**
 * Handles one delivery: reads and renders the request, sends it at most once per request id, and says
 * what is to become of the message. Throws only on a bug (a template that fails for another reason).
 */
export async function handleEmailDelivery(delivery: EmailDelivery, deps: EmailHandlerDeps): Promise<Outcome> {
  const attempt = delivery.failedAttempts + 1;
  const parsed = parseEmailRequest(delivery.content);
  if (!parsed.ok) return dead('malformed', parsed.problem, { messageId: delivery.messageId, attempt });
  const { request } = parsed;
  const context: LogContext = { messageId: request.id, template: request.template, attempt };

  let email: RenderedEmail;
  try {
    email = renderEmail(request.template, request.locale, request.params);
  } catch (error) {
    if (!(error instanceof TemplateParamsError)) throw error;
    return dead('malformed', error.message, context);
  }

  const claim = await deps.dedup.claim(request.id);
  if (claim.state === 'sent') return { kind: 'duplicate', context };
  if (claim.state === 'busy') return retryOrPark(deps.retryTiers, context, 'being sent by another delivery');

  try {
    await deps.send(request, email);
  } catch (error) {
    await deps.dedup.release(request.id, claim.token);
    return afterFailedSend(error, deps.retryTiers, context);
  }
  await deps.dedup.markSent(request.id);
  return { kind: 'sent', context };
}

function afterFailedSend(error: unknown, retryTiers: readonly RetryTier[], context: LogContext): Outcome {
  const failure = classifySendError(error);
  const reply = typeof (error as { response?: unknown }).response === 'string' ? (error as { response: string }).response : '';
  if (failure.kind === 'permanent') return dead('permanent', reply || failure.reason, { ...context, reason: failure.reason });
  return retryOrPark(retryTiers, context, failure.reason, reply);
}

/** After a transient failure: the next retry tier, or, past the last one, the dead queue. */
export function retryOrPark(retryTiers: readonly RetryTier[], context: LogContext, reason: string, reply = ''): Outcome {
  const tier = retryTiers[context.attempt - 1];
  if (!tier) return dead('retries-exhausted', reply || reason, { ...context, reason });
  return { kind: 'retry', tier, context: { ...context, reason } };
}

function dead(deadReason: DeadReason, detail: string, context: LogContext): Outcome {
  return { kind: 'dead', deadReason, detail, context };
}

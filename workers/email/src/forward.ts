import type { ConfirmChannel, ConsumeMessage } from '@keylab/messaging';
import type { DeadReason } from './handler';

/** Failed attempts before this delivery (absent on a first delivery). */
export const ATTEMPTS_HEADER = 'x-email-attempts';
/** On a dead message: `malformed`, `permanent` or `retries-exhausted`. */
export const DEAD_REASON_HEADER = 'x-email-dead-reason';
/** On a dead message: what went wrong (field names, or the SMTP reply). */
export const ERROR_HEADER = 'x-email-error';

export function failedAttempts(message: ConsumeMessage): number {
  const value = Number(message.properties.headers?.[ATTEMPTS_HEADER] ?? 0);
  return Number.isSafeInteger(value) && value > 0 ? value : 0;
}

export const retryHeaders = (attempt: number) => ({ [ATTEMPTS_HEADER]: attempt });

export const deadHeaders = (attempt: number, deadReason: DeadReason, detail: string) => ({
  [ATTEMPTS_HEADER]: attempt,
  [DEAD_REASON_HEADER]: deadReason,
  [ERROR_HEADER]: detail.slice(0, 500),
  'x-email-dead-at': new Date().toISOString(),
});

/** The message's headers minus the x-death bookkeeping RabbitMQ added on its way through a retry tier. */
function carriedHeaders(message: ConsumeMessage): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(message.properties.headers ?? {}).filter(([name]) => !/^x-(death|first-death|last-death)/.test(name)),
  );
}

/** Publishes a copy of `message` straight to `queue` and resolves once RabbitMQ has confirmed it. */
export function forward(channel: ConfirmChannel, queue: string, message: ConsumeMessage, headers: Record<string, unknown>) {
  return new Promise<void>((resolve, reject) => {
    channel.publish(
      '',
      queue,
      message.content,
      {
        persistent: true,
        contentType: message.properties.contentType as string | undefined,
        messageId: message.properties.messageId as string | undefined,
        timestamp: message.properties.timestamp as number | undefined,
        headers: { ...carriedHeaders(message), ...headers },
      },
      (error) => (error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve()),
    );
  });
}

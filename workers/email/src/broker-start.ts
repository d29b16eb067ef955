import type { Broker } from '@keylab/messaging';

/**
 * Resolves once the broker's channel is open and set up. Rejects after `timeoutMs` with the last reason
 * an attempt failed, so a worker that cannot reach RabbitMQ at start says why instead of waiting forever.
 */
export async function waitForBroker(broker: Broker, timeoutMs: number): Promise<void> {
  let lastFailure = 'no answer';
  const remember = ({ err }: { err?: Error }) => {
    if (err) lastFailure = err.message;
  };
  const rememberSetupError = (error: Error) => remember({ err: error });
  broker.connection.on('connectFailed', remember);
  broker.channel.on('error', rememberSetupError);
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`rabbitmq not ready in ${timeoutMs / 1000} s: ${lastFailure}`)), timeoutMs);
  });
  try {
    await Promise.race([broker.channel.waitForConnect(), timedOut]);
  } finally {
    clearTimeout(timer);
    broker.connection.off('connectFailed', remember);
    broker.channel.off('error', rememberSetupError);
  }
}

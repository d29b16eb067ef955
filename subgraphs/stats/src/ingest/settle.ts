/** Acks, nacks or parks a message on its channel, which may be gone: RabbitMQ then redelivers it, and the duplicate is dropped. */
export function settle(action: () => void): void {
  try {
    action();
  } catch {
    // The delivering channel is gone.
  }
}

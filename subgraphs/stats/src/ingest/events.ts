import { z } from '@keylab/config';
import { ACTIVITY_TAGS, type StatsEventV1 } from '@keylab/messaging';

/** PostgreSQL text cannot hold NUL; one such event must not make its whole batch fail forever. */
const text = (max: number) =>
  z
    .string()
    .max(max)
    .refine((value) => !value.includes('\u0000'));
/** Clocks drift, but an event from before the service existed or from tomorrow is a broken publisher. */
const EARLIEST = Date.parse('2020-01-01T00:00:00Z');
const MAX_CLOCK_AHEAD_MS = 3_600_000;
const base = {
  id: z.uuid(),
  at: z.iso.datetime({ offset: true }).refine((at) => {
    const time = Date.parse(at);
    return time >= EARLIEST && time <= Date.now() + MAX_CLOCK_AHEAD_MS;
  }),
  visitorId: text(200).nullable(),
  userId: text(200).nullable(),
};

const eventSchema = z.discriminatedUnion('kind', [
  z.object({
    ...base,
    kind: z.literal('operation'),
    operationName: text(200).nullable(),
    operationType: z.enum(['query', 'mutation', 'subscription']).nullable(),
    durationMs: z.number().int().min(0).max(86_400_000),
    outcome: z.enum(['success', 'error']),
    errorCode: text(100).optional(),
  }),
  z.object({
    ...base,
    kind: z.literal('activity'),
    tag: z.enum(ACTIVITY_TAGS as [string, ...string[]]),
    itemId: text(200).optional(),
  }),
]);

export interface ParsedBatch {
  events: StatsEventV1[];
  /** Events that did not match the schema (dropped). */
  invalid: number;
}

/** A StatsEventBatchV1 message body; undefined when it is not one at all. Bad events are dropped one by one. */
export function parseEventBatch(body: Buffer): ParsedBatch | undefined {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof json !== 'object' || json === null || (json as { version?: unknown }).version !== 1) return undefined;
  const raw = (json as { events?: unknown }).events;
  if (!Array.isArray(raw)) return undefined;
  const events: StatsEventV1[] = [];
  for (const candidate of raw) {
    const parsed = eventSchema.safeParse(candidate);
    if (parsed.success) events.push(parsed.data as StatsEventV1);
  }
  return { events, invalid: raw.length - events.length };
}

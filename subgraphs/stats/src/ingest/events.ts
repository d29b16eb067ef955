import { z } from '@keylab/config';
import { ACTIVITY_TAGS, type StatsEventV1 } from '@keylab/messaging';

const id = z.string().max(200).nullable();
const base = {
  id: z.uuid(),
  at: z.iso.datetime({ offset: true }),
  visitorId: id,
  userId: id,
};

const eventSchema = z.discriminatedUnion('kind', [
  z.object({
    ...base,
    kind: z.literal('operation'),
    operationName: z.string().max(200).nullable(),
    operationType: z.enum(['query', 'mutation', 'subscription']).nullable(),
    durationMs: z.number().int().min(0).max(86_400_000),
    outcome: z.enum(['success', 'error']),
    errorCode: z.string().max(100).optional(),
  }),
  z.object({
    ...base,
    kind: z.literal('activity'),
    tag: z.enum(ACTIVITY_TAGS as [string, ...string[]]),
    itemId: z.string().max(200).optional(),
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

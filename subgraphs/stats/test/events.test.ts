import { describe, expect, it } from 'vitest';
import { parseEventBatch } from '../src/ingest/events';
import { activity, operation } from '@keylab/test-support/stats';

const body = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));
const now = () => new Date().toISOString();

describe('parseEventBatch', () => {
  it('keeps valid events and drops the ones that could not be stored, one by one', () => {
    const good = [operation(now(), { visitor: 'v1' }), activity(now(), 'see_kit', { visitor: 'v1' }, 'kit-1')];
    const bad = [
      { ...operation(now(), { visitor: 'v\u0000' }) },
      { ...operation('3000-01-01T00:00:00Z', { visitor: 'v2' }) },
      { ...operation('1999-12-31T23:59:59Z', { visitor: 'v2' }) },
      { ...activity(now(), 'see_keyboard', { visitor: 'v2' }), tag: 'drop_table' },
      { ...operation(now(), { visitor: 'v2' }), id: 'not-a-uuid' },
      { ...operation(now(), { visitor: 'v2' }), durationMs: -1 },
      { ...operation(now(), { visitor: 'x'.repeat(201) }) },
      { kind: 'something', id: crypto.randomUUID(), at: now() },
      null,
    ];
    const parsed = parseEventBatch(body({ version: 1, events: [...good, ...bad] }));
    expect(parsed).toEqual({ events: good, invalid: bad.length });
  });

  it('refuses what is not a batch at all', () => {
    for (const content of ['not json', '[]', '{"version":2,"events":[]}', '{"version":1}', 'null', '{"version":1,"events":{}}']) {
      expect(parseEventBatch(body(content)), content).toBeUndefined();
    }
  });
});

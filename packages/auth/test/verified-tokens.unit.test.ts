import { afterEach, describe, expect, it, vi } from 'vitest';
import { verifiedTokens } from '../src/verified-tokens';

const viewer = { userId: 'u1', roles: [], sessionId: 's1' };

describe('the verified tokens a process remembers', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('forget the oldest beyond their capacity', () => {
    const tokens = verifiedTokens({ capacity: 3, rememberMs: 60_000 });
    for (const token of ['a', 'b', 'c', 'd']) tokens.remember(token, { viewer, expiresAt: Date.now() + 900_000 });
    expect(tokens.size).toBe(3);
    expect(tokens.get('a')).toBeUndefined();
    expect(tokens.get('d')).toMatchObject({ viewer });
  });

  it('are remembered for a minute at most, and never past their expiry', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const tokens = verifiedTokens({ capacity: 10, rememberMs: 60_000 });
    tokens.remember('long', { viewer, expiresAt: Date.now() + 900_000 });
    tokens.remember('short', { viewer, expiresAt: Date.now() + 5_000 });
    vi.setSystemTime(Date.now() + 5_000);
    expect(tokens.get('short')).toBeUndefined();
    expect(tokens.get('long')).toBeDefined();
    vi.setSystemTime(Date.now() + 55_000);
    expect(tokens.get('long')).toBeUndefined();
    expect(tokens.size).toBe(0);
  });
});

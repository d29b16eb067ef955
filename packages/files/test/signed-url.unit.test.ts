import { describe, expect, it } from 'vitest';
import { signUrl, verifySignedUrl } from '@keylab/files';

const secret = 'a-secret-of-at-least-16-chars';
const now = Date.UTC(2026, 0, 1);
const inAnHour = new Date(now + 3_600_000);

describe('signed URLs', () => {
  it('signs a path until a time and verifies it', () => {
    const url = signUrl('/files/private/u-1', secret, inAnHour);
    expect(url).toMatch(/^\/files\/private\/u-1\?expires=\d+&signature=[A-Za-z0-9_-]{43}$/);
    expect(verifySignedUrl(url, secret, now)).toEqual({
      valid: true,
      path: '/files/private/u-1',
      expiresAt: new Date(Math.floor(inAnHour.getTime() / 1000) * 1000),
    });
    expect(verifySignedUrl(`https://keylab.example${url}`, secret, now).valid).toBe(true);
  });

  it('keeps and signs the query the path already had', () => {
    const url = signUrl('/files/private/u-1?download=1', secret, inAnHour);
    expect(url).toMatch(/^\/files\/private\/u-1\?download=1&expires=\d+&signature=/);
    expect(verifySignedUrl(url, secret, now).valid).toBe(true);
    expect(verifySignedUrl(url.replace('download=1', 'download=2'), secret, now)).toEqual({
      valid: false,
      reason: 'bad_signature',
    });
  });

  it('refuses a changed path, a changed expiry, another secret, an extra parameter and no signature', () => {
    const url = signUrl('/files/private/u-1', secret, inAnHour);
    expect(verifySignedUrl(url.replace('u-1', 'u-2'), secret, now)).toEqual({ valid: false, reason: 'bad_signature' });
    expect(
      verifySignedUrl(
        url.replace(/expires=(\d+)/, (_m, s: string) => `expires=${Number(s) + 1000}`),
        secret,
        now,
      ).valid,
    ).toBe(false);
    expect(verifySignedUrl(url, 'another-secret-of-16-chars', now)).toEqual({ valid: false, reason: 'bad_signature' });
    expect(verifySignedUrl(`${url}&extra=1`, secret, now)).toEqual({ valid: false, reason: 'bad_signature' });
    expect(verifySignedUrl('/files/private/u-1', secret, now)).toEqual({ valid: false, reason: 'unsigned' });
    expect(verifySignedUrl(`${url}&signature=again`, secret, now)).toEqual({ valid: false, reason: 'unsigned' });
  });

  it('refuses an expired URL', () => {
    const url = signUrl('/files/private/u-1', secret, inAnHour);
    expect(verifySignedUrl(url, secret, inAnHour.getTime() + 1000)).toEqual({ valid: false, reason: 'expired' });
  });

  it('wants a real secret', () => {
    expect(() => signUrl('/files/x', 'short', inAnHour)).toThrow(/16 characters/);
  });
});

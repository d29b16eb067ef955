// How file bytes reach browsers without passing through Node: FILES_CDN_URL (links at the bucket or its CDN) and
// FILES_ACCEL_REDIRECT (nginx sends them); the settings that may be combined, and the URLs each gives out.
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '@keylab/config';
import { verifySignedUrl } from '@keylab/files';
import { keyboardsSettings } from '../src/config';
import { fileUrls } from '../src/http/file-urls';

const settings = (env: Record<string, string>) => parseConfig(keyboardsSettings, env);
const S3 = { FILES_DRIVER: 's3', S3_BUCKET: 'keylab' };
const KEY = `sha256/ab/${'ab'.repeat(32)}.glb`;

describe('file delivery settings', () => {
  it('are off by default, and an empty value is unset', () => {
    for (const env of [{}, { FILES_CDN_URL: '', FILES_ACCEL_REDIRECT: '' }] as Record<string, string>[]) {
      const config = settings(env);
      expect(config.FILES_CDN_URL).toBeUndefined();
      expect(config.FILES_ACCEL_REDIRECT).toBeUndefined();
    }
  });

  it('take a CDN base URL with the S3 driver, without its trailing slash', () => {
    expect(settings({ ...S3, FILES_CDN_URL: 'https://cdn.example.com/keylab/' }).FILES_CDN_URL).toBe(
      'https://cdn.example.com/keylab',
    );
  });

  it('take an internal nginx location with the folder driver', () => {
    expect(settings({ FILES_ACCEL_REDIRECT: '/internal-files/' }).FILES_ACCEL_REDIRECT).toBe('/internal-files/');
  });

  it.each([
    [{ FILES_CDN_URL: 'https://cdn.example.com' }, /^FILES_CDN_URL: needs FILES_DRIVER=s3/],
    [{ ...S3, FILES_CDN_URL: 'ftp://cdn.example.com' }, /^FILES_CDN_URL: /],
    [{ ...S3, FILES_CDN_URL: 'https://cdn.example.com/?v=1' }, /^FILES_CDN_URL: must have no query or fragment/],
    [{ FILES_ACCEL_REDIRECT: 'internal-files' }, /^FILES_ACCEL_REDIRECT: must be a path prefix/],
    [{ FILES_ACCEL_REDIRECT: '/internal-files' }, /^FILES_ACCEL_REDIRECT: must be a path prefix/],
    [{ FILES_ACCEL_REDIRECT: '/../files/' }, /^FILES_ACCEL_REDIRECT: must be a path prefix/],
    [{ ...S3, FILES_ACCEL_REDIRECT: '/internal-files/' }, /^FILES_ACCEL_REDIRECT: needs FILES_DRIVER=fs/],
    [{ FILES_DRIVER: 's3' }, /^S3_BUCKET: FILES_DRIVER=s3 needs a bucket/],
  ])('refuse %j, naming the setting', (env, message) => {
    expect(() => settings(env)).toThrow(ConfigError);
    expect(() => settings(env)).toThrow(message);
  });
});

describe('file URLs', () => {
  const secret = 'a-secret-of-sixteen-or-more';
  const attached = { storageKey: KEY, ownerId: 'owner', attachedAt: new Date() };
  const catalogue = { storageKey: KEY, ownerId: null, attachedAt: null };
  const pending = { storageKey: KEY, ownerId: 'owner', attachedAt: null };

  it('are under the public origin without a CDN', () => {
    const urls = fileUrls({ publicUrl: 'http://localhost:4000/', secret });
    expect(urls.of(attached)).toBe(`http://localhost:4000/files/${KEY}`);
    expect(urls.of(catalogue)).toBe(`http://localhost:4000/files/${KEY}`);
  });

  it('are at the CDN for public files, and signed under the public origin for an upload not attached yet', () => {
    const urls = fileUrls({ publicUrl: 'http://localhost:4000', cdnUrl: 'https://cdn.example.com/keylab', secret });
    expect(urls.of(attached)).toBe(`https://cdn.example.com/keylab/${KEY}`);
    expect(urls.of(catalogue)).toBe(`https://cdn.example.com/keylab/${KEY}`);
    const signed = new URL(urls.of(pending));
    expect(signed.origin).toBe('http://localhost:4000');
    expect(signed.pathname).toBe(`/files/${KEY}`);
    expect(verifySignedUrl(`${signed.pathname}${signed.search}`, secret)).toMatchObject({ valid: true });
  });
});

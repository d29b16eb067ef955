// npm start's preflight: what it says when PostgreSQL lacks the hll extension the stats database needs.
import { describe, expect, it } from 'vitest';
import { hllMissingMessage } from '../scripts/lib/preflight';

describe('hllMissingMessage', () => {
  it('says nothing when the extension is available', () => {
    expect(hllMissingMessage(true, 150020)).toBeNull();
  });

  it('names what is missing, the Debian package and its apt-get line for the server major version', () => {
    const message = hllMissingMessage(false, 150020, 'PostgreSQL at 127.0.0.1:5432')!;
    expect(message).toMatch(/^PostgreSQL at 127\.0\.0\.1:5432 \(version 15\) does not have the hll extension/);
    expect(message).toContain('postgresql-15-hll');
    expect(message.split('\n')).toContain('  sudo apt-get install postgresql-15-hll');
  });

  it('follows the server version, not the one the project develops on', () => {
    const message = hllMissingMessage(false, 170002)!;
    expect(message).toContain('sudo apt-get install postgresql-17-hll');
    expect(message).not.toContain('postgresql-15-hll');
  });

  it('offers docker compose, whose PostgreSQL image has the extension', () => {
    expect(hllMissingMessage(false, 160004)!.split('\n')).toContain('  docker compose up -d --build postgres');
  });
});

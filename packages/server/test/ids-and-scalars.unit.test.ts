import { describe, expect, it } from 'vitest';
import { AppError } from '@keylab/errors';
import { DateTimeScalar, fromGlobalId, idOf, toGlobalId, URLScalar, uuidOf } from '@keylab/server';

const uuid = '0b1c2d3e-4f50-4617-8a9b-0c1d2e3f4a5b';

describe('global ids', () => {
  it('carry the type and round-trip', () => {
    const id = toGlobalId('Box', uuid);
    expect(id).not.toContain(uuid);
    expect(fromGlobalId(id)).toEqual({ type: 'Box', id: uuid });
    expect(idOf('Box', id, 'id')).toBe(uuid);
  });

  it('accept a plain UUID during the transition, in any case', () => {
    expect(idOf('Kit', uuid.toUpperCase(), 'kitId')).toBe(uuid);
  });

  it('refuse an id of another type, or garbage, as BAD_USER_INPUT naming the field', () => {
    for (const raw of [
      toGlobalId('Kit', uuid),
      'nope',
      '',
      Buffer.from('Box:not-a-uuid').toString('base64url'),
      'x'.repeat(500),
    ]) {
      let error: unknown;
      try {
        idOf('Box', raw, 'boxId');
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'boxId' });
    }
    expect(uuidOf(['Box', 'Kit'], toGlobalId('Kit', uuid))).toBe(uuid);
    expect(uuidOf('Box', toGlobalId('Kit', uuid))).toBeNull();
  });
});

describe('DateTime', () => {
  it('takes a time with an offset and writes UTC', () => {
    expect(DateTimeScalar.parseValue('2026-01-31T15:00:00+03:00')).toEqual(new Date('2026-01-31T12:00:00Z'));
    expect(DateTimeScalar.serialize(new Date('2026-01-31T12:00:00Z'))).toBe('2026-01-31T12:00:00.000Z');
    expect(DateTimeScalar.specifiedByURL).toMatch(/^https:/);
  });

  it('refuses a time without an offset (it would be read in the server’s zone) and non-dates', () => {
    for (const value of ['2026-01-31T12:00:00', '2026-01-31', '2026-02-31T12:00:00Z', 42]) {
      expect(() => DateTimeScalar.parseValue(value)).toThrow(/DateTime/);
    }
  });
});

describe('URL', () => {
  it('writes absolute http(s) URLs only', () => {
    expect(URLScalar.serialize('http://localhost:4000/files/x')).toBe('http://localhost:4000/files/x');
    expect(() => URLScalar.serialize('/files/x')).toThrow();
    expect(() => URLScalar.parseValue('javascript:alert(1)')).toThrow();
  });
});

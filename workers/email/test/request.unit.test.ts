import { describe, expect, it } from 'vitest';
import { classifySendError, messageIdFor, parseEmailRequest, smtpTransportUrl } from '@keylab/email-worker';

const valid = {
  version: 1,
  id: 'c3a1f0e2-1b2c-4d5e-8f90-123456789abc',
  template: 'sign-up-code',
  locale: 'ru',
  to: 'a@b.test',
  params: { code: '123456' },
};
const parse = (body: unknown) => parseEmailRequest(Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)));

describe('email requests', () => {
  it('accepts an EmailRequestV1', () => {
    expect(parse(valid)).toEqual({ ok: true, request: valid });
  });

  it.each([
    ['not JSON', '{', 'not JSON'],
    ['another version', { ...valid, version: 2 }, 'invalid version'],
    ['an unknown template', { ...valid, template: 'newsletter' }, 'invalid template'],
    ['an unknown locale', { ...valid, locale: 'de' }, 'invalid locale'],
    ['a bad address', { ...valid, to: 'nobody' }, 'invalid to'],
    ['a non-string param', { ...valid, params: { code: 123456 } }, 'invalid params.code'],
    ['an id that could break a header', { ...valid, id: 'x>\r\nBcc: all@evil.test' }, 'invalid id'],
    ['no body at all', 'null', 'invalid (body)'],
  ])('rejects %s, naming the field but not its value', (_name, body, problem) => {
    const result = parse(body);
    expect(result).toEqual({ ok: false, problem });
  });

  it('derives the Message-ID from the request id', () => {
    expect(messageIdFor(valid.id)).toBe(`<${valid.id}@keylab>`);
  });
});

describe('send failures', () => {
  const error = (props: object) => Object.assign(new Error('failed'), props);

  it.each([
    [{ responseCode: 451, code: 'EMESSAGE' }, 'transient', 'smtp 451 EMESSAGE'],
    [{ responseCode: 421, code: 'EENVELOPE' }, 'transient', 'smtp 421 EENVELOPE'],
    [{ code: 'ECONNECTION' }, 'transient', 'ECONNECTION'],
    [{ code: 'ETIMEDOUT' }, 'transient', 'ETIMEDOUT'],
    [{ responseCode: 535, code: 'EAUTH' }, 'transient', 'smtp 535 EAUTH'],
    [{ responseCode: 550, code: 'EENVELOPE' }, 'permanent', 'smtp 550 EENVELOPE'],
    [{ responseCode: 554, code: 'EMESSAGE' }, 'permanent', 'smtp 554 EMESSAGE'],
    [{ code: 'EENVELOPE' }, 'permanent', 'EENVELOPE'],
    [{}, 'transient', 'unknown error'],
  ])('%o is %s', (props, kind, reason) => {
    expect(classifySendError(error(props))).toEqual({ kind, reason });
  });
});

describe('SMTP transport URL', () => {
  it('pools and bounds timeouts unless the URL says otherwise', () => {
    const url = new URL(smtpTransportUrl('smtp://user:p%40ss@mail.test:587'));
    expect(url.searchParams.get('pool')).toBe('true');
    expect(url.searchParams.get('socketTimeout')).toBe('60000');
    expect(url.password).toBe('p%40ss');
    const own = new URL(smtpTransportUrl('smtps://mail.test?pool=false&socketTimeout=5000'));
    expect(own.searchParams.get('pool')).toBe('false');
    expect(own.searchParams.get('socketTimeout')).toBe('5000');
  });
});

import { describe, expect, it } from 'vitest';
import { AppError, errors, messages, pickLocale, translate, LOCALES } from '@keylab/errors';

describe('pickLocale', () => {
  it.each([
    [undefined, 'en'],
    ['', 'en'],
    ['ru', 'ru'],
    ['ru-RU,ru;q=0.9,en-US;q=0.8', 'ru'],
    ['en-US,en;q=0.9,ru;q=0.8', 'en'],
    ['de-DE,ru;q=0.5', 'ru'],
    ['fr, de', 'en'],
    ['en;q=0.1, ru;q=0.9', 'ru'],
    ['ru;q=0', 'en'],
    ['*', 'en'],
    ['RU', 'ru'],
    [';;;q=abc,ru', 'ru'],
  ])('%j gives %s', (header, locale) => {
    expect(pickLocale(header)).toBe(locale);
  });
});

describe('messages', () => {
  it('has every message in every language, with the same parameters', () => {
    for (const [key, message] of Object.entries(messages)) {
      const params = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      for (const locale of LOCALES) expect(message[locale], `${key}.${locale}`).toBeTruthy();
      expect(params(message.ru), key).toEqual(params(message.en));
    }
  });

  it('fills parameters', () => {
    expect(translate('ru', 'internal', { requestId: 'r-1' })).toContain('r-1');
  });
});

describe('AppError', () => {
  it('carries a stable code and a localized message', () => {
    const error = errors.badInput('ru', 'first', 'input.pageSize', { max: 100 });
    expect(error).toBeInstanceOf(AppError);
    expect(error.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'first' });
    expect(error.message).toBe('Недопустимое значение поля first: должно быть от 1 до 100.');
    expect(errors.unauthenticated('en').extensions.code).toBe('UNAUTHENTICATED');
    expect(errors.forbidden('en').extensions.code).toBe('FORBIDDEN');
    expect(errors.notFound('ru').message).toBe('По этому идентификатору ничего не найдено.');
  });
});

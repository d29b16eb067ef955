import { describe, expect, it } from 'vitest';
import { AppError, appErrorOf, errors, messages, pickLocale, translate, LOCALES } from '@keylab/errors';

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
  it('carries a stable code and a message that the edge puts in the caller’s language', () => {
    const error = errors.badInput('first', 'input.pageSize', { max: 100 });
    expect(error).toBeInstanceOf(AppError);
    expect(error.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'first' });
    expect(error.message).toBe('Invalid value of first: must be between 1 and 100.');
    expect(error.messageIn('ru')).toBe('Недопустимое значение поля «размер страницы»: должно быть от 1 до 100.');
    expect(errors.unauthenticated().extensions.code).toBe('UNAUTHENTICATED');
    expect(errors.forbidden().extensions.code).toBe('FORBIDDEN');
    expect(errors.notFound().localize('ru').message).toBe('По этому идентификатору ничего не найдено.');
  });

  it('names a field missing from the catalogue as it is, and finds the AppError a resolver threw', () => {
    const error = errors.badInput('colour', 'input.id');
    expect(error.messageIn('ru')).toBe('Недопустимое значение поля «colour»: не является идентификатором каталога.');
    const wrapped = { message: error.message, originalError: error };
    expect(appErrorOf(wrapped)).toBe(error);
    expect(appErrorOf(new Error('plain'))).toBeUndefined();
  });
});

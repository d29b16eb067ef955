import { GraphQLError } from 'graphql';
import type { Locale } from './locale';
import { translate, type MessageKey } from './messages';

export { pickLocale, LOCALES, type Locale } from './locale';
export { messages, translate, type MessageKey } from './messages';

/** The fixed set of error codes a client can rely on (extensions.code). */
export const ERROR_CODES = [
  'BAD_USER_INPUT',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  'RATE_LIMITED',
  'INTERNAL',
  /** A subgraph could not be reached: the rest of the answer is there; retry this part later. */
  'SERVICE_UNAVAILABLE',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ErrorOptions {
  params?: Record<string, string | number>;
  /** Extra extensions, for example the offending input field. */
  extensions?: Record<string, unknown>;
}

/** A typed, localized GraphQL error. */
export class AppError extends GraphQLError {
  readonly code: ErrorCode;

  constructor(locale: Locale, code: ErrorCode, key: MessageKey, options: ErrorOptions = {}) {
    super(translate(locale, key, options.params), {
      extensions: { code, ...options.extensions },
    });
    this.code = code;
  }
}

export const errors = {
  unauthenticated: (locale: Locale, key: MessageKey = 'auth.required') => new AppError(locale, 'UNAUTHENTICATED', key),
  forbidden: (locale: Locale, key: MessageKey = 'auth.adminOnly') => new AppError(locale, 'FORBIDDEN', key),
  notFound: (locale: Locale) => new AppError(locale, 'NOT_FOUND', 'notFound'),
  /** BAD_USER_INPUT naming the field, with the reason from the message catalogue. */
  badInput: (locale: Locale, field: string, reason: MessageKey, params: Record<string, string | number> = {}) =>
    new AppError(locale, 'BAD_USER_INPUT', 'input.invalid', {
      params: { field, reason: translate(locale, reason, params) },
      extensions: { field },
    }),
  /** BAD_USER_INPUT naming the field, with a message of its own (a whole sentence). */
  badField: (locale: Locale, field: string, key: MessageKey) =>
    new AppError(locale, 'BAD_USER_INPUT', key, { extensions: { field } }),
  /** RATE_LIMITED that says when to retry (extensions.retryAfterSeconds). */
  rateLimited: (locale: Locale, retryAfterMs: number, key: MessageKey = 'rateLimited') => {
    const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
    return new AppError(locale, 'RATE_LIMITED', key, { params: { seconds }, extensions: { retryAfterSeconds: seconds } });
  },
  conflict: (locale: Locale, key: MessageKey, field?: string) =>
    new AppError(locale, 'CONFLICT', key, field ? { extensions: { field } } : {}),
};

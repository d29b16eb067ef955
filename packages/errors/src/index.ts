import { GraphQLError } from 'graphql';
import type { Locale } from './locale';
import { fieldRef, translate, type MessageKey, type MessageParams, type MessageRef } from './messages';

export { pickLocale, LOCALES, type Locale } from './locale';
export { messages, translate, fieldRef, type MessageKey, type MessageParams, type MessageRef } from './messages';

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
  params?: MessageParams;
  /** Extra extensions, for example the offending input field. */
  extensions?: Record<string, unknown>;
}

/**
 * A typed GraphQL error: a stable code and a message of the catalogue with its parameters. Domain code
 * knows no language: the message is English until the edge (the error policy plugin, or an adapter that
 * answers by itself) puts it in the caller's language with `localize`.
 */
export class AppError extends GraphQLError {
  readonly code: ErrorCode;
  readonly text: MessageRef;

  constructor(code: ErrorCode, key: MessageKey, options: ErrorOptions = {}) {
    super(translate('en', key, options.params), { extensions: { code, ...options.extensions } });
    this.code = code;
    this.text = { key, params: options.params };
  }

  /** This error's message in a language. */
  messageIn(locale: Locale): string {
    return translate(locale, this.text.key, this.text.params);
  }

  /** Puts the message in the caller's language (for an adapter that throws before any plugin runs). */
  localize(locale: Locale): this {
    this.message = this.messageIn(locale);
    return this;
  }
}

/** The AppError behind a GraphQL error (graphql-js wraps what a resolver throws). */
export function appErrorOf(error: unknown): AppError | undefined {
  if (error instanceof AppError) return error;
  const original = (error as { originalError?: unknown } | null)?.originalError;
  return original instanceof AppError ? original : undefined;
}

export const errors = {
  unauthenticated: (key: MessageKey = 'auth.required') => new AppError('UNAUTHENTICATED', key),
  forbidden: (key: MessageKey = 'auth.adminOnly') => new AppError('FORBIDDEN', key),
  notFound: () => new AppError('NOT_FOUND', 'notFound'),
  /** BAD_USER_INPUT naming the field, with the reason from the message catalogue. */
  badInput: (field: string, reason: MessageKey, params: MessageParams = {}) =>
    new AppError('BAD_USER_INPUT', 'input.invalid', {
      params: { field: fieldRef(field), reason: { key: reason, params } },
      extensions: { field },
    }),
  /** BAD_USER_INPUT naming the field, with a message of its own (a whole sentence). */
  badField: (field: string, key: MessageKey) => new AppError('BAD_USER_INPUT', key, { extensions: { field } }),
  /** RATE_LIMITED that says when to retry (extensions.retryAfterSeconds). */
  rateLimited: (retryAfterMs: number, key: MessageKey = 'rateLimited') => {
    const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
    return new AppError('RATE_LIMITED', key, { params: { seconds }, extensions: { retryAfterSeconds: seconds } });
  },
  conflict: (key: MessageKey, field?: string) => new AppError('CONFLICT', key, field ? { extensions: { field } } : {}),
};

import type { Request, Response } from 'express';
import { appErrorOf, ERROR_CODES, pickLocale, type ErrorCode, type Locale } from '@keylab/errors';
import { FileRejected } from '../errors';
import { translateFile } from '../messages';

export interface ErrorAnswer {
  status: number;
  body: { error: { code: string; reason?: string; message: string; [extra: string]: unknown } };
  /** A failure of ours (logged through onError), not something the client did. */
  unexpected: boolean;
}

const STATUS_OF_CODE: Record<ErrorCode, number> = {
  BAD_USER_INPUT: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  SERVICE_UNAVAILABLE: 503,
};

export function localeOf(req: Request): Locale {
  return pickLocale(req.headers['accept-language']);
}

/**
 * The JSON answer for an error: a FileRejected with its reason and a message in the request's language;
 * an error with one of the public codes (an AppError from @keylab/errors thrown by a callback) with its
 * message in that language too; anything else INTERNAL without internals.
 */
export function errorAnswer(error: unknown, locale: Locale): ErrorAnswer {
  if (error instanceof FileRejected) {
    const { retryAfterSeconds } = error.params;
    return {
      status: error.status,
      body: {
        error: {
          code: error.code,
          reason: error.reason,
          message: error.messageIn(locale),
          ...(typeof retryAfterSeconds === 'number' ? { retryAfterSeconds } : {}),
        },
      },
      unexpected: false,
    };
  }
  if (error instanceof Error) {
    const extensions = (error as { extensions?: Record<string, unknown> }).extensions ?? {};
    const code = (error as { code?: unknown }).code ?? extensions.code;
    if (typeof code === 'string' && code !== 'INTERNAL' && (ERROR_CODES as readonly string[]).includes(code)) {
      const { code: _code, http: _http, ...extra } = extensions;
      return {
        status: STATUS_OF_CODE[code as ErrorCode],
        body: { error: { ...extra, code, message: appErrorOf(error)?.messageIn(locale) ?? error.message } },
        unexpected: false,
      };
    }
  }
  return { status: 500, body: { error: { code: 'INTERNAL', message: translateFile(locale, 'internal') } }, unexpected: true };
}

export function sendError(res: Response, answer: ErrorAnswer): void {
  if (res.headersSent || !res.writable) return;
  const retryAfter = answer.body.error.retryAfterSeconds;
  if (typeof retryAfter === 'number') res.set('Retry-After', String(retryAfter));
  res
    .status(answer.status)
    .set({ 'Cache-Control': 'no-store', 'Content-Type': 'application/json; charset=utf-8' })
    .json(answer.body);
}

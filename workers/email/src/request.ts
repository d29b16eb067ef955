import { z } from '@keylab/config';
import { EMAIL_LOCALES, EMAIL_TEMPLATES, type EmailRequestV1 } from '@keylab/messaging';

/** What the worker accepts: an EmailRequestV1, checked field by field. */
export const emailRequestSchema = z.object({
  version: z.literal(1),
  // Goes into the Message-ID header and the Redis key: a UUID or similar, nothing that could break a header.
  id: z.string().regex(/^[A-Za-z0-9._-]{1,128}$/),
  template: z.enum(EMAIL_TEMPLATES),
  locale: z.enum(EMAIL_LOCALES),
  to: z.email(),
  params: z.record(z.string(), z.string().max(1_000)),
}) satisfies z.ZodType<EmailRequestV1>;

export type ParsedRequest = { ok: true; request: EmailRequestV1 } | { ok: false; problem: string };

/**
 * Parses a message body. The problem it reports names the fields that are wrong, never their values
 * (they may hold a code or an address).
 */
export function parseEmailRequest(content: Buffer): ParsedRequest {
  let body: unknown;
  try {
    body = JSON.parse(content.toString('utf8'));
  } catch {
    return { ok: false, problem: 'not JSON' };
  }
  const result = emailRequestSchema.safeParse(body);
  if (result.success) return { ok: true, request: result.data };
  const fields = [...new Set(result.error.issues.map((issue) => issue.path.join('.') || '(body)'))];
  return { ok: false, problem: `invalid ${fields.join(', ')}` };
}

import nodemailer from 'nodemailer';
import type { EmailRequestV1 } from '@keylab/messaging';
import type { RenderedEmail } from './templates';

/** Bounds on a single send, so a stalled server cannot hold a message (and shutdown) for nodemailer's default hour. */
const SMTP_DEFAULTS = { pool: 'true', connectionTimeout: '10000', greetingTimeout: '10000', socketTimeout: '60000' };

/** The SMTP URL with pooling and timeouts, unless the URL sets them itself. */
export function smtpTransportUrl(raw: string): string {
  const url = new URL(raw);
  for (const [name, value] of Object.entries(SMTP_DEFAULTS)) {
    if (!url.searchParams.has(name)) url.searchParams.set(name, value);
  }
  return url.toString();
}

/** The Message-ID of the email for a request: the same for every delivery, so duplicates can be recognised. */
export const messageIdFor = (requestId: string) => `<${requestId}@keylab>`;

/** Sends rendered emails from `from` over a pooled SMTP transport. */
export function createMailer(smtpUrl: string, from: string) {
  const transport = nodemailer.createTransport(smtpTransportUrl(smtpUrl));
  return {
    send: async (request: EmailRequestV1, email: RenderedEmail): Promise<void> => {
      await transport.sendMail({
        from,
        to: request.to,
        subject: email.subject,
        text: email.text,
        html: email.html,
        messageId: messageIdFor(request.id),
        headers: { 'Auto-Submitted': 'auto-generated' },
      });
    },
    verify: () => transport.verify(),
    close: () => transport.close(),
  };
}

export type Mailer = ReturnType<typeof createMailer>;

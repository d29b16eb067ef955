import { setting, z } from '@keylab/config';

export const emailSettings = z.object({
  NODE_ENV: setting.nodeEnv(),
  LOG_LEVEL: setting.logLevel(),
  /** Port of the worker's /health and /ready. */
  PORT: setting.port(4010),
  AMQP_URL: setting.amqpUrl(),
  /** SMTP server; the default is the local mail catcher that `npm start` runs. */
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, 'must be an smtp:// or smtps:// URL')
    .default('smtp://127.0.0.1:1025'),
  MAIL_FROM: z.string().default('KeyLab <no-reply@keylab.local>'),
  EMAIL_QUEUE: z.string().min(1).default('email.send'),
  /** Pause before a message that failed to send goes back on the queue. */
  EMAIL_RETRY_DELAY_MS: z.coerce.number().int().min(0).default(5_000),
});

export type EmailConfig = z.infer<typeof emailSettings>;

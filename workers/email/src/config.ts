import { setting, z } from '@keylab/config';

export const emailSettings = z.object({
  NODE_ENV: setting.nodeEnv(),
  LOG_LEVEL: setting.logLevel(),
  /** Port of the worker's /health and /ready. */
  PORT: setting.port(4010),
  HOST: setting.host(),
  AMQP_URL: setting.amqpUrl(),
  /** Keeps the ids of sent emails for 7 days, so a redelivered request is not sent twice. */
  REDIS_URL: setting.redisUrl(),
  /**
   * SMTP server; the default is the local mail catcher that `npm start` runs. Pooled unless the URL
   * says `pool=false`; nodemailer options such as `socketTimeout` may be given as query parameters.
   */
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, 'must be an smtp:// or smtps:// URL')
    .refine((value) => URL.canParse(value), 'must be a valid URL')
    .default('smtp://127.0.0.1:1025'),
  MAIL_FROM: z.string().min(1).default('KeyLab <no-reply@keylab.local>'),
  /** Direct exchange the users service publishes email requests to, with routing key `send`. */
  EMAIL_EXCHANGE: z.string().min(1).default('email'),
  /** Work queue; the retry tiers are `<queue>.retry.<delay>` and the parking queue `<queue>.dead`. */
  EMAIL_QUEUE: z.string().min(1).default('email.send'),
  /** Delay of each retry tier, shortest first: after a transient failure a message waits in the next tier. */
  EMAIL_RETRY_DELAYS_MS: z
    .string()
    .regex(/^\s*\d+(\s*,\s*\d+)*\s*$/, 'must be comma-separated milliseconds, e.g. 10000,60000,600000')
    .default('10000,60000,600000')
    .transform((value) => value.split(',').map(Number))
    .refine((delays) => delays.every((ms) => ms >= 1 && ms <= 2 ** 31 - 1), 'each delay must be 1 ms to 24 days'),
  /** Messages handled at once (one SMTP send each). */
  EMAIL_PREFETCH: z.coerce.number().int().min(1).max(1000).default(8),
});

export type EmailConfig = z.infer<typeof emailSettings>;

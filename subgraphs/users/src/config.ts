import { setting, subgraphSettings, z } from '@keylab/config';

export const usersSettings = subgraphSettings('keylab_users', 4001)
  .extend({
    /** Private signing key as a JWK (JSON). Unset: one is generated once and kept in KEYLAB_DATA_DIR. */
    JWT_SIGNING_KEY: z.string().optional(),
    /** The previous signing key's public JWK, still published during a rotation. */
    JWT_PREVIOUS_PUBLIC_KEY: z.string().optional(),
    /** Secret of the HMAC that stores one-time codes. Unset: generated once and kept in KEYLAB_DATA_DIR. */
    CODE_SECRET: z.string().optional(),
    /** Where generated secrets are kept (owner-only files); empty keeps them in memory only. */
    KEYLAB_DATA_DIR: z.string().default('.data'),
    ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).max(3600).default(900),
    SESSION_TTL_DAYS: z.coerce.number().int().min(1).max(365).default(30),
    /** Two tabs refreshing at once: a just-rotated token still gets an access token for this long. */
    REFRESH_GRACE_SECONDS: z.coerce.number().int().min(0).max(60).default(10),
    /** Secure on the refresh cookie; browsers accept Secure cookies from http://localhost too. */
    COOKIE_SECURE: setting.bool(true),
    /** Every answer to a code request takes at least this long, whatever the address (no enumeration). */
    CODE_REQUEST_FLOOR_MS: z.coerce.number().int().min(0).max(5_000).default(400),
    /**
     * Threads computing Argon2id (each keeps a core busy): hashes and verifications at once; other sign-ins wait in
     * line. Unset: half the cores, at least one.
     */
    PASSWORD_HASH_CONCURRENCY: z.coerce.number().int().min(1).max(64).optional(),
    /**
     * Their priority (Linux): `idle` computes on time no other thread of the machine wants (a hash left unanswered for
     * 2 s is computed at the normal priority instead), `normal` is the process's own.
     */
    PASSWORD_HASH_PRIORITY: z.enum(['idle', 'normal']).default('idle'),
    /** Where email requests go; the email worker consumes EMAIL_QUEUE, bound to EMAIL_EXCHANGE. */
    EMAIL_EXCHANGE: z.string().min(1).default('email'),
    /** Prefix of the rate-limit counters in Redis (one installation's counters never meet another's). */
    RATE_LIMIT_PREFIX: z.string().min(1).default('users'),
    EMAIL_QUEUE: z.string().min(1).default('email.send'),
    /** The topic exchange of this service's domain events (user.registered); the stats service binds its queue to it. */
    USER_EVENTS_EXCHANGE: z.string().min(1).default('users.events'),
  })
  .meta({ requiredInProduction: ['JWT_SIGNING_KEY', 'CODE_SECRET', 'GATEWAY_SECRET'] });

export type UsersConfig = z.infer<typeof usersSettings>;

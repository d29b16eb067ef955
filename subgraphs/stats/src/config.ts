import { setting, statsExchangeSetting, subgraphSettings, z } from '@keylab/config';

export const statsSettings = subgraphSettings('keylab_stats', 4003)
  .extend({
    STATS_EXCHANGE: statsExchangeSetting(),
    /** The durable queue this service consumes statistics events from (shared by all its instances). */
    STATS_QUEUE: z.string().min(1).default('stats.ingest'),
    /** The users service's events exchange, and this service's own queue of its user.registered events. */
    USER_EVENTS_EXCHANGE: z.string().min(1).default('users.events'),
    SIGN_UPS_QUEUE: z.string().min(1).default('stats.sign-ups'),
    /**
     * The most events per database write, and the longest wait before a partial batch is written. While a
     * write runs the next batch fills up, so batches are as large as the load makes them, up to this size.
     */
    INGEST_BATCH_SIZE: z.coerce.number().int().min(1).max(20_000).default(20_000),
    INGEST_FLUSH_MS: z.coerce.number().int().min(10).max(10_000).default(200),
    /**
     * Raw events are kept this many days (at least: whole months are dropped once they are all older);
     * rollups, and so every series and overview, are kept forever. Unset: raw events are kept forever too.
     */
    EVENTS_RETENTION_DAYS: setting.unsetWhenEmpty(z.coerce.number().int().min(1)),
    /** Prefix of the result cache in Redis. */
    CACHE_PREFIX: z.string().min(1).default('stats'),
    /** The public origin export links start with: the gateway, which passes /exports/* to this service. */
    EXPORTS_PUBLIC_URL: setting.url('http://localhost:4000'),
    /** Signs export links; unset: a new secret per start (links then die with a restart). */
    EXPORT_URL_SECRET: setting.unsetWhenEmpty(z.string().min(16)),
  })
  .meta({ requiredInProduction: ['EXPORT_URL_SECRET', 'GATEWAY_SECRET'] });

export type StatsConfig = z.infer<typeof statsSettings>;

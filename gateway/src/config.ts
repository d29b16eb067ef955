import { inProduction, LOCAL_SECRETS_DIR, setting, statsExchangeSetting, z } from '@keylab/config';

export const gatewaySettings = z
  .object({
    NODE_ENV: setting.nodeEnv(),
    LOG_LEVEL: setting.logLevel(),
    PORT: setting.port(4000),
    /** The address to listen on; 0.0.0.0 (or a host's public address) where others must reach the gateway. */
    HOST: setting.host(),
    /**
     * Which proxies in front of the gateway to believe about the client's address (X-Forwarded-For):
     * Express's `trust proxy`: a number of hops (1 behind one load balancer), addresses or subnets
     * (comma-separated, or loopback, linklocal, uniquelocal), or false to use the connection's own address.
     */
    TRUST_PROXY: z
      .string()
      .default('loopback')
      .transform((value): string | number | boolean => (/^\d+$/.test(value) ? Number(value) : value === 'false' ? false : value)),
    /** Signs the identity the gateway forwards to the subgraphs (they answer nobody else); see GATEWAY_SECRET there. */
    GATEWAY_SECRET: setting.secret(),
    SECRETS_DIR: z.string().default(LOCAL_SECRETS_DIR),
    /** file: the checked-in composed supergraph; poll: compose from the running subgraphs (development). */
    SUPERGRAPH_SOURCE: z.enum(['file', 'poll']).default('file'),
    SUPERGRAPH_PATH: z.string().default(new URL('../../schema/supergraph.graphql', import.meta.url).pathname),
    SUPERGRAPH_POLL_INTERVAL_MS: z.coerce.number().int().min(1000).default(10_000),
    USERS_URL: setting.url('http://127.0.0.1:4001/graphql'),
    KEYBOARDS_URL: setting.url('http://127.0.0.1:4002/graphql'),
    STATS_URL: setting.url('http://127.0.0.1:4003/graphql'),
    JWKS_URL: setting.url('http://127.0.0.1:4001/.well-known/jwks.json'),
    /** Redis, where ended sessions are listed (a token of one is refused at once). */
    REDIS_URL: setting.redisUrl(),
    /** RabbitMQ, for the statistics event of every operation. */
    AMQP_URL: setting.amqpUrl(),
    STATS_EXCHANGE: statsExchangeSetting(),
    JWT_ISSUER: z.string().default('keylab-users'),
    JWT_AUDIENCE: z.string().default('keylab'),
    /** Browser origins allowed to call the API with credentials, comma-separated. */
    CORS_ORIGINS: setting.list('http://localhost:3000,http://localhost:5173,https://studio.apollographql.com'),
    /**
     * The address browsers reach the gateway at (for example https://api.keylab.example behind a proxy). Its
     * origin is trusted like CORS_ORIGINS, so the pages the gateway serves work there. In development every
     * local address of the gateway's port is trusted too.
     */
    PUBLIC_URL: z.url().optional(),
    /** The built browser pages (web/dist): the admin dashboard at /admin/ and GraphiQL at /graphiql/. */
    PAGES_DIR: z.string().default(new URL('../../web/dist', import.meta.url).pathname),
    /** Apollo Sandbox on the landing page; off means the production landing page. */
    SANDBOX: z.enum(['true', 'false']).optional(),
    /** Schema introspection; unset: on where Sandbox is on. Off also hides "did you mean" field suggestions. */
    INTROSPECTION: z.enum(['true', 'false']).optional(),
    /** Operation limits (each refused with GRAPHQL_VALIDATION_FAILED or GRAPHQL_PARSE_FAILED and extensions.limit). */
    GRAPHQL_MAX_DEPTH: z.coerce.number().int().min(1).default(12),
    GRAPHQL_MAX_ALIASES: z.coerce.number().int().min(0).default(20),
    GRAPHQL_MAX_DIRECTIVES: z.coerce.number().int().min(0).default(20),
    GRAPHQL_MAX_TOKENS: z.coerce.number().int().min(100).default(3_000),
    GRAPHQL_MAX_COST: z.coerce.number().int().min(1).default(50_000),
    /** Operations in one batched request (a JSON array); 1 turns batching off. */
    GRAPHQL_MAX_BATCH: z.coerce.number().int().min(1).max(100).default(10),
    /**
     * Memory for hot downloads: files the catalogue service serves as immutable (content-addressed) are kept,
     * least recently used out first, each up to an eighth of it, and sent from here once the service has
     * allowed the download (a conditional request without a body). 0 turns it off.
     */
    FILES_MEMORY_MB: z.coerce.number().int().min(0).default(128),
    /** Secure cookies; unset: on in production (behind HTTPS), off for plain-http local runs. */
    COOKIE_SECURE: setting.optionalBool(),
  })
  .meta({ requiredInProduction: ['GATEWAY_SECRET', 'CORS_ORIGINS'] });

export type GatewayConfig = z.infer<typeof gatewaySettings>;

export const sandboxEnabled = (config: GatewayConfig) =>
  config.SANDBOX ? config.SANDBOX === 'true' : config.NODE_ENV !== 'production';

export const secureCookies = (config: GatewayConfig) => inProduction(config.COOKIE_SECURE, config.NODE_ENV);

export const introspectionEnabled = (config: GatewayConfig) =>
  config.INTROSPECTION ? config.INTROSPECTION === 'true' : sandboxEnabled(config);

/** The locally served GraphiQL: wherever Sandbox or introspection is on. */
export const explorerEnabled = (config: GatewayConfig) => sandboxEnabled(config) || introspectionEnabled(config);

export const subgraphUrls = (config: GatewayConfig): Record<string, string> => ({
  users: config.USERS_URL,
  keyboards: config.KEYBOARDS_URL,
  stats: config.STATS_URL,
});

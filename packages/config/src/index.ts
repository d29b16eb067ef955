import { z } from 'zod';

export { z };

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * What a settings schema says beyond the values' shapes (zod metadata: `.meta({ requiredInProduction })`):
 * settings without a safe default once NODE_ENV=production, such as secrets that a process would
 * otherwise generate for itself (and that would then differ between replicas).
 */
export interface SettingsRules {
  requiredInProduction?: readonly string[];
}

/** Reads settings from the environment; throws ConfigError naming the first bad setting. */
export function parseConfig<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  const result = schema.safeParse(env);
  if (result.success) {
    const { requiredInProduction = [] } = (schema.meta() ?? {}) as SettingsRules;
    const missing =
      (result.data as { NODE_ENV?: string }).NODE_ENV === 'production' && requiredInProduction.find((name) => !env[name]);
    if (missing) {
      throw new ConfigError(
        `${missing}: must be set when NODE_ENV=production: a generated value would differ between replicas (not set)`,
      );
    }
    return result.data;
  }
  const issue = result.error.issues[0]!;
  const name = issue.path.join('.') || 'environment';
  const value = env[name];
  const shown = value === undefined ? 'not set' : `got ${JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value)}`;
  throw new ConfigError(`${name}: ${issue.message} (${shown})`);
}

/** For a process entry point: a bad setting ends the process with one line that says which and why. */
export function loadConfig<S extends z.ZodType>(service: string, schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  try {
    return parseConfig(schema, env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${service}: bad setting ${error.message}\n`);
    process.exit(78);
  }
}

const POSTGRES_BASE = 'postgresql://postgres@127.0.0.1:5432';

export const setting = {
  port: (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback),
  url: (fallback: string) => z.url().default(fallback),
  databaseUrl: (database: string) =>
    z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgresql:// URL')
      .default(`${POSTGRES_BASE}/${database}`),
  redisUrl: () =>
    z
      .string()
      .regex(/^rediss?:\/\//, 'must be a redis:// URL')
      .default('redis://127.0.0.1:6379'),
  /** One amqp:// URL, or one per node of a RabbitMQ cluster separated by commas (the client moves to the next that answers). */
  amqpUrl: () =>
    z
      .string()
      .regex(/^amqps?:\/\/[^,\s]+(,\s*amqps?:\/\/[^,\s]+)*$/, 'must be an amqp:// URL, or several separated by commas')
      .default('amqp://guest:guest@127.0.0.1:5672'),
  logLevel: () => z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  nodeEnv: () => z.enum(['development', 'production', 'test']).default('development'),
  list: (fallback: string) =>
    z
      .string()
      .default(fallback)
      .transform((value) =>
        value
          .split(',')
          .map((item) => item.trim())
          .filter(Boolean),
      ),
  /** Optional, with an empty value counting as unset (docker compose passes `${NAME:-}` as ''). */
  unsetWhenEmpty: <T extends z.ZodType>(schema: T) =>
    z.preprocess((value) => (value === '' ? undefined : value), schema.optional()),
  /** A secret: at least 32 characters; an empty value counts as unset. */
  secret: () => setting.unsetWhenEmpty(z.string().min(32)),
  /** The address to listen on: loopback unless a container or a host that others reach sets it. */
  host: () => z.string().min(1).default('127.0.0.1'),
  /** A switch whose default follows NODE_ENV (see `inDevelopment`, `inProduction`). */
  optionalBool: () =>
    z
      .enum(['true', 'false', '1', '0', 'yes', 'no'])
      .optional()
      .transform((value) => (value === undefined ? undefined : ['true', '1', 'yes'].includes(value))),
  bool: (fallback: boolean) =>
    z
      .enum(['true', 'false', '1', '0', 'yes', 'no'])
      .default(fallback ? 'true' : 'false')
      .transform((value) => ['true', '1', 'yes'].includes(value)),
};

/** An optionalBool's value, on by default outside production (Sandbox, introspection). */
export const inDevelopment = (value: boolean | undefined, nodeEnv: string) => value ?? nodeEnv !== 'production';
/** An optionalBool's value, on by default in production (Secure cookies). */
export const inProduction = (value: boolean | undefined, nodeEnv: string) => value ?? nodeEnv === 'production';

/** Where processes keep the secrets they generate for local runs (owner-only files): the repository's .data. */
export const LOCAL_SECRETS_DIR = new URL('../../../.data/', import.meta.url).pathname;

/** The settings every subgraph reads; each service extends it with its own. */
export const subgraphSettings = (database: string, port: number) =>
  z.object({
    NODE_ENV: setting.nodeEnv(),
    LOG_LEVEL: setting.logLevel(),
    PORT: setting.port(port),
    HOST: setting.host(),
    DATABASE_URL: setting.databaseUrl(database),
    REDIS_URL: setting.redisUrl(),
    AMQP_URL: setting.amqpUrl(),
    JWKS_URL: setting.url('http://127.0.0.1:4001/.well-known/jwks.json'),
    JWT_ISSUER: z.string().default('keylab-users'),
    JWT_AUDIENCE: z.string().default('keylab'),
    /**
     * Shared with the gateway, which signs the caller's identity it forwards (address, visitor, request
     * id) with it; a subgraph answers only requests that carry that proof. Unset outside production:
     * generated once into SECRETS_DIR, where every local process finds the same one.
     */
    GATEWAY_SECRET: setting.secret(),
    SECRETS_DIR: z.string().default(LOCAL_SECRETS_DIR),
    /** Apollo Sandbox on the subgraph's own GET /graphql; unset: on outside production. */
    SANDBOX: setting.optionalBool(),
  });

/** The topic exchange statistics events travel on (tests give each stack its own). */
export const statsExchangeSetting = () => z.string().min(1).default('stats.events');

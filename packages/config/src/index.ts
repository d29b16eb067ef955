import { z } from 'zod';

export { z };

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Reads settings from the environment; throws ConfigError naming the first bad setting. */
export function parseConfig<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
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
  amqpUrl: () =>
    z
      .string()
      .regex(/^amqps?:\/\//, 'must be an amqp:// URL')
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
  bool: (fallback: boolean) =>
    z
      .enum(['true', 'false', '1', '0', 'yes', 'no'])
      .default(fallback ? 'true' : 'false')
      .transform((value) => ['true', '1', 'yes'].includes(value)),
};

/** The settings every subgraph reads; each service extends it with its own. */
export const subgraphSettings = (database: string, port: number) =>
  z.object({
    NODE_ENV: setting.nodeEnv(),
    LOG_LEVEL: setting.logLevel(),
    PORT: setting.port(port),
    DATABASE_URL: setting.databaseUrl(database),
    REDIS_URL: setting.redisUrl(),
    AMQP_URL: setting.amqpUrl(),
    JWKS_URL: setting.url('http://127.0.0.1:4001/.well-known/jwks.json'),
    JWT_ISSUER: z.string().default('keylab-users'),
    JWT_AUDIENCE: z.string().default('keylab'),
  });

/** The topic exchange statistics events travel on (tests give each stack its own). */
export const statsExchangeSetting = () => z.string().min(1).default('stats.events');

import { z } from 'zod';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/**
 * Parses an app's environment once at start. Every problem is listed in one message that names
 * the variable, so a misconfigured deployment fails fast and says why.
 */
export function parseConfig<T extends z.ZodType>(schema: T, env: Readonly<Record<string, string | undefined>>): z.output<T> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => `  ${issue.path.join('.') || '(env)'}: ${issue.message}`);
  throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
}

const port = z.coerce.number().int().min(1).max(65535);

/** Environment of the database every service owns. */
export function databaseEnv(service: 'ingest' | 'rfm' | 'clustering' | 'profiling') {
  const upper = service.toUpperCase();
  return {
    [`SEG_DB_HOST`]: z.string().default('127.0.0.1'),
    [`SEG_DB_PORT`]: port.default(3306),
    [`SEG_${upper}_DB_NAME`]: z.string().default(`seg_${service}`),
    [`SEG_${upper}_DB_USER`]: z
      .string()
      .default(`seg_${service}`)
      .refine((user) => user !== 'root', 'services never connect as root; use the service user'),
    [`SEG_${upper}_DB_PASSWORD`]: z.string({ error: `SEG_${upper}_DB_PASSWORD is required (see README: tools/infra/mariadb.sh provision writes .local/secrets.env)` }).min(1),
  } as const;
}

export interface DatabaseSettings {
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly user: string;
  readonly password: string;
}

export interface KafkaSettings {
  readonly brokers: readonly string[];
  readonly clientId: string;
  /** Prepended to every topic name; lets test runs and tenants share a broker without mixing data. */
  readonly topicPrefix: string;
}

export const kafkaEnv = {
  SEG_KAFKA_BROKERS: z
    .string()
    .default('127.0.0.1:9092')
    .transform((value) => value.split(',').map((broker) => broker.trim()).filter((broker) => broker.length > 0)),
  SEG_KAFKA_TOPIC_PREFIX: z
    .string()
    .regex(/^[a-zA-Z0-9._-]*$/, 'SEG_KAFKA_TOPIC_PREFIX may contain only letters, digits, ".", "_" and "-"')
    .default(''),
} as const;

export const commonEnv = {
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  SEG_LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
  SEG_GATEWAY_SECRET: z.string({ error: 'SEG_GATEWAY_SECRET is required: the shared secret the gateway sends to subgraphs' }).min(16, 'SEG_GATEWAY_SECRET must be at least 16 characters'),
} as const;

export { port as portSchema };

/** The default SEG_MAX_UPLOAD_BYTES: 200 MiB, about 2.4 million Online Retail lines as plain CSV, 15 million gzipped. */
export const DEFAULT_MAX_UPLOAD_BYTES = 200 * 1024 * 1024;

/**
 * SEG_MAX_UPLOAD_BYTES: the largest CSV upload (`POST /imports`, counted as sent, compressed or
 * not). The gateway refuses more with 413; the ingest service checks it again where it stores the file.
 */
export const uploadEnv = {
  SEG_MAX_UPLOAD_BYTES: z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER).default(DEFAULT_MAX_UPLOAD_BYTES),
} as const;

/** Reads the database settings of one service out of a parsed environment. */
export function databaseSettings(service: 'ingest' | 'rfm' | 'clustering' | 'profiling', env: Readonly<Record<string, unknown>>): DatabaseSettings {
  const upper = service.toUpperCase();
  return {
    host: String(env['SEG_DB_HOST']),
    port: Number(env['SEG_DB_PORT']),
    database: String(env[`SEG_${upper}_DB_NAME`]),
    user: String(env[`SEG_${upper}_DB_USER`]),
    password: String(env[`SEG_${upper}_DB_PASSWORD`]),
  };
}

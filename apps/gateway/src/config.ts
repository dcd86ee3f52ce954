import { ConfigError, commonEnv, parseConfig, portSchema, uploadEnv } from '@seg/platform-config';
import { z } from 'zod';
import { parseApiKeys, type ApiKeyring } from './auth/api-keys';
import { MIN_JWT_SECRET_BYTES, type JwtSettings } from './auth/jwt';
import type { SubgraphName } from './supergraph/subgraphs';

const subgraphUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL such as http://rfm-service:4002/graphql' }).optional();

const apiKeys = z
  .string({ error: 'SEG_API_KEYS is required: role:key[,role:key...] with roles viewer, marketer, admin' })
  .transform((value, ctx): ApiKeyring => {
    const parsed = parseApiKeys(value);
    if ('error' in parsed) {
      ctx.addIssue({ code: 'custom', message: parsed.error });
      return z.NEVER;
    }
    return parsed.keys;
  });

/**
 * The default SEG_MAX_QUERY_COST: a page of the CSV export (customers(first: 250) with 13 fields
 * and a list each) costs about 6,500, a customers(first: 250) table with a dozen fields and the
 * coupon recommendations of each about 18,000; one more level of 250 items is far above it.
 */
export const DEFAULT_MAX_QUERY_COST = 25_000;

/** An optional variable; set but empty (as compose files pass unset values) counts as unset. */
const unsetWhenEmpty = <T extends z.ZodType>(schema: T) => z.preprocess((value) => (typeof value === 'string' && value.trim() === '' ? undefined : value), schema.optional());

const optionalText = unsetWhenEmpty(z.string().trim().min(1));

const jwtSecret = unsetWhenEmpty(
  z.string().refine((value) => Buffer.byteLength(value, 'utf8') >= MIN_JWT_SECRET_BYTES, `must be at least ${MIN_JWT_SECRET_BYTES} bytes (e.g. openssl rand -hex 32)`),
);

const gatewayEnv = z.object({
  ...commonEnv,
  SEG_GATEWAY_HOST: z.string().min(1).default('127.0.0.1'),
  SEG_GATEWAY_PORT: portSchema.default(4000),
  SEG_API_KEYS: apiKeys,
  SEG_MAX_QUERY_DEPTH: z.coerce.number().int().min(1).max(100).default(10),
  SEG_MAX_QUERY_COST: z.coerce.number().int().min(1).default(DEFAULT_MAX_QUERY_COST),
  SEG_JWT_SECRET: jwtSecret,
  SEG_JWT_ISSUER: optionalText,
  SEG_JWT_AUDIENCE: optionalText,
  SEG_SUPERGRAPH_PATH: z.string().min(1).optional(),
  SEG_INGEST_URL: subgraphUrl,
  SEG_RFM_URL: subgraphUrl,
  SEG_CLUSTERING_URL: subgraphUrl,
  SEG_PROFILING_URL: subgraphUrl,
  APOLLO_KEY: z.string().optional(),
  ...uploadEnv,
});

export interface GatewayConfig {
  readonly production: boolean;
  readonly logLevel: string;
  readonly host: string;
  readonly port: number;
  readonly gatewaySecret: string;
  readonly apiKeys: ApiKeyring;
  readonly maxQueryDepth: number;
  readonly maxQueryCost: number;
  /** The largest CSV upload (POST /imports) forwarded to the ingest service, in bytes as sent. */
  readonly maxUploadBytes: number;
  /** Bearer JWTs are accepted only when SEG_JWT_SECRET is set. */
  readonly jwt: JwtSettings | undefined;
  readonly supergraphPath: string | undefined;
  /** Per-subgraph URL overrides; a subgraph without one uses the URL in the supergraph. */
  readonly subgraphUrls: Readonly<Record<SubgraphName, string | undefined>>;
  /** Set when APOLLO_KEY is in the environment: ignored, since nothing reports to Apollo. */
  readonly apolloKeyIgnored: boolean;
}

/** Parses the gateway's environment once at start; throws a ConfigError naming every problem. */
export function loadGatewayConfig(env: Readonly<Record<string, string | undefined>>): GatewayConfig {
  const parsed = parseConfig(gatewayEnv, env);
  if (parsed.SEG_JWT_SECRET === undefined && (parsed.SEG_JWT_ISSUER !== undefined || parsed.SEG_JWT_AUDIENCE !== undefined)) {
    throw new ConfigError('invalid configuration:\n  SEG_JWT_ISSUER and SEG_JWT_AUDIENCE apply to JWTs, which need SEG_JWT_SECRET');
  }
  return {
    production: parsed.NODE_ENV === 'production',
    logLevel: parsed.SEG_LOG_LEVEL,
    host: parsed.SEG_GATEWAY_HOST,
    port: parsed.SEG_GATEWAY_PORT,
    gatewaySecret: parsed.SEG_GATEWAY_SECRET,
    apiKeys: parsed.SEG_API_KEYS,
    maxQueryDepth: parsed.SEG_MAX_QUERY_DEPTH,
    maxQueryCost: parsed.SEG_MAX_QUERY_COST,
    maxUploadBytes: parsed.SEG_MAX_UPLOAD_BYTES,
    jwt:
      parsed.SEG_JWT_SECRET === undefined
        ? undefined
        : { secret: new TextEncoder().encode(parsed.SEG_JWT_SECRET), issuer: parsed.SEG_JWT_ISSUER, audience: parsed.SEG_JWT_AUDIENCE },
    supergraphPath: parsed.SEG_SUPERGRAPH_PATH,
    subgraphUrls: {
      ingest: parsed.SEG_INGEST_URL,
      rfm: parsed.SEG_RFM_URL,
      clustering: parsed.SEG_CLUSTERING_URL,
      profiling: parsed.SEG_PROFILING_URL,
    },
    apolloKeyIgnored: parsed.APOLLO_KEY !== undefined && parsed.APOLLO_KEY.length > 0,
  };
}

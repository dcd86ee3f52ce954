import { commonEnv, parseConfig, portSchema } from '@seg/platform-config';
import { z } from 'zod';
import { parseApiKeys, type ApiKeyring } from './auth/api-keys';
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

const gatewayEnv = z.object({
  ...commonEnv,
  SEG_GATEWAY_HOST: z.string().min(1).default('127.0.0.1'),
  SEG_GATEWAY_PORT: portSchema.default(4000),
  SEG_API_KEYS: apiKeys,
  SEG_MAX_QUERY_DEPTH: z.coerce.number().int().min(1).max(100).default(10),
  SEG_SUPERGRAPH_PATH: z.string().min(1).optional(),
  SEG_INGEST_URL: subgraphUrl,
  SEG_RFM_URL: subgraphUrl,
  SEG_CLUSTERING_URL: subgraphUrl,
  SEG_PROFILING_URL: subgraphUrl,
  APOLLO_KEY: z.string().optional(),
});

export interface GatewayConfig {
  readonly production: boolean;
  readonly logLevel: string;
  readonly host: string;
  readonly port: number;
  readonly gatewaySecret: string;
  readonly apiKeys: ApiKeyring;
  readonly maxQueryDepth: number;
  readonly supergraphPath: string | undefined;
  /** Per-subgraph URL overrides; a subgraph without one uses the URL in the supergraph. */
  readonly subgraphUrls: Readonly<Record<SubgraphName, string | undefined>>;
  /** Set when APOLLO_KEY is in the environment: ignored, since nothing reports to Apollo. */
  readonly apolloKeyIgnored: boolean;
}

/** Parses the gateway's environment once at start; throws a ConfigError naming every problem. */
export function loadGatewayConfig(env: Readonly<Record<string, string | undefined>>): GatewayConfig {
  const parsed = parseConfig(gatewayEnv, env);
  return {
    production: parsed.NODE_ENV === 'production',
    logLevel: parsed.SEG_LOG_LEVEL,
    host: parsed.SEG_GATEWAY_HOST,
    port: parsed.SEG_GATEWAY_PORT,
    gatewaySecret: parsed.SEG_GATEWAY_SECRET,
    apiKeys: parsed.SEG_API_KEYS,
    maxQueryDepth: parsed.SEG_MAX_QUERY_DEPTH,
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

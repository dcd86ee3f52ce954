import { ConfigError, DEFAULT_MAX_UPLOAD_BYTES } from '@seg/platform-config';
import { DEFAULT_MAX_QUERY_COST, loadGatewayConfig } from './config';

const REQUIRED = {
  SEG_GATEWAY_SECRET: 'gateway-secret-0000000001',
  SEG_API_KEYS: 'viewer:viewer-key-0000000001,admin:admin-key-000000000002',
};

describe('loadGatewayConfig', () => {
  it('applies the defaults', () => {
    const config = loadGatewayConfig(REQUIRED);
    expect(config).toMatchObject({
      production: false,
      host: '127.0.0.1',
      port: 4000,
      maxQueryDepth: 10,
      maxQueryCost: DEFAULT_MAX_QUERY_COST,
      maxUploadBytes: 200 * 1024 * 1024,
      jwt: undefined,
      supergraphPath: undefined,
      subgraphUrls: { ingest: undefined, rfm: undefined, clustering: undefined, profiling: undefined },
      apolloKeyIgnored: false,
    });
    expect(config.apiKeys.map((key) => key.role)).toEqual(['viewer', 'admin']);
    expect(DEFAULT_MAX_UPLOAD_BYTES).toBe(209_715_200);
  });

  it('reads overrides', () => {
    const config = loadGatewayConfig({
      ...REQUIRED,
      NODE_ENV: 'production',
      SEG_GATEWAY_HOST: '0.0.0.0',
      SEG_GATEWAY_PORT: '8080',
      SEG_MAX_QUERY_DEPTH: '6',
      SEG_MAX_QUERY_COST: '5000',
      SEG_MAX_UPLOAD_BYTES: '1048576',
      SEG_SUPERGRAPH_PATH: '/app/supergraph.graphql',
      SEG_RFM_URL: 'http://rfm-service:4002/graphql',
      APOLLO_KEY: 'service:graph:key',
    });
    expect(config).toMatchObject({
      production: true,
      host: '0.0.0.0',
      port: 8080,
      maxQueryDepth: 6,
      maxQueryCost: 5000,
      maxUploadBytes: 1_048_576,
      supergraphPath: '/app/supergraph.graphql',
      subgraphUrls: { rfm: 'http://rfm-service:4002/graphql', ingest: undefined },
      apolloKeyIgnored: true,
    });
  });

  it('fails fast naming every bad variable, without echoing keys', () => {
    let message = '';
    try {
      loadGatewayConfig({ SEG_GATEWAY_SECRET: 'short', SEG_API_KEYS: 'root:root-key-000000000001', SEG_PROFILING_URL: 'ftp://x', SEG_MAX_QUERY_DEPTH: '0', SEG_MAX_UPLOAD_BYTES: '10MB' });
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      message = (error as Error).message;
    }
    expect(message).toContain('SEG_GATEWAY_SECRET');
    expect(message).toContain('SEG_API_KEYS: entry 1 (role "root"): unknown role');
    expect(message).toContain('SEG_PROFILING_URL');
    expect(message).toContain('SEG_MAX_QUERY_DEPTH');
    expect(message).toContain('SEG_MAX_UPLOAD_BYTES');
    expect(message).not.toContain('root-key-000000000001');
  });

  it('enables JWTs with a secret of at least 32 bytes, and an optional issuer and audience', () => {
    const secret = 'a-jwt-secret-of-32-bytes-exactly';
    const config = loadGatewayConfig({ ...REQUIRED, SEG_JWT_SECRET: secret, SEG_JWT_ISSUER: 'https://id.example.com', SEG_JWT_AUDIENCE: 'seg-api' });
    expect(config.jwt).toEqual({ secret: new TextEncoder().encode(secret), issuer: 'https://id.example.com', audience: 'seg-api' });
    expect(loadGatewayConfig({ ...REQUIRED, SEG_JWT_SECRET: secret }).jwt).toMatchObject({ issuer: undefined, audience: undefined });
  });

  it('takes empty JWT variables for unset, as a compose file passes them', () => {
    expect(loadGatewayConfig({ ...REQUIRED, SEG_JWT_SECRET: '', SEG_JWT_ISSUER: ' ', SEG_JWT_AUDIENCE: '' }).jwt).toBeUndefined();
  });

  it('refuses a short JWT secret, a bad cost limit, and an issuer without a secret, without echoing the secret', () => {
    const short = 'only-31-bytes-of-jwt-secret-xyz';
    expect(() => loadGatewayConfig({ ...REQUIRED, SEG_JWT_SECRET: short, SEG_MAX_QUERY_COST: '0' })).toThrow(/SEG_MAX_QUERY_COST: .*\n.*SEG_JWT_SECRET: must be at least 32 bytes/);
    expect(() => loadGatewayConfig({ ...REQUIRED, SEG_JWT_SECRET: short })).not.toThrow(short);
    expect(() => loadGatewayConfig({ ...REQUIRED, SEG_JWT_ISSUER: 'https://id.example.com' })).toThrow('SEG_JWT_ISSUER and SEG_JWT_AUDIENCE apply to JWTs, which need SEG_JWT_SECRET');
  });

  it('requires API keys', () => {
    expect(() => loadGatewayConfig({ SEG_GATEWAY_SECRET: REQUIRED.SEG_GATEWAY_SECRET })).toThrow('SEG_API_KEYS is required');
  });
});

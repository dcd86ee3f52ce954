import { ConfigError } from '@seg/platform-config';
import { loadGatewayConfig } from './config';

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
      supergraphPath: undefined,
      subgraphUrls: { ingest: undefined, rfm: undefined, clustering: undefined, profiling: undefined },
      apolloKeyIgnored: false,
    });
    expect(config.apiKeys.map((key) => key.role)).toEqual(['viewer', 'admin']);
  });

  it('reads overrides', () => {
    const config = loadGatewayConfig({
      ...REQUIRED,
      NODE_ENV: 'production',
      SEG_GATEWAY_HOST: '0.0.0.0',
      SEG_GATEWAY_PORT: '8080',
      SEG_MAX_QUERY_DEPTH: '6',
      SEG_SUPERGRAPH_PATH: '/app/supergraph.graphql',
      SEG_RFM_URL: 'http://rfm-service:4002/graphql',
      APOLLO_KEY: 'service:graph:key',
    });
    expect(config).toMatchObject({
      production: true,
      host: '0.0.0.0',
      port: 8080,
      maxQueryDepth: 6,
      supergraphPath: '/app/supergraph.graphql',
      subgraphUrls: { rfm: 'http://rfm-service:4002/graphql', ingest: undefined },
      apolloKeyIgnored: true,
    });
  });

  it('fails fast naming every bad variable, without echoing keys', () => {
    let message = '';
    try {
      loadGatewayConfig({ SEG_GATEWAY_SECRET: 'short', SEG_API_KEYS: 'root:root-key-000000000001', SEG_PROFILING_URL: 'ftp://x', SEG_MAX_QUERY_DEPTH: '0' });
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      message = (error as Error).message;
    }
    expect(message).toContain('SEG_GATEWAY_SECRET');
    expect(message).toContain('SEG_API_KEYS: entry 1 (role "root"): unknown role');
    expect(message).toContain('SEG_PROFILING_URL');
    expect(message).toContain('SEG_MAX_QUERY_DEPTH');
    expect(message).not.toContain('root-key-000000000001');
  });

  it('requires API keys', () => {
    expect(() => loadGatewayConfig({ SEG_GATEWAY_SECRET: REQUIRED.SEG_GATEWAY_SECRET })).toThrow('SEG_API_KEYS is required');
  });
});

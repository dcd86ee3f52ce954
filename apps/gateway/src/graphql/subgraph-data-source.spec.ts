import type { GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { CORRELATION_HEADER, GATEWAY_SECRET_HEADER, ROLE_HEADER } from '@seg/platform-subgraph';
import { GraphQLError } from 'graphql';
import type { GatewayContext } from './gateway-context';
import { subgraphDataSources, type SubgraphDataSource } from './subgraph-data-source';

type Fetcher = SubgraphDataSource['fetcher'];
type FetcherRequestInit = Parameters<Fetcher>[1];

const SECRET = 'gateway-secret-0000000001';

/** Records what the data source sends instead of calling a subgraph. */
function recordingFetcher(): { fetcher: Fetcher; calls: { url: string; init: FetcherRequestInit | undefined }[] } {
  const calls: { url: string; init: FetcherRequestInit | undefined }[] = [];
  const fetcher: Fetcher = async (url, init) => {
    calls.push({ url, init });
    const body = JSON.stringify({ data: { ok: true } });
    return new Response(body, { status: 200, headers: { 'content-type': 'application/json' } }) as unknown as Awaited<ReturnType<Fetcher>>;
  };
  return { fetcher, calls };
}

function incomingOperation(context: GatewayContext, clientHeaders: Record<string, string>): GraphQLDataSourceProcessOptions<GatewayContext> {
  return {
    // The enum holding this value is not exported by @apollo/gateway.
    kind: 'incoming operation' as GraphQLDataSourceProcessOptions<GatewayContext>['kind'] & 'incoming operation',
    request: { query: '{ ok }', http: { method: 'POST', url: 'http://ignored', headers: new Headers(clientHeaders) } },
    incomingRequestContext: {} as never,
    context,
  } as GraphQLDataSourceProcessOptions<GatewayContext>;
}

function dataSource(name: string, url: string, overrides: Record<string, string | undefined> = {}): SubgraphDataSource {
  return subgraphDataSources(SECRET, overrides)({ name, url });
}

describe('subgraph data sources', () => {
  it('sends the gateway secret, the caller role and the correlation id, overwriting forged values', async () => {
    const source = dataSource('rfm', 'http://127.0.0.1:4002/graphql');
    const { fetcher, calls } = recordingFetcher();
    source.fetcher = fetcher;
    await source.process(
      incomingOperation({ role: 'viewer', correlationId: 'corr-1' }, { [ROLE_HEADER]: 'admin', [GATEWAY_SECRET_HEADER]: 'forged', [CORRELATION_HEADER]: 'forged' }),
    );
    expect(calls).toHaveLength(1);
    const headers = calls[0]?.init?.headers ?? {};
    const sent = new Headers(headers as Record<string, string>);
    expect(sent.get(GATEWAY_SECRET_HEADER)).toBe(SECRET);
    expect(sent.get(ROLE_HEADER)).toBe('viewer');
    expect(sent.get(CORRELATION_HEADER)).toBe('corr-1');
  });

  it('uses the configured URL of a subgraph, else the one in the supergraph', async () => {
    const overridden = dataSource('rfm', 'http://127.0.0.1:4002/graphql', { rfm: 'http://rfm-service:4002/graphql' });
    const fromSupergraph = dataSource('profiling', 'http://127.0.0.1:4004/graphql', { rfm: 'http://rfm-service:4002/graphql' });
    expect(overridden.url).toBe('http://rfm-service:4002/graphql');
    expect(fromSupergraph.url).toBe('http://127.0.0.1:4004/graphql');
  });

  it('refuses a subgraph without any URL', () => {
    expect(() => subgraphDataSources(SECRET, {})({ name: 'extra', url: undefined })).toThrow('SEG_EXTRA_URL');
  });
});

describe('subgraph failures', () => {
  async function failure(fetcher: Fetcher): Promise<GraphQLError> {
    const source = dataSource('profiling', 'http://10.0.0.7:4004/graphql');
    source.fetcher = fetcher;
    try {
      await source.process(incomingOperation({ role: 'viewer', correlationId: 'corr-2' }, {}));
    } catch (error) {
      if (error instanceof GraphQLError) return error;
      throw error;
    }
    throw new Error('expected the call to fail');
  }

  it('names an unreachable subgraph without its address, and keeps the cause for the log', async () => {
    const error = await failure(async () => {
      throw new Error('request to http://10.0.0.7:4004/graphql failed, reason: connect ECONNREFUSED 10.0.0.7:4004');
    });
    expect(error.message).toBe('the profiling subgraph is unavailable: its fields are missing from this answer');
    expect(error.extensions).toEqual({ code: 'SUBGRAPH_UNAVAILABLE', serviceName: 'profiling' });
    expect(error.originalError?.message).toContain('ECONNREFUSED');
  });

  it('names a subgraph that answers with an HTTP error, without echoing its answer', async () => {
    const error = await failure(async () => new Response('{"errors":[{"message":"pool closed at 10.0.0.8"}]}', { status: 503, headers: { 'content-type': 'application/json' } }) as unknown as Awaited<ReturnType<Fetcher>>);
    expect(error.message).toBe('the profiling subgraph failed (HTTP 503): its fields are missing from this answer');
    expect(error.extensions).toEqual({ code: 'SUBGRAPH_FAILED', serviceName: 'profiling' });
    expect(JSON.stringify(error.extensions)).not.toContain('10.0.0');
  });
});

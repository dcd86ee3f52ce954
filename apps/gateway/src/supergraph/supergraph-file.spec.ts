import { locateSupergraph, subgraphUrlIn } from './supergraph-file';

describe('locateSupergraph', () => {
  const existing = (...paths: string[]) => (path: string) => paths.includes(path);

  it('uses SEG_SUPERGRAPH_PATH when set, relative to the working directory', () => {
    expect(locateSupergraph('conf/supergraph.graphql', '/srv', '/srv/dist/main.js', existing('/srv/conf/supergraph.graphql'))).toEqual({
      path: '/srv/conf/supergraph.graphql',
    });
  });

  it('refuses a SEG_SUPERGRAPH_PATH that does not exist instead of falling back', () => {
    const located = locateSupergraph('/etc/missing.graphql', '/srv', '/srv/dist/main.js', existing('/srv/apps/gateway/supergraph.graphql'));
    expect(located).toEqual({ error: expect.stringContaining('/etc/missing.graphql') });
  });

  it('prefers a copy next to the running bundle, then the committed file under the working directory', () => {
    const both = existing('/app/dist/apps/gateway/supergraph.graphql', '/app/apps/gateway/supergraph.graphql');
    expect(locateSupergraph(undefined, '/app', 'dist/apps/gateway/main.js', both)).toEqual({ path: '/app/dist/apps/gateway/supergraph.graphql' });
    const committedOnly = existing('/app/apps/gateway/supergraph.graphql');
    expect(locateSupergraph(undefined, '/app', 'dist/apps/gateway/main.js', committedOnly)).toEqual({ path: '/app/apps/gateway/supergraph.graphql' });
  });

  it('names every place it looked when nothing is found', () => {
    const located = locateSupergraph(undefined, '/app', '/app/dist/apps/gateway/main.js', existing());
    expect('error' in located && located.error).toContain('/app/dist/apps/gateway/supergraph.graphql');
    expect('error' in located && located.error).toContain('/app/apps/gateway/supergraph.graphql');
  });
});

describe('subgraphUrlIn', () => {
  const sdl = `enum join__Graph {
  INGEST @join__graph(name: "ingest", url: "http://127.0.0.1:4001/graphql")
  RFM @join__graph(name: "rfm", url: "http://rfm-service:4002/graphql")
}`;

  it('reads the URL the supergraph records for a subgraph', () => {
    expect(subgraphUrlIn(sdl, 'ingest')).toBe('http://127.0.0.1:4001/graphql');
    expect(subgraphUrlIn(sdl, 'rfm')).toBe('http://rfm-service:4002/graphql');
  });

  it('finds none for a subgraph it does not list', () => {
    expect(subgraphUrlIn(sdl, 'profiling')).toBeUndefined();
    expect(subgraphUrlIn(sdl, 'in.*')).toBeUndefined();
  });
});

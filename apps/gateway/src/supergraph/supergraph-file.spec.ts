import { locateSupergraph } from './supergraph-file';

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

import { join, resolve } from 'node:path';
import { cacheControlOf, contentTypeOf, forwardableHeaders, isGatewayPath, resolveStaticPath } from './static-files';

describe('resolveStaticPath', () => {
  const root = resolve('/srv/dashboard/public');

  it('maps / to index.html and paths to files under the root', () => {
    expect(resolveStaticPath(root, '/')).toBe(join(root, 'index.html'));
    expect(resolveStaticPath(root, '/assets/index-abc123.js')).toBe(join(root, 'assets', 'index-abc123.js'));
    expect(resolveStaticPath(root, '/assets/a%20b.css')).toBe(join(root, 'assets', 'a b.css'));
  });

  it('refuses paths that leave the root or hide files', () => {
    for (const path of ['/../secrets.env', '/assets/../../x', '/%2e%2e/x', '/assets/%2e%2e%2f%2e%2e%2fx', '/a\\..\\b', '/x%00.js', '/%E0%A4%A', '/.env', 'assets/x.js']) {
      expect(resolveStaticPath(root, path)).toBeUndefined();
    }
  });
});

describe('serving rules', () => {
  it('caches hashed assets for good and revalidates the page', () => {
    expect(cacheControlOf('/assets/index-abc.js')).toContain('immutable');
    expect(cacheControlOf('/')).toBe('no-cache');
  });

  it('knows the content types of the build output', () => {
    expect(contentTypeOf('/x/index.html')).toBe('text/html; charset=utf-8');
    expect(contentTypeOf('a.JS')).toBe('text/javascript; charset=utf-8');
    expect(contentTypeOf('a.unknown')).toBe('application/octet-stream');
  });

  it('forwards the GraphQL endpoint, the CSV exports and the imports, nothing else', () => {
    expect(isGatewayPath('/graphql')).toBe(true);
    expect(isGatewayPath('/exports/segments/s1/customers.csv')).toBe(true);
    expect(isGatewayPath('/imports')).toBe(true);
    expect(isGatewayPath('/imports/6f1c2a9e/rejected.csv')).toBe(true);
    expect(isGatewayPath('/importsx')).toBe(false);
    expect(isGatewayPath('/graphql/x')).toBe(false);
    expect(isGatewayPath('/metrics')).toBe(false);
    expect(isGatewayPath('/exports')).toBe(false);
  });

  it('drops hop-by-hop headers and keeps the credential', () => {
    expect(forwardableHeaders({ host: 'a', connection: 'keep-alive', authorization: 'Bearer k', 'content-type': 'application/json', 'Transfer-Encoding': 'chunked', te: 'trailers' })).toEqual({
      authorization: 'Bearer k',
      'content-type': 'application/json',
    });
  });
});

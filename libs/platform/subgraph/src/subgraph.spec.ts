import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { combineRoutes, CORRELATION_HEADER, type HttpRoutes } from './http-server';
import { checkGatewayRequest, GATEWAY_SECRET_HEADER, hasRole, internalRoutes, ROLE_HEADER, subgraphContext, type SubgraphContext } from './subgraph';

const SECRET = 'gateway-secret-0000000001';

const request = (headers: Record<string, string>) => ({ headers }) as unknown as IncomingMessage;

describe('checkGatewayRequest', () => {
  it('accepts the gateway\'s secret and reads the role and correlation id', () => {
    expect(checkGatewayRequest(request({ [GATEWAY_SECRET_HEADER]: SECRET, [ROLE_HEADER]: 'admin', [CORRELATION_HEADER]: 'c-1' }), SECRET)).toEqual({ ok: true, context: { role: 'admin', correlationId: 'c-1' } });
  });

  it('refuses a missing or wrong secret with 401 and an unknown role with 403', () => {
    expect(checkGatewayRequest(request({ [ROLE_HEADER]: 'admin' }), SECRET)).toMatchObject({ ok: false, status: 401, code: 'UNAUTHENTICATED' });
    expect(checkGatewayRequest(request({ [GATEWAY_SECRET_HEADER]: `${SECRET}x`, [ROLE_HEADER]: 'admin' }), SECRET)).toMatchObject({ ok: false, status: 401 });
    expect(checkGatewayRequest(request({ [GATEWAY_SECRET_HEADER]: SECRET, [ROLE_HEADER]: 'root' }), SECRET)).toMatchObject({ ok: false, status: 403, code: 'FORBIDDEN' });
  });

  it('is what the GraphQL context of a subgraph throws on', async () => {
    await expect(subgraphContext(SECRET)(request({}))).rejects.toMatchObject({ message: 'subgraphs accept requests from the gateway only', extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } });
  });
});

describe('hasRole', () => {
  it('ranks viewer < marketer < admin', () => {
    expect(hasRole('admin', 'admin')).toBe(true);
    expect(hasRole('marketer', 'admin')).toBe(false);
    expect(hasRole('marketer', 'viewer')).toBe(true);
  });
});

describe('internalRoutes and combineRoutes', () => {
  const seen: SubgraphContext[] = [];
  let server: Server;
  let base: string;

  beforeAll(async () => {
    const internal = internalRoutes(SECRET, async (_request, response, url, context) => {
      if (url.pathname !== '/internal/echo') return false;
      seen.push(context);
      response.writeHead(200, { 'content-type': 'text/plain' });
      response.end(`hello ${context.role}`);
      return true;
    });
    const other: HttpRoutes = async (_request, response, url) => {
      if (url.pathname !== '/other') return false;
      response.end('other');
      return true;
    };
    const routes = combineRoutes(internal, other);
    server = createServer((req, res) => {
      void routes(req, res, new URL(req.url ?? '/', 'http://localhost')).then((taken) => {
        if (!taken) res.writeHead(404).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('lets the gateway in with its role', async () => {
    const response = await fetch(`${base}/internal/echo`, { headers: { [GATEWAY_SECRET_HEADER]: SECRET, [ROLE_HEADER]: 'marketer', [CORRELATION_HEADER]: 'c-2' } });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('hello marketer');
    expect(seen).toEqual([{ role: 'marketer', correlationId: 'c-2' }]);
  });

  it('refuses anyone else before the route runs', async () => {
    seen.length = 0;
    const anonymous = await fetch(`${base}/internal/echo`, { method: 'POST', body: 'InvoiceNo\n', headers: { [ROLE_HEADER]: 'admin' } });
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toEqual({ errors: [{ message: 'subgraphs accept requests from the gateway only', extensions: { code: 'UNAUTHENTICATED' } }] });
    const noRole = await fetch(`${base}/internal/echo`, { headers: { [GATEWAY_SECRET_HEADER]: SECRET } });
    expect(noRole.status).toBe(403);
    expect(seen).toEqual([]);
  });

  it('leaves other paths to the next routes, and unknown internal paths to a 404', async () => {
    expect(await (await fetch(`${base}/other`)).text()).toBe('other');
    expect((await fetch(`${base}/internal/nothing`, { headers: { [GATEWAY_SECRET_HEADER]: SECRET, [ROLE_HEADER]: 'admin' } })).status).toBe(404);
    expect((await fetch(`${base}/nothing`)).status).toBe(404);
  });
});

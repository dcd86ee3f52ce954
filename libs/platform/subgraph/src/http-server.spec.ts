import { Agent, get as httpGet } from 'node:http';
import { ApolloServer } from '@apollo/server';
import pino from 'pino';
import { createMetricsRegistry, counter } from '@seg/platform-observability';
import { combineReadiness, startHttpServer, type ReadinessReport, type RunningHttpServer } from './http-server';

describe('combineReadiness', () => {
  it('is ready when every report is, and keeps every check', () => {
    expect(combineReadiness({ ready: true, checks: { database: true } }, { ready: false, checks: { broker: false } })).toEqual({ ready: false, checks: { database: true, broker: false } });
    expect(combineReadiness({ ready: true, checks: { database: true } }, { ready: true, checks: { broker: true } })).toEqual({ ready: true, checks: { database: true, broker: true } });
  });
});

describe('startHttpServer', () => {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) });
  const metrics = createMetricsRegistry('test-service', { processMetrics: false });
  let readiness: () => Promise<ReadinessReport> = async () => ({ ready: true, checks: {} });
  let server: RunningHttpServer;
  let base: string;

  beforeAll(async () => {
    server = await startHttpServer({
      host: '127.0.0.1',
      port: 0,
      apollo: new ApolloServer({ typeDefs: 'type Query { ok: Boolean }' }),
      context: async () => ({}),
      readiness: () => readiness(),
      metrics,
      logger,
      routes: async (request, response, url) => {
        if (url.pathname === '/boom') throw new Error('route broke');
        if (url.pathname !== '/hello') return false;
        response.writeHead(200, { 'content-type': 'text/plain' });
        response.end(`hello ${request.method} ${url.searchParams.get('name')}`);
        return true;
      },
    });
    base = server.url.replace(/\/graphql$/, '');
  });
  afterAll(async () => {
    await server.close();
  });

  it('serves the registry on /metrics in the Prometheus text format', async () => {
    counter(metrics, { name: 'seg_test_requests_total', help: 'requests' }).inc(2);
    const response = await fetch(`${base}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = await response.text();
    expect(text).toContain('# TYPE seg_test_requests_total counter');
    expect(text).toContain('seg_test_requests_total{service="test-service"} 2');
  });

  it('keeps an idle connection open past the 5 s after which Node clients drop theirs, so that a client never sends on a closing socket', async () => {
    const agent = new Agent({ keepAlive: true });
    const get = () =>
      new Promise<{ status: number; socket: unknown }>((resolve, reject) => {
        const request = httpGet(`${base}/health`, { agent }, (response) => {
          response.resume();
          response.on('end', () => resolve({ status: response.statusCode ?? 0, socket: request.socket }));
        });
        request.on('error', reject);
      });
    const first = await get();
    await new Promise((r) => setTimeout(r, 7_000));
    const second = await get();
    agent.destroy();
    expect([first.status, second.status]).toEqual([200, 200]);
    // The same socket: the server did not close it while it was idle.
    expect(second.socket).toBe(first.socket);
  }, 20_000);

  it('answers /ready with 503 and the failing check', async () => {
    readiness = async () => combineReadiness({ ready: true, checks: { database: true } }, { ready: false, checks: { broker: false } });
    const response = await fetch(`${base}/ready`);
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ ready: false, checks: { database: true, broker: false } });
  });

  it('serves extra routes, and 404 for paths no route takes', async () => {
    const hello = await fetch(`${base}/hello?name=ada`);
    expect(hello.status).toBe(200);
    expect(await hello.text()).toBe('hello GET ada');
    expect((await fetch(`${base}/elsewhere`)).status).toBe(404);
  });

  it('answers 500 when a route fails, and logs it', async () => {
    const response = await fetch(`${base}/boom`, { headers: { 'x-correlation-id': 'req-43' } });
    expect(response.status).toBe(500);
    expect(lines).toContainEqual(expect.objectContaining({ msg: 'request failed: route broke', correlationId: 'req-43', path: '/boom' }));
  });

  it('logs a failed request with its correlation id', async () => {
    readiness = async () => {
      throw new Error('pool closed');
    };
    const response = await fetch(`${base}/ready`, { headers: { 'x-correlation-id': 'req-42' } });
    expect(response.status).toBe(500);
    expect(lines).toContainEqual(expect.objectContaining({ msg: 'request failed: pool closed', correlationId: 'req-42', path: '/ready', code: 'Error' }));
  });
});

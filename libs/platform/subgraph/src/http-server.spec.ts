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

  it('answers /ready with 503 and the failing check', async () => {
    readiness = async () => combineReadiness({ ready: true, checks: { database: true } }, { ready: false, checks: { broker: false } });
    const response = await fetch(`${base}/ready`);
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ ready: false, checks: { database: true, broker: false } });
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

import { counter, createMetricsRegistry, gauge, histogram } from './metrics';

describe('createMetricsRegistry', () => {
  it('labels every series with the service and keeps the standard names of the Node process metrics', async () => {
    const registry = createMetricsRegistry('rfm-service');
    counter(registry, { name: 'seg_test_things_total', help: 'things' }).inc(3);
    const text = await registry.metrics();
    expect(text).toContain('seg_test_things_total{service="rfm-service"} 3');
    expect(text).toMatch(/^process_cpu_seconds_total\{service="rfm-service"\} /m);
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds\{service="rfm-service"\} /m);
    expect(registry.contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
  });

  it('leaves the process metrics out when asked, and registries of one process stay apart', async () => {
    const a = createMetricsRegistry('a', { processMetrics: false });
    const b = createMetricsRegistry('b', { processMetrics: false });
    counter(a, { name: 'seg_test_things_total', help: 'things' }).inc();
    expect(await a.metrics()).not.toContain('process_cpu_seconds_total');
    expect(await a.metrics()).toContain('seg_test_things_total{service="a"} 1');
    expect(await b.metrics()).toBe('\n');
  });
});

describe('counter, gauge, histogram', () => {
  it('give the metric already in the registry to a second caller', async () => {
    const registry = createMetricsRegistry('s', { processMetrics: false });
    const spec = { name: 'seg_test_events_total', help: 'events', labelNames: ['topic'] as const };
    counter(registry, spec).inc({ topic: 't' }, 2);
    counter(registry, spec).inc({ topic: 't' }, 3);
    expect(counter(registry, spec)).toBe(counter(registry, spec));
    expect(await registry.getSingleMetricAsString('seg_test_events_total')).toContain('seg_test_events_total{topic="t",service="s"} 5');
    expect(gauge(registry, { name: 'seg_test_level', help: 'level' })).toBe(gauge(registry, { name: 'seg_test_level', help: 'level' }));
    const buckets = [1, 10];
    expect(histogram(registry, { name: 'seg_test_size', help: 'size', buckets })).toBe(histogram(registry, { name: 'seg_test_size', help: 'size', buckets }));
  });

  it('refuse a name already registered with another type', () => {
    const registry = createMetricsRegistry('s', { processMetrics: false });
    counter(registry, { name: 'seg_test_x', help: 'x' });
    expect(() => gauge(registry, { name: 'seg_test_x', help: 'x' })).toThrow('metric seg_test_x is already registered with another type');
  });
});

import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export type MetricsRegistry = Registry;
export type { Counter, Gauge, Histogram };

export interface MetricsRegistryOptions {
  /** Node's process metrics (CPU, memory, event loop lag, GC) under their standard names; on by default. */
  readonly processMetrics?: boolean;
}

/**
 * One process's Prometheus metrics, served on /metrics. Every series carries a `service` label;
 * the Node process metrics keep their standard names (`process_cpu_seconds_total`,
 * `nodejs_eventloop_lag_seconds`, ...) so that stock dashboards work, while the project's own
 * metrics are named `seg_*`.
 */
export function createMetricsRegistry(service: string, options: MetricsRegistryOptions = {}): MetricsRegistry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry });
  return registry;
}

export interface MetricSpec<L extends string> {
  /** `seg_<area>_<what>`, with `_total` for counters and the unit (`_seconds`) where there is one. */
  readonly name: string;
  readonly help: string;
  readonly labelNames?: readonly L[];
}

// A metric is defined once per registry: a second lib or consumer asking for the same name gets
// the same metric rather than a "already registered" error.
function existing<M>(registry: MetricsRegistry, name: string, kind: abstract new (...args: never[]) => M): M | undefined {
  const metric = registry.getSingleMetric(name);
  if (metric === undefined) return undefined;
  if (!(metric instanceof kind)) throw new Error(`metric ${name} is already registered with another type`);
  return metric;
}

/** The registry's counter of that name, created on first use. */
export function counter<L extends string = never>(registry: MetricsRegistry, spec: MetricSpec<L>): Counter<L> {
  return (existing(registry, spec.name, Counter) as Counter<L> | undefined) ?? new Counter<L>({ ...spec, labelNames: spec.labelNames ?? [], registers: [registry] });
}

/** The registry's gauge of that name, created on first use. */
export function gauge<L extends string = never>(registry: MetricsRegistry, spec: MetricSpec<L>): Gauge<L> {
  return (existing(registry, spec.name, Gauge) as Gauge<L> | undefined) ?? new Gauge<L>({ ...spec, labelNames: spec.labelNames ?? [], registers: [registry] });
}

/** The registry's histogram of that name, created on first use with these buckets. */
export function histogram<L extends string = never>(registry: MetricsRegistry, spec: MetricSpec<L> & { readonly buckets: readonly number[] }): Histogram<L> {
  return (
    (existing(registry, spec.name, Histogram) as Histogram<L> | undefined) ??
    new Histogram<L>({ ...spec, buckets: [...spec.buckets], labelNames: spec.labelNames ?? [], registers: [registry] })
  );
}

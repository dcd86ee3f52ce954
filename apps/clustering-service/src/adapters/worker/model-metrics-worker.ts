import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { CustomerMetrics } from '@seg/domain-rfm';
import type { MetricsInput, ModelMetrics } from '../../application/train-model';

/** A request to the worker: the arguments of trainedModelMetrics. */
export interface MetricsRequest {
  readonly id: number;
  readonly customers: readonly CustomerMetrics[];
  readonly trained: MetricsInput;
  readonly options: { readonly seed: number; readonly restarts: number };
}

export type MetricsReply = { readonly id: number; readonly metrics: ModelMetrics } | { readonly id: number; readonly error: string };

/** The worker's bundle, next to the service's (tools/build/build-app.mjs bundles src/**\/*.worker.ts). */
export const METRICS_WORKER_FILE = join(__dirname, 'model-metrics.worker.js');

/**
 * Computes models' quality metrics (the k sweep: seconds of CPU on a large shop) on a worker
 * thread, so that the service's own thread keeps handling metric events and placing customers
 * meanwhile. One worker, started on first use and kept; requests are answered in order. If the
 * worker dies, the requests in flight fail and the next one starts a new worker.
 */
export class ModelMetricsWorker {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(metrics: ModelMetrics): void; reject(error: Error): void }>();

  constructor(private readonly file: string = METRICS_WORKER_FILE) {}

  /** Whether the worker's bundle exists (it does next to a built service). */
  static available(file: string = METRICS_WORKER_FILE): boolean {
    return existsSync(file);
  }

  compute(customers: readonly CustomerMetrics[], trained: MetricsInput, options: { seed: number; restarts: number }): Promise<ModelMetrics> {
    const worker = this.start();
    const id = this.nextId++;
    return new Promise<ModelMetrics>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      // Plain data only: the scaler, centroids and assignments are arrays and numbers.
      const request: MetricsRequest = { id, customers, trained: { asOf: trained.asOf, k: trained.k, scaler: trained.scaler, centroids: trained.centroids, assignments: trained.assignments }, options };
      worker.ref();
      worker.postMessage(request);
    });
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    if (worker) await worker.terminate();
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(this.file);
    worker.on('message', (reply: MetricsReply) => {
      const waiting = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      if (this.pending.size === 0) worker.unref();
      if (!waiting) return;
      if ('metrics' in reply) waiting.resolve(reply.metrics);
      else waiting.reject(new Error(`computing model metrics failed: ${reply.error}`));
    });
    const fail = (error: Error) => {
      if (this.worker === worker) this.worker = undefined;
      for (const waiting of this.pending.values()) waiting.reject(error);
      this.pending.clear();
    };
    worker.on('error', (error) => fail(new Error(`the model metrics worker failed: ${error.message}`)));
    worker.on('exit', (code) => fail(new Error(`the model metrics worker exited (code ${code})`)));
    // Idle, it does not keep the process alive.
    worker.unref();
    this.worker = worker;
    return worker;
  }
}

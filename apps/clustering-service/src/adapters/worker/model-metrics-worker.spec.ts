import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CustomerMetrics } from '@seg/domain-rfm';
import type { MetricsInput } from '../../application/train-model';
import { ModelMetricsWorker } from './model-metrics-worker';

// The client's side of the protocol, against small worker scripts standing in for the bundle
// (the bundled worker itself runs in the e2e tests, where the dashboard waits for the charts).
describe('ModelMetricsWorker', () => {
  const dir = mkdtempSync(join(tmpdir(), 'metrics-worker-'));
  const script = (name: string, body: string) => {
    const file = join(dir, name);
    writeFileSync(file, `const { parentPort } = require('node:worker_threads');\n${body}\n`);
    return file;
  };
  const trained: MetricsInput = { asOf: '2011-12-10T00:00:00Z', k: 2, scaler: { method: 'zscore', logTransform: true, features: ['r'], center: [0], scale: [1] }, centroids: [[0], [1]], assignments: [] };
  const customers = (n: number) => Array.from({ length: n }, (_, i) => ({ customerId: String(i) }) as unknown as CustomerMetrics);
  const workers: ModelMetricsWorker[] = [];
  const worker = (file: string) => {
    const w = new ModelMetricsWorker(file);
    workers.push(w);
    return w;
  };

  afterAll(async () => {
    await Promise.all(workers.map((w) => w.close()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('sends the request as plain data and answers each request with its own reply, out of order too', async () => {
    // Answers the larger request first: replies are matched by id, not by order.
    const file = script(
      'echo.js',
      `const held = [];
       parentPort.on('message', (r) => {
         held.push(r);
         if (held.length < 2) return;
         for (const q of held.reverse()) parentPort.postMessage({ id: q.id, metrics: { silhouette: q.customers.length, kSweep: [], k: q.trained.k, seed: q.options.seed } });
       });`,
    );
    const w = worker(file);
    const [one, three] = await Promise.all([w.compute(customers(1), trained, { seed: 7, restarts: 2 }), w.compute(customers(3), trained, { seed: 8, restarts: 2 })]);
    expect(one).toMatchObject({ silhouette: 1, k: 2, seed: 7 });
    expect(three).toMatchObject({ silhouette: 3, k: 2, seed: 8 });
  });

  it('rejects with the reason the worker gives, and keeps serving', async () => {
    const file = script('picky.js', `parentPort.on('message', (r) => parentPort.postMessage(r.customers.length === 0 ? { id: r.id, error: 'no customers' } : { id: r.id, metrics: { silhouette: 0.5 } }));`);
    const w = worker(file);
    await expect(w.compute([], trained, { seed: 1, restarts: 1 })).rejects.toThrow('computing model metrics failed: no customers');
    await expect(w.compute(customers(2), trained, { seed: 1, restarts: 1 })).resolves.toEqual({ silhouette: 0.5 });
  });

  it('fails the requests in flight when the worker dies, and starts a new worker for the next one', async () => {
    const marker = join(dir, 'started');
    // Dies on its first life; answers on the next (the marker file tells them apart).
    const file = script(
      'dies-once.js',
      `const fs = require('node:fs');
       const first = !fs.existsSync(${JSON.stringify(marker)});
       fs.writeFileSync(${JSON.stringify(marker)}, 'x');
       parentPort.on('message', (r) => { if (first) process.exit(3); parentPort.postMessage({ id: r.id, metrics: { silhouette: 0.25 } }); });`,
    );
    const w = worker(file);
    await expect(w.compute(customers(1), trained, { seed: 1, restarts: 1 })).rejects.toThrow('the model metrics worker exited (code 3)');
    await expect(w.compute(customers(1), trained, { seed: 1, restarts: 1 })).resolves.toEqual({ silhouette: 0.25 });
  });
});

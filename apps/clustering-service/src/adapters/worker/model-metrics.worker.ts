// Entry of the worker thread that computes models' quality metrics (bundled on its own as
// dist/apps/clustering-service/model-metrics.worker.js; see model-metrics-worker.ts).
import { parentPort } from 'node:worker_threads';
import { trainedModelMetrics } from '../../application/train-model';
import type { MetricsRequest, MetricsReply } from './model-metrics-worker';

if (!parentPort) throw new Error('model-metrics.worker.js runs as a worker thread');
const port = parentPort;
port.on('message', (request: MetricsRequest) => {
  let reply: MetricsReply;
  try {
    reply = { id: request.id, metrics: trainedModelMetrics(request.customers, request.trained, request.options) };
  } catch (error) {
    reply = { id: request.id, error: error instanceof Error ? error.message : String(error) };
  }
  port.postMessage(reply);
});

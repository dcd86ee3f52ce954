#!/usr/bin/env node
// Readiness check of the platform's Kafka broker: succeeds once the broker answers metadata
// requests (listTopics + describeCluster with at least one live broker), not merely when its
// port is open. Used by tools/infra/kafka.sh.
//
// Usage: node tools/infra/kafka-ready.mjs [--brokers 127.0.0.1:9092] [--timeout 90] [--pid N]
// Exit codes: 0 ready, 1 timed out, 2 kafkajs not installed, 3 the process --pid exited.

import { createRequire } from 'node:module';

const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
};
const brokers = opt('brokers', '127.0.0.1:9092').split(',');
const timeoutMs = Number(opt('timeout', '90')) * 1000;
const pid = opt('pid', '') ? Number(opt('pid', '')) : undefined;

let kafkajs;
try {
  kafkajs = createRequire(import.meta.url)('kafkajs');
} catch {
  console.error('kafka-ready: kafkajs is not installed (run npm ci at the repository root)');
  process.exit(2);
}
const { Kafka, logLevel } = kafkajs;

const alive = (p) => {
  try {
    process.kill(p, 0);
    return true;
  } catch (e) {
    return e.code === 'EPERM';
  }
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const kafka = new Kafka({
  clientId: 'seg-kafka-ready',
  brokers,
  logLevel: logLevel.NOTHING,
  connectionTimeout: 1000,
  requestTimeout: 3000,
  retry: { retries: 0 },
});

const deadline = Date.now() + timeoutMs;
let lastError = 'no attempt made';
for (;;) {
  if (pid !== undefined && !alive(pid)) {
    console.error(`kafka-ready: broker process ${pid} exited`);
    process.exit(3);
  }
  const admin = kafka.admin({ retry: { retries: 0 } });
  try {
    await admin.connect();
    await admin.listTopics();
    const cluster = await admin.describeCluster();
    if (cluster.brokers.length > 0 && cluster.controller !== null && cluster.controller >= 0) {
      await admin.disconnect().catch(() => {});
      process.exit(0);
    }
    lastError = 'no live broker or controller in metadata yet';
  } catch (e) {
    lastError = e instanceof Error ? e.message : String(e);
  }
  await admin.disconnect().catch(() => {});
  if (Date.now() >= deadline) break;
  await sleep(250);
}
console.error(`kafka-ready: ${brokers.join(',')} not ready after ${timeoutMs / 1000}s: ${lastError}`);
process.exit(1);

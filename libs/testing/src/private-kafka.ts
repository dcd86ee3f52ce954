import { execFile, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { WORKSPACE_ROOT } from './environment';
import { assertPortsFree, InfraProcess, installExitHook } from './private-process';

export interface PrivateKafkaOptions {
  readonly port: number;
  readonly controllerPort: number;
  /** Where the broker keeps its config, logs and data; a fresh folder under os.tmpdir() if absent. */
  readonly dataDir?: string;
  /** JVM heap options (default "-Xmx384m -Xms128m"). */
  readonly heapOpts?: string;
  /** How long to wait for the broker to answer metadata requests (default 90 s). */
  readonly readyTimeoutMs?: number;
}

export interface PrivateKafka {
  /** `127.0.0.1:<port>`, for SEG_KAFKA_BROKERS. */
  readonly brokers: string[];
  readonly dataDir: string;
  /** The broker's stdout and stderr (its own log is in `<dataDir>/logs/server.log`). */
  readonly logFile: string;
  readonly running: boolean;
  /** Clean shutdown (SIGTERM), SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
  /** SIGKILL, as a crash would. */
  kill(): Promise<void>;
  /** Starts the stopped broker again on the same data and waits until it answers. */
  start(): Promise<void>;
  /** Stops (`kill: true` for SIGKILL), stays down for `downMs`, starts again on the same data. */
  restart(options?: { readonly kill?: boolean; readonly downMs?: number }): Promise<void>;
  /** Kills the broker and removes its data folder when this helper created it. Safe to call twice. */
  dispose(): Promise<void>;
}

const KAFKA_DIR = join(WORKSPACE_ROOT, '.local', 'kafka');
const LIBS = join(KAFKA_DIR, 'libs');

/** The broker jars fetched by tools/infra/kafka.sh; fetches them (once) when they are missing. */
function ensureKafkaLibs(): string {
  if (existsSync(join(LIBS, '.fetched'))) return LIBS;
  const result = spawnSync('bash', [join(WORKSPACE_ROOT, 'tools', 'infra', 'kafka.sh'), 'ensure'], { cwd: WORKSPACE_ROOT, encoding: 'utf8', timeout: 15 * 60_000 });
  if (result.status !== 0 || !existsSync(join(LIBS, '.fetched'))) {
    throw new Error(`the Kafka jars are missing in ${LIBS} and tools/infra/kafka.sh ensure could not fetch them:\n${(result.stderr ?? '').trim().split('\n').slice(-10).join('\n')}`);
  }
  return LIBS;
}

/** A KRaft cluster id: 16 random bytes in URL-safe base64 (Kafka refuses ids starting with '-'). */
function clusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

function serverProperties(options: PrivateKafkaOptions, dataDir: string): string {
  const { port, controllerPort } = options;
  return [
    '# A private single-node KRaft broker+controller for one test file.',
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
    `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
    'inter.broker.listener.name=PLAINTEXT',
    'controller.listener.names=CONTROLLER',
    'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    `log.dirs=${join(dataDir, 'data')}`,
    'offsets.topic.replication.factor=1',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'default.replication.factor=1',
    'min.insync.replicas=1',
    'offsets.topic.num.partitions=4',
    'transaction.state.log.num.partitions=4',
    'group.initial.rebalance.delay.ms=0',
    'auto.create.topics.enable=false',
    'delete.topic.enable=true',
    'num.partitions=3',
    'num.recovery.threads.per.data.dir=1',
    '',
  ].join('\n');
}

function log4jProperties(dataDir: string): string {
  return [
    'log4j.rootLogger=INFO, file',
    'log4j.appender.file=org.apache.log4j.RollingFileAppender',
    `log4j.appender.file.File=${join(dataDir, 'logs', 'server.log')}`,
    'log4j.appender.file.MaxFileSize=20MB',
    'log4j.appender.file.MaxBackupIndex=1',
    'log4j.appender.file.layout=org.apache.log4j.PatternLayout',
    'log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n',
    'log4j.logger.kafka.request.logger=WARN',
    'log4j.logger.state.change.logger=WARN',
    'log4j.logger.org.apache.kafka.clients=WARN',
    '',
  ].join('\n');
}

/** Resolves once the broker answers a metadata request; fails early if its process exited. */
async function waitUntilAnswering(broker: string, server: InfraProcess, timeoutMs: number): Promise<void> {
  const kafka = new Kafka({ clientId: 'private-kafka-ready', brokers: [broker], logLevel: logLevel.NOTHING, connectionTimeout: 1_000, retry: { retries: 0 } });
  const deadline = Date.now() + timeoutMs;
  let lastError = '';
  while (Date.now() < deadline) {
    if (!server.running) throw new Error(`the private Kafka broker on ${broker} ${server.describeExit()} during startup; last output:\n${server.tail()}`);
    const admin = kafka.admin();
    try {
      await admin.connect();
      await admin.listTopics();
      return;
    } catch (error) {
      lastError = error instanceof Error ? error.message : String(error);
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`the private Kafka broker on ${broker} did not answer metadata requests within ${timeoutMs} ms (${lastError}); last output:\n${server.tail()}`);
}

/**
 * Starts a single-node KRaft broker of a test's own, from the jars the project fetched for the
 * shared one (.local/kafka/libs), with its own config and freshly formatted storage. A test can
 * stop, kill and restart it (the shared broker on 9092 is never touched). Call `dispose()` in
 * afterAll; the broker is also killed when the test process exits.
 */
export async function startPrivateKafka(options: PrivateKafkaOptions): Promise<PrivateKafka> {
  const { port, controllerPort } = options;
  const broker = `127.0.0.1:${port}`;
  const readyTimeoutMs = options.readyTimeoutMs ?? 90_000;
  await assertPortsFree('a private Kafka broker', [port, controllerPort]);
  const libs = ensureKafkaLibs();
  const ownDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'seg-kafka-'));
  mkdirSync(join(dataDir, 'logs'), { recursive: true });
  const config = join(dataDir, 'server.properties');
  const log4j = join(dataDir, 'log4j.properties');
  writeFileSync(config, serverProperties(options, dataDir));
  writeFileSync(log4j, log4jProperties(dataDir));
  const jvm = [`-Dlog4j.configuration=file:${log4j}`, `-Dkafka.logs.dir=${join(dataDir, 'logs')}`, '-cp', `${libs}/*`];

  try {
    await promisify(execFile)('java', ['-Xmx256m', ...jvm, 'kafka.tools.StorageTool', 'format', '-t', clusterId(), '-c', config, '--ignore-formatted'], { timeout: 60_000 });
  } catch (error) {
    if (ownDir) rmSync(dataDir, { recursive: true, force: true });
    const detail = error as { stderr?: string; stdout?: string; message?: string };
    throw new Error(`formatting the private Kafka storage in ${dataDir} failed: ${(detail.stderr || detail.stdout || detail.message || '').trim()}`);
  }

  installExitHook();
  const heap = (options.heapOpts ?? '-Xmx384m -Xms128m').split(/\s+/).filter(Boolean);
  const server = new InfraProcess(`kafka:${port}`, 'java', [...heap, '-XX:+UseG1GC', '-Djava.awt.headless=true', ...jvm, 'kafka.Kafka', config], join(dataDir, 'logs', 'stdout.log'));
  const start = async () => {
    server.start();
    try {
      await waitUntilAnswering(broker, server, readyTimeoutMs);
    } catch (error) {
      await server.kill();
      throw error;
    }
  };
  let disposed = false;
  const dispose = async () => {
    if (disposed) return;
    disposed = true;
    await server.kill();
    if (ownDir) rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await start();
  } catch (error) {
    await dispose();
    throw error;
  }
  return {
    brokers: [broker],
    dataDir,
    logFile: server.logFile,
    get running() {
      return server.running;
    },
    stop: (graceMs) => server.stop(graceMs),
    kill: () => server.kill(),
    start,
    async restart({ kill = false, downMs = 0 } = {}) {
      await (kill ? server.kill() : server.stop());
      if (downMs > 0) await new Promise((r) => setTimeout(r, downMs));
      await start();
    },
    dispose,
  };
}

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { DatabaseSettings } from '@seg/platform-config';
import { createTestDatabase, deleteTopicsWithPrefix, startServiceProcess, uniqueSuffix, WORKSPACE_ROOT, type ServiceName, type ServiceProcess, type TestDatabase } from '@seg/testing';

export type AppName = 'gateway' | `${ServiceName}-service`;

export interface PlatformOptions {
  /** Creates each service's throwaway database (default: createTestDatabase on the shared MariaDB). */
  readonly createDatabase?: (service: ServiceName) => Promise<TestDatabase>;
}

export interface RunningPlatform {
  readonly gatewayUrl: string;
  readonly subgraphUrls: Readonly<Record<'ingest' | 'rfm' | 'clustering' | 'profiling', string>>;
  readonly keys: Readonly<Record<'admin' | 'marketer' | 'viewer', string>>;
  /** A folder the ingest service may import from. */
  readonly importDir: string;
  readonly logDir: string;
  /** The platform's broker and the prefix of its topics (to publish or read events directly). */
  readonly kafka: { readonly brokers: readonly string[]; readonly topicPrefix: string };
  /** Each service's database (to check its state directly, as the service's own user). */
  readonly databases: Readonly<Record<ServiceName, DatabaseSettings>>;
  /** The running process of one app (to kill it, as a crash would). */
  app(name: AppName): ServiceProcess;
  /** Starts an app again with the same environment (after a kill or a stop); resolves when it is ready. */
  restartApp(name: AppName): Promise<ServiceProcess>;
  stop(): Promise<void>;
}

const SERVICES = ['ingest', 'rfm', 'clustering', 'profiling'] as const;

/**
 * Starts the five built apps as real processes on throwaway databases and a topic prefix of
 * their own, on ports away from the main job's, so a running demo is left alone.
 */
export async function startPlatform(basePort: number, extraEnv: Record<string, string> = {}, options: PlatformOptions = {}): Promise<RunningPlatform> {
  const createDatabase = options.createDatabase ?? createTestDatabase;
  const suffix = uniqueSuffix();
  const importDir = mkdtempSync(join(tmpdir(), 'seg-e2e-import-'));
  const logDir = join(WORKSPACE_ROOT, 'tmp', 'e2e-logs', suffix);
  const keys = { admin: `adm_${randomBytes(16).toString('hex')}`, marketer: `mkt_${randomBytes(16).toString('hex')}`, viewer: `vwr_${randomBytes(16).toString('hex')}` };
  const databases: TestDatabase[] = [];
  const processes = new Map<AppName, ServiceProcess>();
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    SEG_LOG_LEVEL: 'info',
    SEG_GATEWAY_SECRET: randomBytes(24).toString('hex'),
    SEG_API_KEYS: `admin:${keys.admin},marketer:${keys.marketer},viewer:${keys.viewer}`,
    SEG_KAFKA_TOPIC_PREFIX: `e2e-${suffix}.`,
    SEG_IMPORT_ROOTS: importDir,
    SEG_TRAIN_QUIET_MS: '500',
    SEG_CLUSTER_K: '4',
    SEG_GATEWAY_PORT: String(basePort),
    ...extraEnv,
  };
  const subgraphUrls = {} as Record<(typeof SERVICES)[number], string>;
  const readyUrl = (name: AppName) => `http://127.0.0.1:${name === 'gateway' ? basePort : basePort + 1 + SERVICES.indexOf(name.replace('-service', '') as ServiceName)}/ready`;
  const startApp = (name: AppName) => startServiceProcess(name, env, readyUrl(name), logDir);
  const stopAll = async () => {
    await Promise.all([...processes.values()].map((p) => p.stop()));
    await Promise.all(databases.map((d) => d.drop()));
    // The topics of its prefix go too, as its databases do: each full-file run leaves about 100 MB
    // and 62 partitions on the broker otherwise.
    await deleteTopicsWithPrefix((env['SEG_KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(','), env['SEG_KAFKA_TOPIC_PREFIX'] as string);
    rmSync(importDir, { recursive: true, force: true });
  };
  try {
    for (const [i, service] of SERVICES.entries()) {
      const db = await createDatabase(service);
      databases.push(db);
      const upper = service.toUpperCase();
      env['SEG_DB_HOST'] = db.settings.host;
      env['SEG_DB_PORT'] = String(db.settings.port);
      env[`SEG_${upper}_DB_NAME`] = db.settings.database;
      env[`SEG_${upper}_DB_USER`] = db.settings.user;
      env[`SEG_${upper}_DB_PASSWORD`] = db.settings.password;
      env[`SEG_${upper}_PORT`] = String(basePort + 1 + i);
      env[`SEG_${upper}_CONSUMER_GROUP`] = `e2e-${suffix}-${service}`;
      env[`SEG_${upper}_URL`] = `http://127.0.0.1:${basePort + 1 + i}/graphql`;
      subgraphUrls[service] = env[`SEG_${upper}_URL`] as string;
    }
    // allSettled: on a failure, the apps that did start are known and stopped below.
    const started = await Promise.allSettled(
      SERVICES.map(async (service) => {
        processes.set(`${service}-service`, await startApp(`${service}-service`));
      }),
    );
    const failed = started.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
    processes.set('gateway', await startApp('gateway'));
  } catch (error) {
    await stopAll();
    throw error;
  }
  return {
    gatewayUrl: `http://127.0.0.1:${basePort}/graphql`,
    subgraphUrls,
    keys,
    importDir,
    logDir,
    kafka: { brokers: (env['SEG_KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(','), topicPrefix: env['SEG_KAFKA_TOPIC_PREFIX'] as string },
    databases: Object.fromEntries(databases.map((d, i) => [SERVICES[i], d.settings])) as Record<ServiceName, DatabaseSettings>,
    app(name) {
      const p = processes.get(name);
      if (!p) throw new Error(`${name} is not running`);
      return p;
    },
    async restartApp(name) {
      await processes.get(name)?.stop();
      const p = await startApp(name);
      processes.set(name, p);
      return p;
    },
    stop: stopAll,
  };
}

export interface GraphQLResponse<T> {
  readonly status: number;
  readonly data?: T;
  readonly errors?: readonly { message: string; extensions?: { code?: string } }[];
}

/** Posts a GraphQL operation; `key` null sends no credentials. */
export async function graphql<T>(url: string, key: string | null, query: string, variables: Record<string, unknown> = {}, headers: Record<string, string> = {}): Promise<GraphQLResponse<T>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}), ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as Omit<GraphQLResponse<T>, 'status'>;
  return { status: response.status, ...body };
}

/**
 * Waits until the newest segmentation model covers every one of `customers` customers (rfm knows
 * them all and the segments' sizes sum to them). A model trained while the import still ran (the
 * metric stream paused for the quiet period) covers only the customers seen by then, and fewer
 * late ones than SEG_RETRAIN_MIN_CHANGED wait for a later retrain, which a test would wait for in
 * vain: once rfm holds everyone, after `patienceMs` without a complete model it asks for a
 * training run (admin), and again after each further `patienceMs` (clustering may still have
 * lacked some customers' features). `keys` are the platform's unless the caller started it with
 * keys of its own.
 */
export async function waitForEveryoneSegmented(
  platform: RunningPlatform,
  customers: number,
  options: { readonly keys?: { readonly viewer: string; readonly admin: string }; readonly timeoutMs?: number; readonly patienceMs?: number } = {},
): Promise<void> {
  const { keys = platform.keys, timeoutMs = 150_000, patienceMs = 8_000 } = options;
  const deadline = Date.now() + timeoutMs;
  let waitingSince: number | undefined;
  let last = '';
  for (;;) {
    const r = await graphql<{ rfmSummary: { customers: number }; segments: { size: number }[] }>(platform.gatewayUrl, keys.viewer, '{ rfmSummary { customers } segments { size } }');
    const known = r.data?.rfmSummary.customers;
    const segmented = r.data?.segments.reduce((sum, s) => sum + s.size, 0);
    if (known === customers && segmented === customers) return;
    last = r.errors ? `the gateway answered HTTP ${r.status}: ${JSON.stringify(r.errors).slice(0, 300)}` : `rfm knows ${known} customers, the segments' sizes sum to ${segmented}, of ${customers}`;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for every customer to be segmented: ${last}`);
    if (known === customers) {
      waitingSince ??= Date.now();
      if (Date.now() - waitingSince >= patienceMs) {
        waitingSince = Date.now();
        await graphql(platform.gatewayUrl, keys.admin, 'mutation { trainSegmentation { model { version } userErrors { code message } } }');
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

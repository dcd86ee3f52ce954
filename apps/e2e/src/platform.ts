import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createTestDatabase, startServiceProcess, uniqueSuffix, WORKSPACE_ROOT, type ServiceProcess, type TestDatabase } from '@seg/testing';

export interface RunningPlatform {
  readonly gatewayUrl: string;
  readonly subgraphUrls: Readonly<Record<'ingest' | 'rfm' | 'clustering' | 'profiling', string>>;
  readonly keys: Readonly<Record<'admin' | 'marketer' | 'viewer', string>>;
  /** A folder the ingest service may import from. */
  readonly importDir: string;
  readonly logDir: string;
  stop(): Promise<void>;
}

const SERVICES = ['ingest', 'rfm', 'clustering', 'profiling'] as const;

/**
 * Starts the five built apps as real processes on throwaway databases and a topic prefix of
 * their own, on ports away from the main job's, so a running demo is left alone.
 */
export async function startPlatform(basePort: number, extraEnv: Record<string, string> = {}): Promise<RunningPlatform> {
  const suffix = uniqueSuffix();
  const importDir = mkdtempSync(join(tmpdir(), 'seg-e2e-import-'));
  const logDir = join(WORKSPACE_ROOT, 'tmp', 'e2e-logs', suffix);
  const keys = { admin: `adm_${randomBytes(16).toString('hex')}`, marketer: `mkt_${randomBytes(16).toString('hex')}`, viewer: `vwr_${randomBytes(16).toString('hex')}` };
  const databases: TestDatabase[] = [];
  const processes: ServiceProcess[] = [];
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
  try {
    for (const [i, service] of SERVICES.entries()) {
      const db = await createTestDatabase(service);
      databases.push(db);
      const upper = service.toUpperCase();
      env[`SEG_${upper}_DB_NAME`] = db.settings.database;
      env[`SEG_${upper}_PORT`] = String(basePort + 1 + i);
      env[`SEG_${upper}_CONSUMER_GROUP`] = `e2e-${suffix}-${service}`;
      env[`SEG_${upper}_URL`] = `http://127.0.0.1:${basePort + 1 + i}/graphql`;
      subgraphUrls[service] = env[`SEG_${upper}_URL`] as string;
    }
    const started = await Promise.all(
      SERVICES.map((service, i) => startServiceProcess(`${service}-service`, env, `http://127.0.0.1:${basePort + 1 + i}/ready`, logDir)),
    );
    processes.push(...started);
    processes.push(await startServiceProcess('gateway', env, `http://127.0.0.1:${basePort}/ready`, logDir));
  } catch (error) {
    await Promise.all(processes.map((p) => p.stop()));
    await Promise.all(databases.map((d) => d.drop()));
    throw error;
  }
  return {
    gatewayUrl: `http://127.0.0.1:${basePort}/graphql`,
    subgraphUrls,
    keys,
    importDir,
    logDir,
    async stop() {
      await Promise.all(processes.map((p) => p.stop()));
      await Promise.all(databases.map((d) => d.drop()));
    },
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

import { createConnection } from 'mysql2/promise';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import type { DatabaseSettings } from '@seg/platform-config';
import { assertTestDatabase, connectAndMigrate, createDataSource, type DataSourceOptions } from '@seg/platform-persistence';
import { loadLocalSecrets, uniqueSuffix } from './environment';

export type ServiceName = 'ingest' | 'rfm' | 'clustering' | 'profiling';

export interface TestDatabase {
  readonly settings: DatabaseSettings;
  drop(): Promise<void>;
}

/**
 * Creates a throwaway database `seg_<service>_test_<suffix>` on the real MariaDB, as the
 * service's own least-privilege user (its grants cover exactly these names), and drops it after.
 */
export async function createTestDatabase(service: ServiceName): Promise<TestDatabase> {
  loadLocalSecrets();
  const upper = service.toUpperCase();
  const password = process.env[`SEG_${upper}_DB_PASSWORD`];
  if (!password) throw new Error(`SEG_${upper}_DB_PASSWORD is not set and .local/secrets.env has none: run tools/infra/up.sh first`);
  return createTestDatabaseOn(service, { host: process.env['SEG_DB_HOST'] ?? '127.0.0.1', port: Number(process.env['SEG_DB_PORT'] ?? 3306), password });
}

/**
 * For an integration spec: a throwaway database of the service with its migrations run, and a
 * data source on it. {@link closeTestDatabase} closes both.
 */
export async function createMigratedTestDatabase(service: ServiceName, migrations: DataSourceOptions['migrations'], logger: Logger): Promise<{ database: TestDatabase; dataSource: DataSource }> {
  const database = await createTestDatabase(service);
  const dataSource = await connectAndMigrate(createDataSource({ settings: database.settings, entities: [], migrations }), logger);
  return { database, dataSource };
}

/** Closes the data source and drops the database; either may be missing (a beforeAll that failed). */
export async function closeTestDatabase(dataSource: DataSource | undefined, database: TestDatabase | undefined): Promise<void> {
  await dataSource?.destroy();
  await database?.drop();
}

/** The same on a given server, where `seg_<service>` logs in with `password`. */
export async function createTestDatabaseOn(service: ServiceName, server: { readonly host: string; readonly port: number; readonly password: string }): Promise<TestDatabase> {
  const { password } = server;
  const settings: DatabaseSettings = {
    host: server.host,
    port: server.port,
    user: `seg_${service}`,
    password,
    database: `seg_${service}_test_${uniqueSuffix()}`,
  };
  assertTestDatabase(settings.database);
  const connection = await createConnection({ host: settings.host, port: settings.port, user: settings.user, password });
  try {
    await connection.query(`CREATE DATABASE \`${settings.database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  } finally {
    await connection.end();
  }
  return {
    settings,
    async drop() {
      assertTestDatabase(settings.database);
      const c = await createConnection({ host: settings.host, port: settings.port, user: settings.user, password });
      try {
        await c.query(`DROP DATABASE IF EXISTS \`${settings.database}\``);
      } finally {
        await c.end();
      }
    },
  };
}

import { DataSource, type EntitySchema, type MigrationInterface } from 'typeorm';
import type { Logger } from 'pino';
import { retryWithBackoff } from '@seg/platform-observability';
import type { DatabaseSettings } from '@seg/platform-config';
import { attachInfileBuffers, InfileBuffers } from './load-data';
import { QueryLogger } from './query-logger';

export interface DataSourceOptions {
  readonly settings: DatabaseSettings;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly entities: readonly EntitySchema<any>[];
  readonly migrations: readonly (new () => MigrationInterface)[];
  /**
   * Whether the connections offer the server LOCAL_FILES, which `loadDataLocal` needs (default
   * true). Without it the server refuses LOAD DATA LOCAL, as when its local_infile is OFF.
   */
  readonly localInfile?: boolean;
}

/**
 * A TypeORM data source on MariaDB/MySQL through mysql2. Times are UTC ('Z'); DECIMAL and BIGINT
 * come back as strings (mysql2 default), so repositories convert them explicitly. Schema changes
 * go through the committed migrations only: `synchronize` stays off. `LOAD DATA LOCAL INFILE`
 * reads only in-memory buffers registered by `loadDataLocal` (load-data.ts), never a file.
 */
export function createDataSource(options: DataSourceOptions): DataSource {
  const { settings } = options;
  const infiles = new InfileBuffers();
  const dataSource = new DataSource({
    type: 'mariadb',
    host: settings.host,
    port: settings.port,
    username: settings.user,
    password: settings.password,
    database: settings.database,
    timezone: 'Z',
    charset: 'utf8mb4_unicode_ci',
    entities: [...options.entities],
    migrations: [...options.migrations],
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: ['error'],
    extra: { connectionLimit: 10, flags: [options.localInfile === false ? '-LOCAL_FILES' : '+LOCAL_FILES'], infileStreamFactory: infiles.open },
    poolSize: 10,
  });
  attachInfileBuffers(dataSource, infiles);
  return dataSource;
}

/** Connects (retrying with backoff while the database is unreachable), logs through `logger`, and applies pending migrations. */
export async function connectAndMigrate(dataSource: DataSource, logger: Logger, signal?: AbortSignal): Promise<DataSource> {
  // Failed statements go to the service's log, without their parameters (query-logger.ts).
  dataSource.setOptions({ logger: new QueryLogger(logger.child({ component: 'database' })) });
  const options = dataSource.options as { host?: string; port?: number; database?: string };
  await retryWithBackoff(() => dataSource.initialize(), logger, {
    what: `database ${options.database} at ${options.host}:${options.port}`,
    ...(signal ? { signal } : {}),
  });
  const applied = await dataSource.runMigrations({ transaction: 'each' });
  if (applied.length > 0) logger.info({ migrations: applied.map((m) => m.name) }, 'applied database migrations');
  return dataSource;
}

/**
 * Refuses to let a test touch a database whose name does not say it is a test database, so a
 * misconfigured test run can never wipe a real one.
 */
export function assertTestDatabase(name: string): void {
  if (!/_test(_|$)/.test(name)) throw new Error(`refusing to use database "${name}" in a test: its name must contain "_test"`);
}

/** Readiness of a service whose only hard dependency is its database. */
export async function databaseReadiness(dataSource: DataSource): Promise<{ ready: boolean; checks: { database: boolean } }> {
  const database = dataSource.isInitialized && (await dataSource.query('SELECT 1').then(() => true, () => false));
  return { ready: database, checks: { database } };
}

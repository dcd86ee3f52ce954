import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createConnection, type Connection } from 'mysql2/promise';
import { createTestDatabaseOn, type ServiceName, type TestDatabase } from './test-database';
import { assertPortsFree, InfraProcess, installExitHook } from './private-process';

export interface PrivateMariaDbOptions {
  readonly port: number;
  /** Where the server keeps its data, socket and log; a fresh folder under os.tmpdir() if absent. */
  readonly dataDir?: string;
  /** How long to wait for the server to answer (default 60 s). */
  readonly readyTimeoutMs?: number;
}

export interface PrivateMariaDb {
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  readonly logFile: string;
  /** The generated password of each service user `seg_<service>`. */
  readonly passwords: Readonly<Record<ServiceName, string>>;
  readonly running: boolean;
  /** Clean shutdown (SIGTERM), SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
  /** SIGKILL, as a crash would (InnoDB recovers at the next start). */
  kill(): Promise<void>;
  /** Starts the stopped server again on the same data and waits until it answers. */
  start(): Promise<void>;
  /** Stops (`kill: true` for SIGKILL), stays down for `downMs`, starts again on the same data. */
  restart(options?: { readonly kill?: boolean; readonly downMs?: number }): Promise<void>;
  /** A throwaway `seg_<service>_test_<suffix>` database on this server, created as the service user. */
  createServiceDatabase(service: ServiceName): Promise<TestDatabase>;
  /** Kills the server and removes its data folder when this helper created it. Safe to call twice. */
  dispose(): Promise<void>;
}

const SERVICES: readonly ServiceName[] = ['ingest', 'rfm', 'clustering', 'profiling'];

function findExecutable(candidates: readonly string[]): string | undefined {
  const path = (process.env['PATH'] ?? '').split(':').concat(['/usr/sbin', '/usr/bin', '/usr/local/sbin', '/usr/local/bin']);
  for (const name of candidates) {
    for (const dir of path) {
      if (dir && existsSync(join(dir, name))) return join(dir, name);
    }
  }
  return undefined;
}

/** uid and gid of the `mysql` system user, from /etc/passwd. */
function mysqlUser(): { uid: number; gid: number } {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('mysql:'));
  const [, , uid, gid] = line?.split(':') ?? [];
  if (uid === undefined || gid === undefined) throw new Error('running as root, mariadbd needs the "mysql" system user, and /etc/passwd has none (install mariadb-server)');
  return { uid: Number(uid), gid: Number(gid) };
}

/**
 * Starts a MariaDB server of a test's own on a port of its own (the shared one on 3306 is never
 * touched), with a fresh data directory and one least-privilege user per service, so that a test
 * can stop, kill and restart it. Uses the installed mariadbd and mariadb-install-db; as root the
 * server runs as the `mysql` user, which then owns the data folder. Call `dispose()` in afterAll;
 * the server is also killed when the test process exits.
 */
export async function startPrivateMariaDb(options: PrivateMariaDbOptions): Promise<PrivateMariaDb> {
  const { port } = options;
  const host = '127.0.0.1';
  const readyTimeoutMs = options.readyTimeoutMs ?? 60_000;
  const installDb = findExecutable(['mariadb-install-db', 'mysql_install_db']);
  const serverBin = findExecutable(['mariadbd', 'mysqld']);
  if (!installDb || !serverBin) throw new Error('a private MariaDB needs mariadbd and mariadb-install-db (apt-get install -y mariadb-server)');
  await assertPortsFree('a private MariaDB', [port]);

  const ownDir = options.dataDir === undefined;
  const baseDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'seg-mariadb-'));
  const dataDir = join(baseDir, 'data');
  const socket = join(baseDir, 'mysqld.sock');
  const logFile = join(baseDir, 'mariadbd.log');
  mkdirSync(baseDir, { recursive: true });
  const asRoot = process.getuid?.() === 0;
  const userArgs: string[] = [];
  if (asRoot) {
    // mariadbd refuses to run as root: it drops to `mysql`, which must own its folders.
    const { uid, gid } = mysqlUser();
    chownSync(baseDir, uid, gid);
    userArgs.push('--user=mysql');
  }

  try {
    await promisify(execFile)(installDb, ['--no-defaults', `--datadir=${dataDir}`, '--auth-root-authentication-method=normal', '--skip-test-db', ...userArgs], { timeout: 120_000 });
  } catch (error) {
    if (ownDir) rmSync(baseDir, { recursive: true, force: true });
    const detail = error as { stderr?: string; stdout?: string; message?: string };
    throw new Error(`${installDb} failed for ${dataDir}: ${(detail.stderr || detail.stdout || detail.message || '').trim().split('\n').slice(-10).join('\n')}`);
  }

  installExitHook();
  const server = new InfraProcess(`mariadb:${port}`, serverBin, [
    '--no-defaults',
    `--datadir=${dataDir}`,
    `--port=${port}`,
    `--bind-address=${host}`,
    `--socket=${socket}`,
    `--pid-file=${join(baseDir, 'mariadbd.pid')}`,
    '--skip-name-resolve',
    '--local-infile=1',
    '--innodb-buffer-pool-size=128M',
    '--max-connections=200',
    ...userArgs,
  ], logFile);

  // root@localhost without a password, through the socket (mariadb-install-db's "normal" method).
  const admin = (): Promise<Connection> => createConnection({ socketPath: socket, user: 'root', connectTimeout: 2_000 });

  const start = async () => {
    server.start();
    const deadline = Date.now() + readyTimeoutMs;
    let lastError = '';
    for (;;) {
      if (!server.running) {
        throw new Error(`the private MariaDB on port ${port} ${server.describeExit()} during startup; last lines of ${logFile}:\n${server.tail()}`);
      }
      try {
        const c = await admin();
        await c.end();
        return;
      } catch (error) {
        lastError = error instanceof Error ? error.message : String(error);
      }
      if (Date.now() > deadline) {
        await server.kill();
        throw new Error(`the private MariaDB on port ${port} did not answer within ${readyTimeoutMs} ms (${lastError}); last lines of ${logFile}:\n${server.tail()}`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  };

  let disposed = false;
  const dispose = async () => {
    if (disposed) return;
    disposed = true;
    await server.kill();
    if (ownDir) rmSync(baseDir, { recursive: true, force: true });
  };

  const passwords = Object.fromEntries(SERVICES.map((s) => [s, randomBytes(16).toString('hex')])) as Record<ServiceName, string>;
  try {
    await start();
    const c = await admin();
    try {
      for (const service of SERVICES) {
        for (const from of ['localhost', host]) {
          // Like tools/infra/mariadb.sh: the user may create and use seg_<svc>_test* databases only.
          await c.query(`CREATE USER 'seg_${service}'@'${from}' IDENTIFIED BY ?`, [passwords[service]]);
          await c.query(`GRANT ALL PRIVILEGES ON \`seg\\_${service}\\_test%\`.* TO 'seg_${service}'@'${from}'`);
        }
      }
    } finally {
      await c.end();
    }
  } catch (error) {
    await dispose();
    throw error;
  }

  return {
    host,
    port,
    dataDir: baseDir,
    logFile,
    passwords,
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
    createServiceDatabase: (service) => createTestDatabaseOn(service, { host, port, password: passwords[service] }),
    dispose,
  };
}

import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createTestDatabase, loadLocalSecrets, waitFor, WORKSPACE_ROOT, type TestDatabase } from '@seg/testing';

/** Starts the built rfm service with `env` and collects what it prints until stopped. */
function startRfm(env: Record<string, string>) {
  const child = spawn(process.execPath, [join(WORKSPACE_ROOT, 'dist', 'apps', 'rfm-service', 'main.js')], {
    cwd: WORKSPACE_ROOT,
    env: { ...process.env, SEG_GATEWAY_SECRET: randomBytes(24).toString('hex'), SEG_RFM_PORT: '4690', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    output: () => output,
    alive: () => child.exitCode === null && child.signalCode === null,
    async stop() {
      child.kill('SIGKILL');
      await exited;
    },
  };
}

describe('a service whose dependencies are missing at start', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    loadLocalSecrets();
    db = await createTestDatabase('rfm');
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('names the unreachable database and keeps retrying instead of crashing', async () => {
    // Port 1 on loopback: nothing listens there, so every connection is refused.
    const service = startRfm({ SEG_DB_PORT: '1', SEG_RFM_DB_NAME: db.settings.database });
    try {
      await waitFor('two retry messages', async () => ((service.output().match(/cannot reach database/g) ?? []).length >= 2 ? true : undefined), 20_000);
      expect(service.output()).toContain(`cannot reach database ${db.settings.database} at 127.0.0.1:1`);
      expect(service.output()).not.toMatch(/^\s+at /m); // no stack trace
      expect(service.alive()).toBe(true);
    } finally {
      await service.stop();
    }
  });

  it('names the unreachable broker and keeps retrying instead of crashing', async () => {
    const service = startRfm({ SEG_KAFKA_BROKERS: '127.0.0.1:1', SEG_RFM_DB_NAME: db.settings.database });
    try {
      await waitFor('a broker retry message', async () => (service.output().includes('cannot reach Kafka broker 127.0.0.1:1') ? true : undefined), 60_000);
      expect(service.output()).not.toMatch(/^\s+at /m);
      expect(service.alive()).toBe(true);
    } finally {
      await service.stop();
    }
  });

  it('refuses to start with a configuration error that names the variable', async () => {
    const service = startRfm({ SEG_RFM_DB_USER: 'root', SEG_RFM_DB_NAME: db.settings.database });
    await waitFor('the process to exit', async () => (service.alive() ? undefined : true), 20_000);
    expect(service.output()).toContain('SEG_RFM_DB_USER: services never connect as root');
    await service.stop();
  });
});

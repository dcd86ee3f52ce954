import { Writable } from 'node:stream';
import pino from 'pino';
import type { DataSource } from 'typeorm';
import { createTestDatabase, type TestDatabase } from '@seg/testing';
import { connectAndMigrate, createDataSource } from '@seg/platform-persistence';

// The service's data source (connectAndMigrate) logs failed statements through the service's logger
// (QueryLogger in @seg/platform-persistence): a deadlock retry must not print customer ids.
describe('failed statements in the service log (real MariaDB)', () => {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const text of chunk.toString('utf8').split('\n')) if (text) lines.push(JSON.parse(text) as Record<string, unknown>);
      done();
    },
  });
  const logger = pino({ level: 'debug' }, sink);
  let database: TestDatabase;
  let dataSource: DataSource;
  const printed: unknown[] = [];
  const spies: jest.SpyInstance[] = [];

  beforeAll(async () => {
    database = await createTestDatabase('rfm');
    dataSource = await connectAndMigrate(createDataSource({ settings: database.settings, entities: [], migrations: [] }), logger);
    await dataSource.query('CREATE TABLE people (id VARCHAR(32) PRIMARY KEY)');
    for (const method of ['log', 'error', 'warn', 'info'] as const) spies.push(jest.spyOn(console, method).mockImplementation((...args: unknown[]) => void printed.push(args)));
  }, 30_000);

  afterAll(async () => {
    for (const spy of spies) spy.mockRestore();
    await dataSource?.destroy();
    await database?.drop();
  });

  it('logs a failed statement as JSON with its code and the number of parameters, never their values, and prints nothing', async () => {
    const secret = 'customer-17850-private';
    await dataSource.query('INSERT INTO people (id) VALUES (?)', [secret]);
    await expect(dataSource.query('INSERT INTO people (id) VALUES (?), (?)', ['someone-else', secret])).rejects.toMatchObject({ code: 'ER_DUP_ENTRY' });
    const failed = lines.filter((line) => typeof line['msg'] === 'string' && (line['msg'] as string).startsWith('query failed'));
    expect(failed).toEqual([
      expect.objectContaining({ level: 40, component: 'database', code: 'ER_DUP_ENTRY', errno: 1062, parameters: 2, sql: 'INSERT INTO people (id) VALUES (?), (?)' }),
    ]);
    // The duplicate value appears in MariaDB's own message ("Duplicate entry '...'"), so only the
    // parameters' values are kept out: check the log holds the id no more often than that message.
    const all = lines.map((line) => JSON.stringify(line)).join('\n');
    expect(all.split(secret).length - 1).toBe(1);
    expect(String(failed[0]!['msg'])).toContain(`Duplicate entry '${secret}'`);
    expect(printed).toEqual([]);
  });
});

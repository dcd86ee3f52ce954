// ImportJobRepository on the real MariaDB (ingest migrations): interrupted imports, rejected rows by page.
import type { DataSource } from 'typeorm';
import { createLogger } from '@seg/platform-observability';
import { connectAndMigrate, createDataSource } from '@seg/platform-persistence';
import { createTestDatabase, type TestDatabase } from '@seg/testing';
import { migrations } from '../../migrations';
import { ImportJobRepository } from './import-job.repository';

describe('ImportJobRepository (real MariaDB)', () => {
  let database: TestDatabase;
  let dataSource: DataSource;
  let jobs: ImportJobRepository;

  beforeAll(async () => {
    database = await createTestDatabase('ingest');
    dataSource = await connectAndMigrate(createDataSource({ settings: database.settings, entities: [], migrations }), createLogger('import-job-int-spec', 'silent'));
    jobs = new ImportJobRepository(dataSource);
  }, 30_000);

  afterAll(async () => {
    await dataSource?.destroy();
    await database?.drop();
  });

  it('fails a running import whose progress stopped, and leaves moving and finished ones alone', async () => {
    const stuck = await jobs.create('/data/stuck.csv');
    const moving = await jobs.create('/data/moving.csv');
    const done = await jobs.create('/data/done.csv');
    await jobs.finish(done.id, 'COMPLETED', null);
    // The stuck import last made progress ten minutes ago (as after its process was killed).
    await dataSource.query('UPDATE import_jobs SET updated_at = NOW(3) - INTERVAL 10 MINUTE WHERE id IN (?, ?)', [stuck.id, done.id]);
    await jobs.recordProgress(moving.id, [], { linesRead: 5_000, accepted: 4_000, rejected: 0, withoutCustomer: 1_000, erased: 0, bytesRead: 400_000 });

    expect(await jobs.failInterrupted(120_000)).toBe(1);
    expect(await jobs.get(stuck.id)).toMatchObject({ status: 'FAILED', error: expect.stringMatching(/^interrupted: .*import the file again/) });
    expect((await jobs.get(stuck.id))?.finishedAt).toBeInstanceOf(Date);
    expect(await jobs.get(moving.id)).toMatchObject({ status: 'RUNNING', error: null, linesRead: 5_000 });
    expect(await jobs.get(done.id)).toMatchObject({ status: 'COMPLETED', error: null });
    // Nothing left to fail.
    expect(await jobs.failInterrupted(120_000)).toBe(0);
  });

  it('pages through a job\'s rejected rows in line order, after a line number', async () => {
    const job = await jobs.create('upload:paged.csv');
    const other = await jobs.create('upload:other.csv');
    const rejection = (lineNumber: number) => ({ lineNumber, code: 'BAD_QUANTITY', reason: `line ${lineNumber}`, raw: `=raw ${lineNumber}`, customerId: null });
    const counters = { linesRead: 0, accepted: 0, rejected: 0, withoutCustomer: 0, erased: 0, bytesRead: 0 };
    // Two batches, as an import records them; the other job's rows must never show.
    await jobs.recordProgress(job.id, [2, 5, 9].map(rejection), counters);
    await jobs.recordProgress(job.id, [10, 11, 40].map(rejection), counters);
    await jobs.recordProgress(other.id, [3, 6].map(rejection), counters);

    const lines = async (limit: number, after: number | null) => (await jobs.rejectedRows(job.id, limit, after)).map((r) => r.lineNumber);
    expect(await lines(4, null)).toEqual([2, 5, 9, 10]);
    expect(await lines(4, 10)).toEqual([11, 40]);
    expect(await lines(4, 40)).toEqual([]);
    expect(await lines(2, 4)).toEqual([5, 9]);
    expect(await jobs.rejectedRows(job.id, 1, 39)).toEqual([{ lineNumber: 40, code: 'BAD_QUANTITY', reason: 'line 40', raw: '=raw 40' }]);
  });
});

// Erasing a customer in ingest's own database (real MariaDB, ingest migrations): the directory row
// and rejected rows go, only a digest of the id stays, and the directory does not take the customer
// back. Lines are real sample lines (customers 17850 and 13047), some broken on purpose.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parse } from 'csv-parse/sync';
import type { DataSource } from 'typeorm';
import { erasedCustomerDigest } from '@seg/contracts-events';
import { normaliseRow, resolveHeader } from '@seg/domain-transactions';
import { createLogger } from '@seg/platform-observability';
import { WORKSPACE_ROOT, type TestDatabase, createMigratedTestDatabase, closeTestDatabase } from '@seg/testing';
import { migrations } from '../../migrations';
import type { AttributedLine, KeptRejection } from '../../application/import-lines';
import { CustomerDirectoryRepository } from './customer-directory.repository';
import { CustomerErasureRepository } from './customer-erasure.repository';
import { ImportJobRepository } from './import-job.repository';

const SAMPLE = join(WORKSPACE_ROOT, 'data', 'sample', 'online_retail_2010-12_2011-02.csv.gz');
const text = gunzipSync(readFileSync(SAMPLE)).toString('utf8').split('\n');
/** Line n of the sample file (1 = header), as written there. */
const sampleLine = (n: number): string => text[n - 1]!;
const header = resolveHeader(sampleLine(1).split(','));
if (!header.ok) throw new Error(header.error.message);
const columns = header.value;

function attributed(n: number): AttributedLine {
  const [fields] = parse(sampleLine(n)) as string[][];
  const result = normaliseRow(fields!, columns, n);
  if (!result.ok || result.value.customerId === null) throw new Error(`sample line ${n} is not an attributed line`);
  return { ...result.value, customerId: result.value.customerId, lineNumber: n };
}

describe('CustomerErasureRepository (real MariaDB)', () => {
  const logger = createLogger('customer-erasure-int-spec', 'silent');
  let database: TestDatabase;
  let dataSource: DataSource;
  let erasures: CustomerErasureRepository;
  let directory: CustomerDirectoryRepository;
  let jobs: ImportJobRepository;

  beforeAll(async () => {
    ({ database, dataSource } = await createMigratedTestDatabase('ingest', migrations, logger));
    erasures = new CustomerErasureRepository(dataSource);
    directory = new CustomerDirectoryRepository(dataSource);
    jobs = new ImportJobRepository(dataSource);
  }, 30_000);

  afterAll(() => closeTestDatabase(dataSource, database));

  const rejectedLines = async (): Promise<number[]> =>
    ((await dataSource.query('SELECT line_number FROM rejected_rows ORDER BY line_number')) as { line_number: number }[]).map((r) => r.line_number);

  it('deletes the directory row and the rejected rows of the customer, keeps a digest, time and role, not the id', async () => {
    // Lines 2..10 are customer 17850, 11.. customer 13047.
    await directory.upsert([2, 3, 11, 12].map(attributed));
    const job = await jobs.create('/data/december.csv');
    const broken = (n: number) => sampleLine(n).replace(',6,', ',six,');
    const rejections: KeptRejection[] = [
      // Split rows: their customer cell is known.
      { lineNumber: 4, code: 'BAD_QUANTITY', reason: 'Quantity "six" is not an integer', raw: broken(4), customerId: '17850' },
      { lineNumber: 12, code: 'BAD_QUANTITY', reason: 'Quantity "six" is not an integer', raw: broken(12), customerId: '13047' },
      // Unreadable rows: only the text is known.
      { lineNumber: 5, code: 'UNREADABLE_ROW', reason: 'Invalid Opening Quote', raw: sampleLine(5).replace('KNITTED', '"KNITTED'), customerId: null },
      { lineNumber: 13, code: 'UNREADABLE_ROW', reason: 'Invalid Opening Quote', raw: sampleLine(13).replace('POPPY', '"POPPY'), customerId: null },
    ];
    await jobs.recordProgress(job.id, rejections, { linesRead: 11, accepted: 7, rejected: 4, withoutCustomer: 0, erased: 0, bytesRead: 1_000 });
    // A row kept before digests were: the split row of 17850 without one.
    await dataSource.query('INSERT INTO rejected_rows (job_id, line_number, code, reason, raw) VALUES (?, 8, ?, ?, ?)', [job.id, 'BAD_QUANTITY', 'Quantity "six" is not an integer', broken(8)]);
    expect(await rejectedLines()).toEqual([4, 5, 8, 12, 13]);

    const deleted = await erasures.record({ customerId: '17850', digest: erasedCustomerDigest('17850'), requestedAt: '2011-03-01T10:00:00.000Z', requestedBy: 'admin' });
    expect(deleted).toEqual({ customers: 1, rejectedRows: 3 });
    expect(await directory.get('17850')).toBeNull();
    expect(await directory.get('13047')).toMatchObject({ id: '13047', country: 'United Kingdom' });
    expect(await rejectedLines()).toEqual([12, 13]);

    // Until the event is out, the id is kept to send it again; then only the digest stays.
    expect(await erasures.pending()).toEqual([{ customerId: '17850', digest: erasedCustomerDigest('17850'), requestedAt: '2011-03-01T10:00:00.000Z', requestedBy: 'admin' }]);
    await erasures.markPublished(erasedCustomerDigest('17850'));
    expect(await erasures.pending()).toEqual([]);
    const stored: Record<string, unknown>[] = await dataSource.query('SELECT LOWER(HEX(customer_digest)) AS digest, requested_at, requested_by, pending_customer_id FROM customer_erasures');
    expect(stored).toEqual([{ digest: erasedCustomerDigest('17850'), requested_at: new Date('2011-03-01T10:00:00.000Z'), requested_by: 'admin', pending_customer_id: null }]);
    expect(await erasures.digests()).toEqual([erasedCustomerDigest('17850')]);
  });

  it('is harmless to repeat: the first request keeps its time and role, and the event is pending again', async () => {
    const again = await erasures.record({ customerId: '17850', digest: erasedCustomerDigest('17850'), requestedAt: '2011-03-02T10:00:00.000Z', requestedBy: 'admin' });
    expect(again).toEqual({ customers: 0, rejectedRows: 0 });
    expect(await erasures.pending()).toEqual([{ customerId: '17850', digest: erasedCustomerDigest('17850'), requestedAt: '2011-03-01T10:00:00.000Z', requestedBy: 'admin' }]);
    await erasures.markPublished(erasedCustomerDigest('17850'));
    expect(await erasures.digests()).toHaveLength(1);
  });

  it('does not let the directory take an erased customer back (the database digest matches the service\'s)', async () => {
    // As when a batch checked before the erasure (here or on another replica) is stored after it.
    await directory.upsert([2, 3, 4, 11].map(attributed));
    expect(await directory.get('17850')).toBeNull();
    expect(await directory.get('13047')).toMatchObject({ id: '13047' });
  });
});

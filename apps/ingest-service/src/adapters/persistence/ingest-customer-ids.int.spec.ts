// Customer ids compare exactly in ingest's database (real MariaDB, ingest migrations), as in the
// code: customers whose ids differ only by case ('abc' / 'ABC') or by an accent ('Ä1' / 'A1') keep
// a directory row each, and erasing one leaves the other's rows.
import type { DataSource } from 'typeorm';
import { erasedCustomerDigest } from '@seg/contracts-events';
import { makeTransactionLine } from '@seg/domain-transactions';
import { createLogger } from '@seg/platform-observability';
import { type TestDatabase, createMigratedTestDatabase, closeTestDatabase } from '@seg/testing';
import { migrations } from '../../migrations';
import type { AttributedLine } from '../../application/import-lines';
import { CustomerDirectoryRepository } from './customer-directory.repository';
import { CustomerErasureRepository } from './customer-erasure.repository';
import { ImportJobRepository } from './import-job.repository';

const [LOWER, UPPER, ACCENTED, PLAIN] = ['abc', 'ABC', 'Ä1', 'A1'] as const;

const line = (customerId: string, invoiceDate: string, country: string, lineNumber: number): AttributedLine => ({
  ...makeTransactionLine({ invoiceNo: String(536_365 + lineNumber), stockCode: '85123A', description: 'WHITE HANGING HEART T-LIGHT HOLDER', quantity: 6, invoiceDate, unitPriceMilli: 2_550, customerId, country }),
  customerId,
  lineNumber,
});

// One of each pair, then the other in a later batch: its upsert meets the stored row, if any.
const first = [line(LOWER, '2010-12-01T08:26:00Z', 'United Kingdom', 2), line(ACCENTED, '2010-12-03T10:00:00Z', 'Spain', 3)];
const second = [line(UPPER, '2011-01-10T12:30:00Z', 'Germany', 4), line(PLAIN, '2011-01-04T13:15:00Z', 'Portugal', 5)];

describe('ingest repositories with customer ids that differ only by case or accents (real MariaDB)', () => {
  const logger = createLogger('ingest-customer-ids-int-spec', 'silent');
  let database: TestDatabase;
  let dataSource: DataSource;
  let directory: CustomerDirectoryRepository;
  let erasures: CustomerErasureRepository;
  let jobs: ImportJobRepository;

  const directoryRow = async (id: string) => {
    const customer = await directory.get(id);
    return customer && { id: customer.id, country: customer.country, firstSeenAt: customer.firstSeenAt.toISOString(), lastSeenAt: customer.lastSeenAt.toISOString() };
  };
  const expectedRow = (l: AttributedLine) => ({ id: l.customerId, country: l.country, firstSeenAt: l.invoiceDate.replace('Z', '.000Z'), lastSeenAt: l.invoiceDate.replace('Z', '.000Z') });

  beforeAll(async () => {
    ({ database, dataSource } = await createMigratedTestDatabase('ingest', migrations, logger));
    directory = new CustomerDirectoryRepository(dataSource);
    erasures = new CustomerErasureRepository(dataSource);
    jobs = new ImportJobRepository(dataSource);
  }, 30_000);

  afterAll(() => closeTestDatabase(dataSource, database));

  it('the customer directory keeps a row per customer', async () => {
    await directory.upsert(first);
    await directory.upsert(second);
    for (const l of [...first, ...second]) expect(await directoryRow(l.customerId)).toEqual(expectedRow(l));
    const rows: { customer_id: string }[] = await dataSource.query('SELECT customer_id FROM customers');
    expect(rows.map((r) => r.customer_id).sort()).toEqual([LOWER, UPPER, ACCENTED, PLAIN].sort());
  });

  it('erasing one customer deletes its rows and leaves the look-alike\'s', async () => {
    const job = await jobs.create('/data/look-alikes.csv');
    await jobs.recordProgress(
      job.id,
      [LOWER, UPPER, ACCENTED, PLAIN].map((customerId, i) => ({ lineNumber: 10 + i, code: 'BAD_QUANTITY', reason: 'Quantity "six" is not an integer', raw: `536999,85123A,HEART,six,12/1/2010 8:26,2.55,${customerId},Spain`, customerId })),
      { linesRead: 4, accepted: 0, rejected: 4, withoutCustomer: 0, erased: 0, bytesRead: 400 },
    );
    // An unreadable row (customer cell unknown) naming only the look-alike.
    await jobs.recordProgress(job.id, [{ lineNumber: 20, code: 'UNREADABLE_ROW', reason: 'Invalid Opening Quote', raw: `536999,85123A,"HEART,6,12/1/2010 8:26,2.55,${UPPER},Spain`, customerId: null }], {
      linesRead: 5, accepted: 0, rejected: 5, withoutCustomer: 0, erased: 0, bytesRead: 500,
    });

    for (const customerId of [LOWER, ACCENTED]) {
      const deleted = await erasures.record({ customerId, digest: erasedCustomerDigest(customerId), requestedAt: '2011-03-01T10:00:00.000Z', requestedBy: 'admin' });
      expect(deleted).toEqual({ customers: 1, rejectedRows: 1 });
    }
    expect(await directory.get(LOWER)).toBeNull();
    expect(await directory.get(ACCENTED)).toBeNull();
    expect(await directoryRow(UPPER)).toEqual(expectedRow(second[0]!));
    expect(await directoryRow(PLAIN)).toEqual(expectedRow(second[1]!));
    expect((await jobs.rejectedRows(job.id, 10)).map((r) => r.lineNumber)).toEqual([11, 13, 20]);
    // The pending erasures keep the exact ids.
    expect((await erasures.pending()).map((r) => r.customerId).sort()).toEqual([LOWER, ACCENTED].sort());

    // A batch checked before the erasure and stored after it does not bring the erased customers back, nor drop their look-alikes.
    await directory.upsert([...first, ...second]);
    expect(await directory.get(LOWER)).toBeNull();
    expect(await directory.get(ACCENTED)).toBeNull();
    expect(await directoryRow(UPPER)).toEqual(expectedRow(second[0]!));
    expect(await directoryRow(PLAIN)).toEqual(expectedRow(second[1]!));
  });
});

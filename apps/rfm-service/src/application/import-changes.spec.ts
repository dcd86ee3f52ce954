import { transactionLineEvents, type TransactionLinesRecorded } from '@seg/contracts-events';
import { makeTransactionLine } from '@seg/domain-transactions';
import { ImportChanges } from './record-lines';

/** An event of one line from `importJobId` (null: live input). */
const eventOf = (importJobId: string | null): TransactionLinesRecorded => {
  const line = makeTransactionLine({ invoiceNo: '536365', stockCode: '85123A', description: 'HEART', quantity: 6, invoiceDate: '2010-12-01T08:26:00Z', unitPriceMilli: 2_550, customerId: '17850', country: 'United Kingdom' });
  const [event] = transactionLineEvents(
    [{ ...line, customerId: '17850', lineNumber: importJobId === null ? null : 2 }],
    { kind: importJobId === null ? 'api' : 'csv', importJobId },
    { correlationId: importJobId ?? 'live', producer: 'import-changes-spec' },
  );
  return event as TransactionLinesRecorded;
};

describe('ImportChanges', () => {
  it('says an import changed nothing in a partition only if every batch of it seen there stored no new line', () => {
    const changes = new ImportChanges();
    changes.note([eventOf('again')], 0, 0);
    changes.note([eventOf('again')], 0, 0);
    changes.note([eventOf('new')], 0, 0);
    changes.note([eventOf('new')], 0, 3);
    expect(changes.take('again', 0)).toBe(false);
    expect(changes.take('new', 0)).toBe(true);
  });

  it('cannot tell for a partition or an import it did not see, and says it may have changed', () => {
    const changes = new ImportChanges();
    changes.note([eventOf('again')], 0, 0);
    expect(changes.take('again', 1)).toBe(true);
    expect(changes.take('other', 0)).toBe(true);
  });

  it('forgets an import once its end is taken: a replayed end cannot tell any more', () => {
    const changes = new ImportChanges();
    changes.note([eventOf('again')], 2, 0);
    expect(changes.take('again', 2)).toBe(false);
    expect(changes.take('again', 2)).toBe(true);
  });

  it('keeps at most its limit of entries, forgetting the oldest first: a forgotten import may have changed', () => {
    // Imports that never end (failed, or ingest killed mid-import) must not pile up for ever.
    const changes = new ImportChanges(2);
    changes.note([eventOf('failed')], 0, 0);
    changes.note([eventOf('a')], 0, 0);
    changes.note([eventOf('a')], 0, 0); // already known: nothing forgotten
    changes.note([eventOf('b')], 0, 0);
    expect(changes.take('failed', 0)).toBe(true);
    expect(changes.take('a', 0)).toBe(false);
    expect(changes.take('b', 0)).toBe(false);
  });

  it('counts a batch of several imports (and live lines) for each import in it', () => {
    const changes = new ImportChanges();
    changes.note([eventOf('a'), eventOf('b'), eventOf(null)], 1, 0);
    expect(changes.take('a', 1)).toBe(false);
    expect(changes.take('b', 1)).toBe(false);
    changes.note([eventOf('a'), eventOf('b'), eventOf(null)], 1, 1);
    expect(changes.take('a', 1)).toBe(true);
    expect(changes.take('b', 1)).toBe(true);
  });
});

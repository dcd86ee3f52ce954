import { createHash } from 'node:crypto';
import {
  LiveTransactionLineRecordedV3,
  MAX_LINES_PER_EVENT,
  TOPICS,
  TransactionLineRecordedV1,
  TransactionLineRecordedV2,
  TransactionLineRecordedV3,
  linesOf,
  sourceLinesOf,
  transactionLineContractOf,
  transactionLineEvents,
  upcastTransactionLineV1,
  upcastTransactionLinesV2,
  type CustomerLine,
  type TransactionLineData,
} from './index';

const meta = { correlationId: 'job-1', producer: 'ingest-service' };
const fromFile = { kind: 'csv', importJobId: 'job-1' } as const;

/** A valid line of `customerId` numbered `n` (its id a hash of both, as distinct as real line ids). */
function line(customerId: string, n: number): CustomerLine {
  return {
    lineId: createHash('sha256').update(`${customerId}/${n}`).digest('hex'),
    invoiceNo: String(536_000 + n),
    stockCode: '85123A',
    description: 'WHITE HANGING HEART T-LIGHT HOLDER',
    quantity: n % 2 === 0 ? 6 : -1,
    invoiceDate: '2010-12-01T08:26:00Z',
    unitPriceMilli: 2550,
    customerId,
    country: n === 3 ? 'France' : 'United Kingdom',
    lineNumber: n,
  };
}

/** The record linesOf gives for a line of the file. */
const flat = ({ lineNumber, ...rest }: CustomerLine): TransactionLineData => ({ ...rest, source: { ...fromFile, lineNumber } });

/** A v2 event of `lines` (one customer's), as an older ingest published them: one object per line. */
function v2Event(lines: readonly CustomerLine[]) {
  const [first] = lines;
  return TransactionLineRecordedV2.create({ customerId: first!.customerId, source: fromFile, lines: lines.map(({ customerId: _c, ...rest }) => rest) }, meta);
}

describe('TransactionLineRecorded v3: one customer\'s lines per event, column by column', () => {
  it('groups a batch by customer in order of first appearance, keeps each customer\'s lines in order, and loses nothing', () => {
    const batch = [line('17850', 2), line('13047', 3), line('17850', 4), line('12583', 5), line('13047', 6), line('17850', 7)];
    const events = transactionLineEvents(batch, fromFile, meta);
    expect(events.map((e) => [e.data.customerId, e.data.lines.lineNumber])).toEqual([
      ['17850', [2, 4, 7]],
      ['13047', [3, 6]],
      ['12583', [5]],
    ]);
    expect(events.map((e) => e.data.lines.lineIds.length / 64)).toEqual([3, 2, 1]);
    expect(events.every((e) => e.type === 'TransactionLineRecorded' && e.version === 3 && e.correlationId === 'job-1')).toBe(true);
    expect(events.every((e) => JSON.stringify(e.data.source) === JSON.stringify(fromFile))).toBe(true);
    // Flattened back: the same records, grouped by customer.
    const byCustomer = (lines: readonly CustomerLine[]) => ['17850', '13047', '12583'].flatMap((c) => lines.filter((l) => l.customerId === c));
    expect(linesOf(events)).toEqual(byCustomer(batch).map(flat));
  });

  it('carries each invoice once and the line ids end to end, and reads every line back', () => {
    // Two invoices, the first one's lines split by the second's: three lines of 536002, one of 536003.
    const batch = [2, 3, 4, 5].map((n) => ({ ...line('17850', n), invoiceNo: n === 4 ? '536003' : '536002' }));
    const [event] = transactionLineEvents(batch, fromFile, meta);
    expect(event!.data.invoices).toEqual([
      { invoiceNo: '536002', invoiceDate: '2010-12-01T08:26:00Z' },
      { invoiceNo: '536003', invoiceDate: '2010-12-01T08:26:00Z' },
    ]);
    expect(event!.data.lines.invoice).toEqual([0, 0, 1, 0]);
    expect(event!.data.lines.lineIds).toBe(batch.map((l) => l.lineId).join(''));
    expect(sourceLinesOf(event!.data)).toEqual(batch.map(({ customerId: _c, ...rest }) => rest));
    // The same invoice number at another time is another invoice entry.
    const [later] = transactionLineEvents([line('17850', 2), { ...line('17850', 3), invoiceNo: '536002', invoiceDate: '2010-12-01T08:27:00Z' }], fromFile, meta);
    expect(later!.data.invoices.map((i) => i.invoiceDate)).toEqual(['2010-12-01T08:26:00Z', '2010-12-01T08:27:00Z']);
  });

  it('is well under two thirds of the JSON of v2 for the same lines (about half on the Online Retail file)', () => {
    const batch = [1, 2, 3, 4, 5, 6, 7, 8].map((n) => ({ ...line('17850', n), invoiceNo: '536002' }));
    const v3 = JSON.stringify(transactionLineEvents(batch, fromFile, meta)[0]);
    const v2 = JSON.stringify(v2Event(batch));
    expect(v3.length).toBeLessThan((2 / 3) * v2.length);
  });

  it('splits a customer\'s lines above the limit, in order', () => {
    const batch = [1, 2, 3, 4, 5].map((n) => line('17850', n));
    const events = transactionLineEvents(batch, fromFile, meta, 2);
    expect(events.map((e) => e.data.lines.lineNumber)).toEqual([[1, 2], [3, 4], [5]]);
    expect(linesOf(events)).toEqual(batch.map(flat));
    expect(transactionLineEvents(batch, fromFile, meta)).toHaveLength(1);
  });

  describe('decoding', () => {
    const [event] = transactionLineEvents([line('17850', 2), line('17850', 3)], fromFile, meta);
    const withLines = (lines: Record<string, unknown>, invoices: unknown = event!.data.invoices) => JSON.stringify({ ...event!, data: { ...event!.data, invoices, lines: { ...event!.data.lines, ...lines } } });
    const rejects = (text: string) => {
      const decoded = TransactionLineRecordedV3.decode(text);
      if (decoded.ok) throw new Error('decoded a bad event');
      expect(decoded.error.code).toBe('BAD_PAYLOAD');
      return decoded.error.reason;
    };

    it('decodes its own events', () => {
      expect(TransactionLineRecordedV3.decode(JSON.stringify(event))).toEqual({ ok: true, value: event });
    });

    it('rejects a bad line id, naming the field', () => {
      const ids = event!.data.lines.lineIds;
      expect(rejects(withLines({ lineIds: ids.slice(0, 64) + 'ABC' + ids.slice(67) }))).toBe("lines.lineIds: must be the lines' ids end to end, 64 lowercase hex characters each");
      expect(rejects(withLines({ lineIds: ids.slice(0, 100) }))).toMatch(/^lines\.lineIds: must be/);
      expect(rejects(withLines({ lineIds: '' }))).toMatch(/^lines\.lineIds: must be/);
    });

    it('rejects a bad value naming its column and line', () => {
      expect(rejects(withLines({ quantity: [6, 1.5] }))).toBe('lines.quantity.1: must be an integer');
      expect(rejects(withLines({ unitPriceMilli: ['2550', 2550] }))).toBe('lines.unitPriceMilli.0: must be an integer');
      expect(rejects(withLines({ stockCode: ['85123A', 'x'.repeat(65)] }))).toBe('lines.stockCode.1: must be a string of at most 64 characters');
      expect(rejects(withLines({ description: [null, 'ok'] }))).toBe('lines.description.0: must be a string of at most 512 characters');
      expect(rejects(withLines({ country: ['United Kingdom', 3] }))).toBe('lines.country.1: must be a string of at most 64 characters');
      expect(rejects(withLines({ lineNumber: [2, '3'] }))).toBe('lines.lineNumber.1: must be an integer or null');
      expect(rejects(withLines({ invoice: [0, -1] }))).toBe('lines.invoice.1: must be an index into invoices');
      expect(rejects(withLines({ quantity: 6 }))).toBe('lines.quantity: must be an array');
      expect(rejects(withLines({}, [{ invoiceNo: '', invoiceDate: '2010-12-01T08:26:00Z' }]))).toMatch(/^invoices\.0\.invoiceNo: /);
      expect(rejects(withLines({}, [{ invoiceNo: '536002', invoiceDate: '2010-12-01 08:26' }]))).toMatch(/^invoices\.0\.invoiceDate: /);
    });

    it('rejects columns of different lengths and an invoice index out of range', () => {
      expect(rejects(withLines({ quantity: [6] }))).toBe('lines.quantity: has 1 elements for 2 lines');
      expect(event!.data.invoices).toHaveLength(2);
      expect(rejects(withLines({ invoice: [0, 2] }))).toBe('lines.invoice.1: must be an index into invoices (below 2)');
      expect(rejects(withLines({}, []))).toMatch(/^invoices: /);
    });

    it('rejects more lines than an event may carry', () => {
      const n = MAX_LINES_PER_EVENT + 1;
      const many = { lineIds: event!.data.lines.lineIds.slice(0, 64).repeat(n), invoice: new Array(n).fill(0), stockCode: new Array(n).fill('A'), description: new Array(n).fill(''), quantity: new Array(n).fill(1), unitPriceMilli: new Array(n).fill(1), country: new Array(n).fill(''), lineNumber: new Array(n).fill(null) };
      expect(rejects(withLines(many))).toMatch(new RegExp(`^lines\\.lineIds: at most ${MAX_LINES_PER_EVENT} lines per event`));
    });

    it('calls an older version on the topic the wrong version, not silently read', () => {
      const v1 = TransactionLineRecordedV1.create(flat(line('17850', 2)), meta);
      expect(TransactionLineRecordedV3.decode(JSON.stringify(v1))).toMatchObject({ ok: false, error: { code: 'WRONG_TYPE', reason: 'expected TransactionLineRecorded v3, got TransactionLineRecorded v1' } });
      expect(TransactionLineRecordedV3.decode(JSON.stringify(v2Event([line('17850', 2)])))).toMatchObject({ ok: false, error: { code: 'WRONG_TYPE' } });
    });
  });

  it('reads a v2 event as the v3 event it would have been: same envelope, same lines', () => {
    const batch = [line('17850', 2), line('17850', 3), { ...line('17850', 4), invoiceNo: '536002' }];
    const v2 = v2Event(batch);
    expect(TransactionLineRecordedV2.decode(JSON.stringify(v2))).toEqual({ ok: true, value: v2 });
    const v3 = upcastTransactionLinesV2(v2);
    const [published] = transactionLineEvents(batch, fromFile, { ...meta, eventId: v2.eventId, occurredAt: v2.occurredAt });
    expect(v3).toEqual(published);
    expect(TransactionLineRecordedV3.schema.safeParse(v3.data).success).toBe(true);
    expect(linesOf([v3])).toEqual(batch.map(flat));
  });

  it('reads a v1 event as a v3 event of one line: same envelope, same line record', () => {
    const original = flat(line('17850', 2));
    const v1 = TransactionLineRecordedV1.create(original, meta);
    const v3 = upcastTransactionLineV1(v1);
    expect(v3).toMatchObject({ ...v1, version: 3, data: { customerId: '17850', source: { kind: 'csv', importJobId: 'job-1' } } });
    // The upcast event is a valid v3 event, and flattens back to the v1 line exactly.
    expect(TransactionLineRecordedV3.schema.safeParse(v3.data).success).toBe(true);
    expect(linesOf([v3])).toEqual([original]);
  });

  it('lives on topics of its own, keyed by customer like v1 and v2', () => {
    expect(TransactionLineRecordedV3.topic).toBe(TOPICS.transactionLineV3);
    expect(LiveTransactionLineRecordedV3.topic).toBe(TOPICS.liveTransactionLineV3);
    expect(TOPICS.transactionLineV3).toMatchObject({ name: 'seg.ingest.transaction-line.v3', keyedBy: 'customer', partitions: TOPICS.transactionLineV1.partitions });
    expect(TOPICS.liveTransactionLineV3).toMatchObject({ name: 'seg.ingest.live-transaction-line.v3', keyedBy: 'customer', partitions: TOPICS.transactionLineV2.partitions });
  });

  it('live input (API and stream) goes on the live lane, CSV imports on the import lane', () => {
    expect(transactionLineContractOf('csv')).toBe(TransactionLineRecordedV3);
    expect(transactionLineContractOf('api')).toBe(LiveTransactionLineRecordedV3);
    expect(transactionLineContractOf('stream')).toBe(LiveTransactionLineRecordedV3);
  });
});

import { createHash } from 'node:crypto';
import {
  LiveTransactionLineRecordedV2,
  MAX_LINES_PER_EVENT,
  TOPICS,
  TransactionLineRecordedV1,
  TransactionLineRecordedV2,
  linesOf,
  transactionLineContractOf,
  transactionLineEvents,
  upcastTransactionLineV1,
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

describe('TransactionLineRecorded v2: one customer\'s lines per event', () => {
  it('groups a batch by customer in order of first appearance, keeps each customer\'s lines in order, and loses nothing', () => {
    const batch = [line('17850', 2), line('13047', 3), line('17850', 4), line('12583', 5), line('13047', 6), line('17850', 7)];
    const events = transactionLineEvents(batch, fromFile, meta);
    expect(events.map((e) => [e.data.customerId, e.data.lines.map((l) => l.lineNumber)])).toEqual([
      ['17850', [2, 4, 7]],
      ['13047', [3, 6]],
      ['12583', [5]],
    ]);
    expect(events.every((e) => e.type === 'TransactionLineRecorded' && e.version === 2 && e.correlationId === 'job-1')).toBe(true);
    expect(events.every((e) => JSON.stringify(e.data.source) === JSON.stringify(fromFile))).toBe(true);
    // The customer travels once per event, not on every line.
    expect(events.flatMap((e) => e.data.lines).some((l) => 'customerId' in l)).toBe(false);
    // Flattened back: the same records, grouped by customer.
    const byCustomer = (lines: readonly CustomerLine[]) => ['17850', '13047', '12583'].flatMap((c) => lines.filter((l) => l.customerId === c));
    expect(linesOf(events)).toEqual(byCustomer(batch).map(flat));
  });

  it('splits a customer\'s lines above the limit, in order', () => {
    const batch = [1, 2, 3, 4, 5].map((n) => line('17850', n));
    const events = transactionLineEvents(batch, fromFile, meta, 2);
    expect(events.map((e) => e.data.lines.map((l) => l.lineNumber))).toEqual([[1, 2], [3, 4], [5]]);
    expect(linesOf(events)).toEqual(batch.map(flat));
    expect(transactionLineEvents(batch, fromFile, meta)).toHaveLength(1);
  });

  it('decodes its own events and rejects a bad line naming where it is', () => {
    const [event] = transactionLineEvents([line('17850', 2), line('17850', 3)], fromFile, meta);
    const decoded = TransactionLineRecordedV2.decode(JSON.stringify(event));
    expect(decoded).toEqual({ ok: true, value: event });

    const bad = { ...event!, data: { ...event!.data, lines: [event!.data.lines[0], { ...event!.data.lines[1], lineId: 'ABC' }] } };
    expect(TransactionLineRecordedV2.decode(JSON.stringify(bad))).toEqual({
      ok: false,
      error: { code: 'BAD_PAYLOAD', reason: 'lines.1.lineId: lineId must be 64 lowercase hex characters' },
    });
    const empty = { ...event!, data: { ...event!.data, lines: [] } };
    expect(TransactionLineRecordedV2.decode(JSON.stringify(empty))).toMatchObject({ ok: false, error: { code: 'BAD_PAYLOAD', reason: expect.stringMatching(/^lines: /) } });
    const tooMany = { ...event!, data: { ...event!.data, lines: new Array(MAX_LINES_PER_EVENT + 1).fill(event!.data.lines[0]) } };
    expect(TransactionLineRecordedV2.decode(JSON.stringify(tooMany))).toMatchObject({ ok: false, error: { code: 'BAD_PAYLOAD' } });
    // A v1 event on the v2 topic is the wrong version, not silently read.
    const v1 = TransactionLineRecordedV1.create(flat(line('17850', 2)), meta);
    expect(TransactionLineRecordedV2.decode(JSON.stringify(v1))).toMatchObject({ ok: false, error: { code: 'WRONG_TYPE', reason: 'expected TransactionLineRecorded v2, got TransactionLineRecorded v1' } });
  });

  it('reads a v1 event as a v2 event of one line: same envelope, same line record', () => {
    const original = flat(line('17850', 2));
    const v1 = TransactionLineRecordedV1.create(original, meta);
    const v2 = upcastTransactionLineV1(v1);
    expect(v2).toEqual({
      ...v1,
      version: 2,
      data: {
        customerId: '17850',
        source: { kind: 'csv', importJobId: 'job-1' },
        lines: [{ ...Object.fromEntries(Object.entries(original).filter(([key]) => key !== 'customerId' && key !== 'source')), lineNumber: 2 }],
      },
    });
    // The upcast event is a valid v2 event, and flattens back to the v1 line exactly.
    expect(TransactionLineRecordedV2.schema.safeParse(v2.data).success).toBe(true);
    expect(linesOf([v2])).toEqual([original]);
  });

  it('lives on its own topic, keyed by customer like v1', () => {
    expect(TransactionLineRecordedV2.topic).toBe(TOPICS.transactionLineV2);
    expect(TOPICS.transactionLineV2).toMatchObject({ name: 'seg.ingest.transaction-line.v2', keyedBy: 'customer', partitions: TOPICS.transactionLineV1.partitions });
  });

  it('live input (API and stream) goes on the live lane, CSV imports on the import lane', () => {
    expect(transactionLineContractOf('csv')).toBe(TransactionLineRecordedV2);
    expect(transactionLineContractOf('api')).toBe(LiveTransactionLineRecordedV2);
    expect(transactionLineContractOf('stream')).toBe(LiveTransactionLineRecordedV2);
    expect(LiveTransactionLineRecordedV2.topic).toBe(TOPICS.liveTransactionLineV2);
  });
});

import { normaliseRow, resolveHeader, type RowRejection } from '@seg/domain-transactions';
import { importLines, type AttributedLine, type ImportCounters, type ImportPorts, type LineCounts, type SourceRecord } from './import-lines';

// The sample's header and first lines (data/sample/online_retail_2010-12_2011-02.csv.gz, lines
// 1..4 and 1445, the first line there without a customer id).
const HEADER = ['InvoiceNo', 'StockCode', 'Description', 'Quantity', 'InvoiceDate', 'UnitPrice', 'CustomerID', 'Country'];
const LINE_2 = ['536365', '85123A', 'WHITE HANGING HEART T-LIGHT HOLDER', '6', '2010-12-01 08:26:00', '2.55', '17850', 'United Kingdom'];
const LINE_3 = ['536365', '71053', 'WHITE METAL LANTERN', '6', '2010-12-01 08:26:00', '3.39', '17850', 'United Kingdom'];
const LINE_4 = ['536365', '84406B', 'CREAM CUPID HEARTS COAT HANGER', '8', '2010-12-01 08:26:00', '2.75', '17850', 'United Kingdom'];
const LINE_1445 = ['536544', '21773', 'DECORATIVE ROSE BATHROOM BOTTLE', '1', '2010-12-01 14:32:00', '2.51', '', 'United Kingdom'];

const header = (fields = HEADER): SourceRecord => ({ kind: 'header', fields });
const row = (fields: readonly string[], lineNumber: number): SourceRecord => ({ kind: 'row', fields, lineNumber, raw: fields.join(',') });
const unreadable = (lineNumber: number): SourceRecord => ({ kind: 'unreadable', lineNumber, reason: 'Invalid Opening Quote', raw: '536365,71053,WHITE "' });

async function* from(records: readonly SourceRecord[]): AsyncGenerator<SourceRecord> {
  for (const record of records) yield record;
}

type Call =
  | { port: 'publishLines'; jobId: string; lines: readonly AttributedLine[] }
  | { port: 'upsertCustomers'; lines: readonly AttributedLine[] }
  | { port: 'recordProgress'; jobId: string; rejections: readonly RowRejection[]; counters: ImportCounters };

const only = <P extends Call['port']>(calls: readonly Call[], port: P): Extract<Call, { port: P }>[] =>
  calls.filter((call): call is Extract<Call, { port: P }> => call.port === port);

/** In-memory ports that record every call in order. */
function memoryPorts(options: { bytes?: number; failPublish?: boolean } = {}) {
  const calls: Call[] = [];
  const ports: ImportPorts = {
    publishLines: async (jobId, lines) => {
      if (options.failPublish) throw new Error('broker unavailable');
      calls.push({ port: 'publishLines', jobId, lines: [...lines] });
    },
    upsertCustomers: async (lines) => {
      calls.push({ port: 'upsertCustomers', lines: [...lines] });
    },
    recordProgress: async (jobId, rejections, counters) => {
      // A snapshot: the use case keeps counting after the call.
      calls.push({ port: 'recordProgress', jobId, rejections: [...rejections], counters: { ...counters } });
    },
    bytesRead: () => options.bytes ?? 0,
  };
  return { ports, calls };
}

const columns = (() => {
  const resolved = resolveHeader(HEADER);
  if (!resolved.ok) throw new Error(resolved.error.message);
  return resolved.value;
})();
const normalised = (fields: readonly string[], lineNumber: number) => {
  const result = normaliseRow(fields, columns, lineNumber);
  if (!result.ok) throw new Error(result.error.reason);
  return result.value;
};

describe('importLines', () => {
  it('publishes attributed lines, counts lines without customer, keeps rejections with their line numbers', async () => {
    const badQuantity = LINE_2.map((f, i) => (i === 3 ? 'six' : f));
    const { ports, calls } = memoryPorts({ bytes: 1234 });
    const outcome = await importLines(
      'job-1',
      from([header(), row(LINE_2, 2), row(badQuantity, 3), unreadable(4), row(LINE_1445, 5), row(LINE_3, 6), row(LINE_4, 7)]),
      ports,
      100,
    );

    expect(outcome).toEqual({ ok: true, cancelled: false, counters: { linesRead: 6, accepted: 3, rejected: 2, withoutCustomer: 1, erased: 0, bytesRead: 1234 } });
    // One batch (batch size 100): publish, then the customer directory, then progress.
    expect(calls.map((c) => c.port)).toEqual(['publishLines', 'upsertCustomers', 'recordProgress']);
    const published = only(calls, 'publishLines')[0]!.lines;
    expect(published).toEqual([
      { ...normalised(LINE_2, 2), customerId: '17850', lineNumber: 2 },
      { ...normalised(LINE_3, 6), customerId: '17850', lineNumber: 6 },
      { ...normalised(LINE_4, 7), customerId: '17850', lineNumber: 7 },
    ]);
    expect(only(calls, 'upsertCustomers')[0]!.lines).toEqual(published);
    const progress = only(calls, 'recordProgress')[0]!;
    expect(progress.jobId).toBe('job-1');
    expect(progress.rejections).toEqual([
      { lineNumber: 3, code: 'BAD_QUANTITY', reason: 'Quantity "six" is not an integer', raw: badQuantity.join(','), customerId: '17850' },
      { lineNumber: 4, code: 'UNREADABLE_ROW', reason: 'Invalid Opening Quote', raw: '536365,71053,WHITE "', customerId: null },
    ]);
  });

  it('flushes every batchSize accepted lines, and progress never runs ahead of what was published', async () => {
    const lines = [LINE_2, LINE_3, LINE_4, LINE_2.map((f, i) => (i === 0 ? '536366' : f)), LINE_3.map((f, i) => (i === 0 ? '536366' : f))];
    const { ports, calls } = memoryPorts();
    const outcome = await importLines('job-2', from([header(), ...lines.map((fields, i) => row(fields, i + 2))]), ports, 2);

    expect(outcome.ok && outcome.counters.accepted).toBe(5);
    expect(calls.map((c) => c.port)).toEqual([
      'publishLines', 'upsertCustomers', 'recordProgress',
      'publishLines', 'upsertCustomers', 'recordProgress',
      'publishLines', 'upsertCustomers', 'recordProgress',
    ]);
    const batches = only(calls, 'publishLines').map((c) => c.lines.map((l) => l.lineNumber));
    expect(batches).toEqual([[2, 3], [4, 5], [6]]);
    const accepted = only(calls, 'recordProgress').map((c) => c.counters.accepted);
    expect(accepted).toEqual([2, 4, 5]);
  });

  it('flushes a batch of rejections even when nothing is accepted', async () => {
    const { ports, calls } = memoryPorts();
    await importLines('job-3', from([header(), unreadable(2), unreadable(3), unreadable(4)]), ports, 2);
    expect(calls.map((c) => c.port)).toEqual(['recordProgress', 'recordProgress']);
    const progress = only(calls, 'recordProgress');
    expect(progress.map((c) => c.rejections.map((r) => r.lineNumber))).toEqual([[2, 3], [4]]);
    expect(progress.map((c) => c.counters.rejected)).toEqual([2, 3]);
  });

  it('fails on a header without a required column before touching any port', async () => {
    const { ports, calls } = memoryPorts();
    const outcome = await importLines('job-4', from([header(HEADER.filter((c) => c !== 'Quantity')), row(LINE_2, 2)]), ports, 10);
    expect(outcome).toEqual({
      ok: false,
      error: { code: 'MISSING_COLUMN', column: 'Quantity', message: 'required column "Quantity" is missing' },
      counters: { linesRead: 0, accepted: 0, rejected: 0, withoutCustomer: 0, erased: 0, bytesRead: 0 },
    });
    expect(calls).toEqual([]);
  });

  it('reports an empty source as a failure', async () => {
    const { ports, calls } = memoryPorts();
    const outcome = await importLines('job-5', from([]), ports, 10);
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) expect(outcome.error.message).toBe('the file is empty: no header line');
    expect(calls).toEqual([]);
  });

  it('refuses a source that yields a row before its header', async () => {
    const { ports } = memoryPorts();
    await expect(importLines('job-6', from([row(LINE_2, 2)]), ports, 10)).rejects.toThrow('source yielded a row before its header');
  });

  it('does not record progress for a batch the broker did not take', async () => {
    const { ports, calls } = memoryPorts({ failPublish: true });
    await expect(importLines('job-7', from([header(), row(LINE_2, 2)]), ports, 10)).rejects.toThrow('broker unavailable');
    expect(calls).toEqual([]);
  });

  it('stops after the current batch when cancelled, keeping what it published', async () => {
    const { ports, calls } = memoryPorts();
    const cancel = new AbortController();
    // Batches of 2: the first flush carries lines 2 and 3; the abort comes while it is published.
    const publish = ports.publishLines;
    const cancelling: ImportPorts = { ...ports, publishLines: async (jobId, lines) => { await publish(jobId, lines); cancel.abort(); } };
    const outcome = await importLines('job-4', from([header(), row(LINE_2, 2), row(LINE_3, 3), row(LINE_4, 4)]), cancelling, 2, cancel.signal);
    expect(outcome).toEqual({ ok: true, cancelled: true, counters: { linesRead: 2, accepted: 2, rejected: 0, withoutCustomer: 0, erased: 0, bytesRead: 0 } });
    expect(only(calls, 'publishLines').map((c) => c.lines.map((l) => l.lineNumber))).toEqual([[2, 3]]);
  });

  it('tells the metrics port each flushed batch once, as counts since the previous batch', async () => {
    const { ports } = memoryPorts();
    const counted: LineCounts[] = [];
    const badQuantity = LINE_2.map((f, i) => (i === 3 ? 'six' : f));
    // Batches of 2 accepted lines: lines 2..5 (3 rejected, 4 without a customer), then line 6.
    const records = [header(), row(LINE_2, 2), row(badQuantity, 3), row(LINE_1445, 4), row(LINE_3, 5), row(LINE_4, 6)];
    const outcome = await importLines('job-8', from(records), { ...ports, countLines: (counts) => counted.push(counts) }, 2);
    expect(counted).toEqual([
      { read: 4, accepted: 2, rejected: 1, withoutCustomer: 1, erased: 0 },
      { read: 1, accepted: 1, rejected: 0, withoutCustomer: 0, erased: 0 },
    ]);
    const sum = (key: keyof LineCounts) => counted.reduce((total, c) => total + c[key], 0);
    expect(outcome.counters).toMatchObject({ linesRead: sum('read'), accepted: sum('accepted'), rejected: sum('rejected'), withoutCustomer: sum('withoutCustomer') });
  });
  it('reads and validates the next batch while the previous one is published, and sends batches in order', async () => {
    const { ports, calls } = memoryPorts();
    let rowsYielded = 0;
    let thirdRowRead: () => void = () => undefined;
    const third = new Promise<void>((resolve) => (thirdRowRead = resolve));
    async function* counting(): AsyncGenerator<SourceRecord> {
      yield header();
      for (const [i, fields] of [LINE_2, LINE_3, LINE_4].entries()) {
        yield row(fields, i + 2);
        if (++rowsYielded === 3) thirdRowRead();
      }
    }
    // The first batch (lines 2 and 3) is published only once the third row, of the next batch,
    // was read: without reading ahead this would never happen.
    const publish = ports.publishLines;
    let first = true;
    const overlapping: ImportPorts = {
      ...ports,
      publishLines: async (jobId, lines) => {
        if (first) {
          first = false;
          await Promise.race([third, new Promise((_, reject) => setTimeout(() => reject(new Error('the next batch was not read while this one was published')), 2_000))]);
        }
        await publish(jobId, lines);
      },
    };
    const outcome = await importLines('job-9', counting(), overlapping, 2);
    expect(outcome).toEqual({ ok: true, cancelled: false, counters: { linesRead: 3, accepted: 3, rejected: 0, withoutCustomer: 0, erased: 0, bytesRead: 0 } });
    expect(only(calls, 'publishLines').map((c) => c.lines.map((l) => l.lineNumber))).toEqual([[2, 3], [4]]);
    expect(calls.map((c) => c.port)).toEqual(['publishLines', 'upsertCustomers', 'recordProgress', 'publishLines', 'upsertCustomers', 'recordProgress']);
  });

  it('fails with the error of a batch that could not be published, and sends nothing after it', async () => {
    const { ports, calls } = memoryPorts();
    const failing: ImportPorts = {
      ...ports,
      publishLines: async (jobId, lines) => {
        if (lines[0]?.lineNumber === 2) throw new Error('broker unavailable');
        await ports.publishLines(jobId, lines);
      },
    };
    await expect(importLines('job-10', from([header(), row(LINE_2, 2), row(LINE_3, 3), row(LINE_4, 4), row(LINE_2.map((f, i) => (i === 0 ? '536366' : f)), 5)]), failing, 2)).rejects.toThrow('broker unavailable');
    expect(calls).toEqual([]);
  });
});

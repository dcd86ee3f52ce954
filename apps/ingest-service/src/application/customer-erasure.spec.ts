import { createHash } from 'node:crypto';
import { createLogger } from '@seg/platform-observability';
import { customerDigest, eraseCustomer, ErasedCustomers, publishPendingErasures, unreadableRowNames, type EraseCustomerPorts, type ErasureRequest } from './customer-erasure';
import { importLines, type AttributedLine, type ImportCounters, type ImportPorts, type KeptRejection, type SourceRecord } from './import-lines';
import { recordTransactions, type TransactionInput } from './record-transactions';

// Lines 1..3 and 11..12 of the bundled sample: customer 17850's first invoice, then 13047's.
const HEADER = ['InvoiceNo', 'StockCode', 'Description', 'Quantity', 'InvoiceDate', 'UnitPrice', 'CustomerID', 'Country'];
const LINE_2 = ['536365', '85123A', 'WHITE HANGING HEART T-LIGHT HOLDER', '6', '2010-12-01 08:26:00', '2.55', '17850', 'United Kingdom'];
const LINE_3 = ['536365', '71053', 'WHITE METAL LANTERN', '6', '2010-12-01 08:26:00', '3.39', '17850', 'United Kingdom'];
const LINE_11 = ['536367', '84879', 'ASSORTED COLOUR BIRD ORNAMENT', '32', '2010-12-01 08:34:00', '1.69', '13047', 'United Kingdom'];
const LINE_12 = ['536367', '22745', "POPPY'S PLAYHOUSE BEDROOM ", '6', '2010-12-01 08:34:00', '2.1', '13047', 'United Kingdom'];

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
const header: SourceRecord = { kind: 'header', fields: HEADER };
const row = (fields: readonly string[], lineNumber: number): SourceRecord => ({ kind: 'row', fields, lineNumber, raw: fields.join(',') });
async function* from(records: readonly SourceRecord[]): AsyncGenerator<SourceRecord> {
  for (const record of records) yield record;
}

/** Import ports that keep what was published and recorded. */
function memoryPorts(isErased: (customerId: string) => boolean) {
  const published: AttributedLine[] = [];
  const kept: KeptRejection[] = [];
  let counters: ImportCounters | undefined;
  const ports: ImportPorts = {
    publishLines: async (_jobId, lines) => void published.push(...lines),
    upsertCustomers: async () => undefined,
    recordProgress: async (_jobId, rejections, now) => {
      kept.push(...rejections);
      counters = { ...now };
    },
    bytesRead: () => 0,
    isErased,
  };
  return { ports, published, kept, counters: () => counters };
}

describe('ErasedCustomers', () => {
  it('knows an erased customer by the SHA-256 of the id, also after answering no for it before', () => {
    const erased = new ErasedCustomers();
    expect(erased.has('17850')).toBe(false);
    erased.add([sha256('13047')]);
    expect(erased.has('17850')).toBe(false);
    expect(customerDigest('17850')).toBe(sha256('17850'));
    erased.add([customerDigest('17850')]);
    expect(erased.has('17850')).toBe(true);
    expect(erased.has('13047')).toBe(true);
    expect(erased.has('178500')).toBe(false);
    expect(erased.size).toBe(2);
  });
});

describe('unreadableRowNames', () => {
  it('finds the id as a whole field, quoted, padded or as 17850.0, and not inside another field', () => {
    const is17850 = (id: string) => id === '17850';
    expect(unreadableRowNames('536365,71053,WHITE "METAL LANTERN,6,2010-12-01 08:26:00,3.39,17850,United Kingdom', is17850)).toBe(true);
    expect(unreadableRowNames('536365,71053,"WHITE "METAL,6,12/1/2010 8:26,3.39," 17850.0 ",United Kingdom', is17850)).toBe(true);
    expect(unreadableRowNames('536365,71053,WHITE "METAL LANTERN,6,2010-12-01 08:26:00,3.39,178500,United Kingdom', is17850)).toBe(false);
    expect(unreadableRowNames('536365,71053,WHITE "17850 LANTERN,6', is17850)).toBe(false);
  });
});

describe('eraseCustomer', () => {
  const logger = createLogger('customer-erasure-spec', 'silent');
  function ports(options: { failPublish?: boolean } = {}) {
    const calls: string[] = [];
    const recorded: ErasureRequest[] = [];
    const erased = new ErasedCustomers();
    const value: EraseCustomerPorts = {
      record: async (request) => {
        // The customer's lines must already be refused while the rows are deleted.
        calls.push(`record erased=${erased.has(request.customerId)}`);
        recorded.push(request);
        return { customers: 1, rejectedRows: 0 };
      },
      publish: async (request) => {
        calls.push(`publish ${request.customerId}`);
        if (options.failPublish) throw new Error('broker unavailable');
      },
      markPublished: async (digest) => void calls.push(`published ${digest === sha256('17850')}`),
      pending: async () => recorded,
      erased,
      logger,
    };
    return { ports: value, calls, recorded };
  }

  it('refuses an empty or too long id with INVALID, touching nothing', async () => {
    for (const id of ['', '   ', 'x'.repeat(65)]) {
      const { ports: p, calls } = ports();
      const payload = await eraseCustomer(id, 'admin', 'c-1', p);
      expect(payload).toEqual({ customerId: null, requested: false, userErrors: [expect.objectContaining({ field: ['id'], code: 'INVALID' })] });
      expect(calls).toEqual([]);
    }
  });

  it('normalises the id as imports do, records digest, time and role, then publishes and forgets the id', async () => {
    const { ports: p, calls, recorded } = ports();
    const payload = await eraseCustomer(' 17850.0 ', 'admin', 'c-2', p, new Date('2011-03-01T10:00:00.000Z'));
    expect(payload).toEqual({ customerId: '17850', requested: true, userErrors: [] });
    expect(recorded).toEqual([{ customerId: '17850', digest: sha256('17850'), requestedAt: '2011-03-01T10:00:00.000Z', requestedBy: 'admin' }]);
    expect(calls).toEqual(['record erased=true', 'publish 17850', 'published true']);
  });

  it('keeps a request whose event could not be published pending, and sends it later', async () => {
    const failing = ports({ failPublish: true });
    expect(await eraseCustomer('17850', 'admin', 'c-3', failing.ports)).toMatchObject({ customerId: '17850', requested: true });
    expect(failing.calls).toEqual(['record erased=true', 'publish 17850']);
    const later = ports();
    later.recorded.push(...failing.recorded);
    expect(await publishPendingErasures(later.ports)).toBe(1);
    expect(later.calls).toEqual(['publish 17850', 'published true']);
  });
});

describe('importLines with erased customers', () => {
  const erased = new ErasedCustomers();
  erased.add([customerDigest('17850')]);

  it('drops and counts every line of an erased customer: valid, rejected and unreadable', async () => {
    const badQuantity = LINE_3.map((f, i) => (i === 3 ? 'six' : f));
    const records: SourceRecord[] = [
      header,
      row(LINE_2, 2),
      row(LINE_11, 3),
      row(badQuantity, 4),
      { kind: 'unreadable', lineNumber: 5, reason: 'Invalid Opening Quote', raw: '536365,71053,WHITE "METAL,6,2010-12-01 08:26:00,3.39,17850,United Kingdom' },
      row(LINE_12.map((f, i) => (i === 3 ? 'six' : f)), 6),
      row(LINE_3, 7),
    ];
    const memory = memoryPorts((id) => erased.has(id));
    const outcome = await importLines('job-1', from(records), memory.ports, 100);
    expect(outcome).toMatchObject({ ok: true, counters: { linesRead: 6, accepted: 1, rejected: 1, withoutCustomer: 0, erased: 4 } });
    expect(memory.published.map((line) => line.lineNumber)).toEqual([3]);
    // Only the other customer's bad row is kept, with its customer.
    expect(memory.kept.map((r) => [r.lineNumber, r.customerId])).toEqual([[6, '13047']]);
    expect(memory.counters()?.erased).toBe(4);
  });

  it('drops the lines of a customer erased while the import runs, those already read in the batch included', async () => {
    const later = new ErasedCustomers();
    const memory = memoryPorts((id) => later.has(id));
    const records = (async function* () {
      yield header;
      yield row(LINE_2, 2);
      yield row(LINE_11, 3);
      later.add([customerDigest('17850')]); // the erasure arrives mid-batch
      yield row(LINE_3, 4);
    })();
    const outcome = await importLines('job-2', records, memory.ports, 100);
    expect(outcome).toMatchObject({ ok: true, counters: { linesRead: 3, accepted: 1, erased: 2 } });
    expect(memory.published.map((line) => line.customerId)).toEqual(['13047']);
  });
});

describe('recordTransactions with erased customers', () => {
  it('drops an erased customer\'s lines, valid or not, without a user error (nothing to dead-letter)', async () => {
    const erased = new ErasedCustomers();
    erased.add([customerDigest('17850')]);
    const published: AttributedLine[] = [];
    const input = (fields: readonly string[]): TransactionInput => ({
      invoiceNo: fields[0]!,
      stockCode: fields[1]!,
      description: fields[2]!,
      quantity: Number(fields[3]),
      invoiceDate: fields[4]!,
      unitPrice: fields[5]!,
      customerId: fields[6]!,
      country: fields[7]!,
    });
    const result = await recordTransactions([input(LINE_2), { ...input(LINE_3), invoiceDate: 'yesterday' }, input(LINE_11)], 'c-4', {
      publishLines: async (_c, lines) => void published.push(...lines),
      upsertCustomers: async () => undefined,
      isErased: (id) => erased.has(id),
    });
    expect(result).toMatchObject({ accepted: 1, erased: 2, userErrors: [] });
    expect(published.map((line) => line.customerId)).toEqual(['13047']);
  });
});

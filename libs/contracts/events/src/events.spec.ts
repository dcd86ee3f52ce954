import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  parseMessage,
  ALL_TOPICS,
  CustomerErasureRequestedV1,
  CustomerMetricsChangedV1,
  CustomerSegmentAssignedV1,
  ImportLinesEndedV1,
  ImportMetricsEndedV1,
  LiveCustomerMetricsChangedV1,
  ImportLinesEndedOnV2LinesV1,
  LiveTransactionLineRecordedV2,
  LiveTransactionLineRecordedV3,
  MessageDeadLetteredV1,
  SegmentationModelTrainedV1,
  TOPICS,
  TransactionLineRecordedV1,
  TransactionLineRecordedV2,
  TransactionLineRecordedV3,
  RawTransactionSubmittedV1,
  transactionLineEvents,
  type CustomerMetricsData,
  type CustomerSegmentAssignedData,
  type EventContract,
  type SegmentationModelData,
  type TransactionLineData,
} from './index';

// The first line of data/sample/online_retail_2010-12_2011-02.csv.gz:
// 536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,2010-12-01 08:26:00,2.55,17850,United Kingdom
// Its id is recomputed here the way the transactions domain defines it (sha-256 of the fields
// joined with U+001F), so the fixture does not carry a pasted hash.
const firstSampleFields = ['536365', '85123A', 'WHITE HANGING HEART T-LIGHT HOLDER', '6', '2010-12-01T08:26:00Z', '2550', '17850', 'United Kingdom'];
const line: TransactionLineData = {
  lineId: createHash('sha256').update(firstSampleFields.join('\u001f'), 'utf8').digest('hex'),
  invoiceNo: '536365',
  stockCode: '85123A',
  description: 'WHITE HANGING HEART T-LIGHT HOLDER',
  quantity: 6,
  invoiceDate: '2010-12-01T08:26:00Z',
  unitPriceMilli: 2550,
  customerId: '17850',
  country: 'United Kingdom',
  source: { kind: 'csv', importJobId: null, lineNumber: 2 },
};

// The same line in a v2 event: the customer and the source once per event.
const { customerId: _customer, source: _source, ...lineFields } = line;

/** The same line in a v3 event's data (built by the producers' own encoder, which the transaction-lines spec checks column by column). */
const v3Data = (source: { kind: 'csv' | 'api' | 'stream'; importJobId: null }, lineNumber: number | null) =>
  transactionLineEvents([{ ...lineFields, customerId: line.customerId, lineNumber }], source, meta)[0]!.data;

// Customer 17850 over the sample's first two invoices, as the rfm service would publish it:
// 536365 (7 lines: 15.30 + 20.34 + 22.00 + 20.34 + 20.34 + 15.30 + 25.50 = 139.12) and
// 536366 (2 lines: 11.10 + 11.10 = 22.20), so 161.32 in total.
const metrics: CustomerMetricsData = {
  customerId: '17850',
  country: 'United Kingdom',
  firstPurchaseAt: '2010-12-01T08:26:00Z',
  lastPurchaseAt: '2010-12-01T08:28:00Z',
  frequency: 2,
  monetaryMilli: 161_320,
  cancelledMilli: 0,
  asOf: '2010-12-02T08:28:00Z',
};

const model: SegmentationModelData = {
  modelVersion: 3,
  trainedAt: '2024-01-01T00:00:00.000Z',
  asOf: '2011-03-01T17:00:00Z',
  k: 2,
  features: ['recency_days', 'frequency', 'monetary'],
  inertia: 12.5,
  population: {
    customers: 3,
    revenueMilli: 900_000,
    medians: { recencyDays: 10, frequency: 2, monetary: 300 },
    cutPoints: { recency: [1, 2, 3, 4], frequency: [1, 1, 2, 3], monetary: [10, 20, 30, 40] },
  },
  clusters: [
    { cluster: 0, size: 2, revenueMilli: 600_000, centroid: { recencyDays: 5, frequency: 3, monetary: 300 }, medians: { recencyDays: 5, frequency: 3, monetary: 300 }, topCountries: [{ country: 'United Kingdom', customers: 2 }] },
    { cluster: 1, size: 1, revenueMilli: 300_000, centroid: { recencyDays: 80, frequency: 1, monetary: 300 }, medians: { recencyDays: 80, frequency: 1, monetary: 300 }, topCountries: [{ country: 'France', customers: 1 }] },
  ],
};

const assignment: CustomerSegmentAssignedData = { customerId: '17850', modelVersion: 3, cluster: 1, previousCluster: 0, distance: 0.75, reason: 'placement' };

const deadLetter = {
  topic: 'seg.rfm.customer-metrics-changed.v1',
  partition: 2,
  offset: '41',
  key: '17850',
  valueBase64: Buffer.from('not json').toString('base64'),
  consumerGroup: 'clustering-service',
  code: 'NOT_JSON',
  reason: 'value is not JSON',
};

const meta = { correlationId: 'job-1', producer: 'test' };

// The sample's first line as a shop would send it live.
const rawTransaction = {
  invoiceNo: '536365',
  stockCode: '85123A',
  description: 'WHITE HANGING HEART T-LIGHT HOLDER',
  quantity: 6,
  invoiceDate: '2010-12-01 08:26:00',
  unitPrice: '2.55',
  customerId: '17850',
  country: 'United Kingdom',
};

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const cases: [string, EventContract<string, number, any>, unknown][] = [
  ['RawTransactionSubmittedV1', RawTransactionSubmittedV1, rawTransaction],
  ['TransactionLineRecordedV1', TransactionLineRecordedV1, line],
  ['TransactionLineRecordedV2', TransactionLineRecordedV2, { customerId: line.customerId, source: { kind: 'csv', importJobId: null }, lines: [{ ...lineFields, lineNumber: 2 }] }],
  ['LiveTransactionLineRecordedV2', LiveTransactionLineRecordedV2, { customerId: line.customerId, source: { kind: 'api', importJobId: null }, lines: [{ ...lineFields, lineNumber: null }] }],
  ['TransactionLineRecordedV3', TransactionLineRecordedV3, v3Data({ kind: 'csv', importJobId: null }, 2)],
  ['LiveTransactionLineRecordedV3', LiveTransactionLineRecordedV3, v3Data({ kind: 'api', importJobId: null }, null)],
  ['CustomerMetricsChangedV1', CustomerMetricsChangedV1, metrics],
  ['CustomerMetricsChangedV1 with a revision', CustomerMetricsChangedV1, { ...metrics, revision: 7 }],
  ['LiveCustomerMetricsChangedV1', LiveCustomerMetricsChangedV1, { ...metrics, revision: 8 }],
  ['SegmentationModelTrainedV1', SegmentationModelTrainedV1, model],
  ['CustomerSegmentAssignedV1', CustomerSegmentAssignedV1, assignment],
  ['CustomerErasureRequestedV1', CustomerErasureRequestedV1, { customerId: '17850', requestedAt: '2026-11-25T10:00:00.000Z', requestedBy: 'admin' }],
  ['MessageDeadLetteredV1', MessageDeadLetteredV1, deadLetter],
  ['ImportLinesEndedV1', ImportLinesEndedV1, { importJobId: '3527ae74-e5d5-4f59-bee1-62467677773a', partition: 5, partitions: 6 }],
  ['ImportLinesEndedOnV2LinesV1', ImportLinesEndedOnV2LinesV1, { importJobId: '3527ae74-e5d5-4f59-bee1-62467677773a', partition: 5, partitions: 6 }],
  ['ImportMetricsEndedV1', ImportMetricsEndedV1, { importJobId: '3527ae74-e5d5-4f59-bee1-62467677773a', linePartition: 0, linePartitions: 6, partition: 5, partitions: 6, changed: true }],
];

/** Markers punctuate another contract's stream, on its topic. */
const MARKERS: readonly EventContract<string, number, unknown>[] = [ImportLinesEndedV1, ImportLinesEndedOnV2LinesV1, ImportMetricsEndedV1];

describe.each(cases)('%s', (_name, contract, data) => {
  it('creates an envelope that decodes back to the same event, from text and from bytes', () => {
    const event = contract.create(data, meta);
    expect(event).toMatchObject({ type: contract.type, version: contract.version, correlationId: 'job-1', producer: 'test', data });
    expect(event.eventId).toMatch(/^[0-9a-f-]{36}$/);
    expect(Number.isNaN(Date.parse(event.occurredAt))).toBe(false);
    const text = JSON.stringify(event);
    expect(contract.decode(text)).toEqual({ ok: true, value: event });
    expect(contract.decode(Buffer.from(text, 'utf8'))).toEqual({ ok: true, value: event });
  });

  it('keeps a given event id and time', () => {
    const event = contract.create(data, { ...meta, eventId: 'evt-1', occurredAt: '2011-01-01T00:00:00.000Z' });
    expect(event.eventId).toBe('evt-1');
    expect(event.occurredAt).toBe('2011-01-01T00:00:00.000Z');
  });

  it('rejects a missing value and text that is not JSON', () => {
    expect(contract.decode(null)).toEqual({ ok: false, error: { code: 'NOT_JSON', reason: 'message has no value' } });
    const decoded = contract.decode(Buffer.from('{"type": broken'));
    expect(decoded.ok).toBe(false);
    if (!decoded.ok) {
      expect(decoded.error.code).toBe('NOT_JSON');
      expect(decoded.error.reason).toMatch(/^value is not JSON: /);
    }
  });

  it('rejects an envelope without its header fields, naming the field', () => {
    const { eventId: _eventId, ...withoutId } = contract.create(data, meta);
    const decoded = contract.decode(JSON.stringify(withoutId));
    expect(decoded).toEqual({ ok: false, error: { code: 'BAD_ENVELOPE', reason: expect.stringMatching(/^eventId: /) } });
    const badTime = contract.decode(JSON.stringify({ ...contract.create(data, meta), occurredAt: 'yesterday' }));
    expect(badTime).toEqual({ ok: false, error: { code: 'BAD_ENVELOPE', reason: expect.stringMatching(/^occurredAt: /) } });
    expect(contract.decode('[]')).toEqual({ ok: false, error: { code: 'BAD_ENVELOPE', reason: expect.stringMatching(/^\(root\): /) } });
  });

  it('rejects another type or another version of the event', () => {
    const event = contract.create(data, meta);
    expect(contract.decode(JSON.stringify({ ...event, type: 'SomethingElse' }))).toEqual({
      ok: false,
      error: { code: 'WRONG_TYPE', reason: `expected ${contract.type} v${contract.version}, got SomethingElse v${contract.version}` },
    });
    expect(contract.decode(JSON.stringify({ ...event, version: contract.version + 1 }))).toEqual({
      ok: false,
      error: { code: 'WRONG_TYPE', reason: `expected ${contract.type} v${contract.version}, got ${contract.type} v${contract.version + 1}` },
    });
  });

  it('rejects an empty payload', () => {
    const decoded = contract.decode(JSON.stringify({ ...contract.create(data, meta), data: {} }));
    expect(decoded.ok).toBe(false);
    if (!decoded.ok) expect(decoded.error.code).toBe('BAD_PAYLOAD');
  });

  it('decodes a message parsed once (parseMessage, decodeParsed) exactly as from its bytes', () => {
    const event = contract.create(data, meta);
    const texts = [
      JSON.stringify(event),
      JSON.stringify({ ...event, type: 'SomethingElse' }),
      JSON.stringify({ ...event, occurredAt: 'yesterday' }),
      JSON.stringify({ ...event, data: {} }),
    ];
    for (const text of texts) {
      const parsed = parseMessage(Buffer.from(text, 'utf8'));
      expect(parsed).toEqual({ ok: true, value: JSON.parse(text) });
      if (parsed.ok) expect(contract.decodeParsed(parsed.value)).toEqual(contract.decode(text));
    }
    expect(parseMessage(null)).toEqual(contract.decode(null));
    expect(parseMessage('{"type": broken')).toEqual(contract.decode('{"type": broken'));
  });
});

describe('payload validation names the bad field', () => {
  const reasonOf = <D>(contract: EventContract<string, number, D>, data: unknown): string => {
    const decoded = contract.decode(JSON.stringify(contract.create(data as D, meta)));
    if (decoded.ok) throw new Error('expected a decode failure');
    expect(decoded.error.code).toBe('BAD_PAYLOAD');
    return decoded.error.reason;
  };

  it('transaction line: line id, quantity, date, nested source kind', () => {
    expect(reasonOf(TransactionLineRecordedV1, { ...line, lineId: 'ABC' })).toBe('lineId: lineId must be 64 lowercase hex characters');
    expect(reasonOf(TransactionLineRecordedV1, { ...line, quantity: 1.5 })).toMatch(/^quantity: /);
    expect(reasonOf(TransactionLineRecordedV1, { ...line, invoiceDate: '2010-12-01 08:26:00' })).toMatch(/^invoiceDate: /);
    expect(reasonOf(TransactionLineRecordedV1, { ...line, source: { ...line.source, kind: 'ftp' } })).toMatch(/^source\.kind: /);
    expect(reasonOf(TransactionLineRecordedV1, { ...line, customerId: '' })).toMatch(/^customerId: /);
  });

  it('customer metrics: the revision, when there is one, is a positive integer', () => {
    expect(reasonOf(CustomerMetricsChangedV1, { ...metrics, revision: 0 })).toMatch(/^revision: /);
    expect(reasonOf(CustomerMetricsChangedV1, { ...metrics, revision: 1.5 })).toMatch(/^revision: /);
    expect(reasonOf(CustomerMetricsChangedV1, { ...metrics, revision: '3' })).toMatch(/^revision: /);
  });

  it('customer metrics: frequency must be a positive integer, money integer milli', () => {
    expect(reasonOf(CustomerMetricsChangedV1, { ...metrics, frequency: 0 })).toMatch(/^frequency: /);
    expect(reasonOf(CustomerMetricsChangedV1, { ...metrics, monetaryMilli: 161.32 })).toMatch(/^monetaryMilli: /);
    const { asOf: _asOf, ...withoutAsOf } = metrics;
    expect(reasonOf(CustomerMetricsChangedV1, withoutAsOf)).toMatch(/^asOf: /);
  });

  it('segmentation model: cut-points are four numbers, clusters carry their index', () => {
    const threeCuts = { ...model.population.cutPoints, recency: [1, 2, 3] };
    expect(reasonOf(SegmentationModelTrainedV1, { ...model, population: { ...model.population, cutPoints: threeCuts } })).toMatch(
      /^population\.cutPoints\.recency/,
    );
    const badCluster = [{ ...model.clusters[0], cluster: -1 }];
    expect(reasonOf(SegmentationModelTrainedV1, { ...model, clusters: badCluster })).toMatch(/^clusters\.0\.cluster: /);
  });

  it('assignment: reason is training or placement, distance not negative', () => {
    expect(reasonOf(CustomerSegmentAssignedV1, { ...assignment, reason: 'manual' })).toMatch(/^reason: /);
    expect(reasonOf(CustomerSegmentAssignedV1, { ...assignment, distance: -0.1 })).toMatch(/^distance: /);
  });

  it('dead letter: the offset is a string (Kafka offsets exceed 2^53)', () => {
    expect(reasonOf(MessageDeadLetteredV1, { ...deadLetter, offset: 41 })).toMatch(/^offset: /);
    expect(reasonOf(CustomerErasureRequestedV1, { customerId: '', requestedAt: '2026-11-25T10:00:00.000Z', requestedBy: 'admin' })).toMatch(/^customerId: /);
  });

  it('lists several problems, separated by semicolons', () => {
    const reason = reasonOf(CustomerSegmentAssignedV1, { ...assignment, cluster: 'x', modelVersion: 0 });
    expect(reason.split('; ').map((part) => part.split(':')[0]).sort()).toEqual(['cluster', 'modelVersion']);
  });
});

describe('CustomerMetricsChanged revision', () => {
  it('round-trips a revision', () => {
    const event = CustomerMetricsChangedV1.create({ ...metrics, revision: 12 }, meta);
    const decoded = CustomerMetricsChangedV1.decode(JSON.stringify(event));
    expect(decoded).toEqual({ ok: true, value: event });
    if (decoded.ok) expect(decoded.value.data.revision).toBe(12);
  });

  it('decodes an event published before revisions existed, without one', () => {
    // As an older rfm service wrote it: the fields of the time, no revision key at all.
    const text = JSON.stringify({ type: 'CustomerMetricsChanged', version: 1, eventId: 'evt-old', occurredAt: '2011-01-01T00:00:00.000Z', correlationId: 'job-0', producer: 'rfm-service', data: metrics });
    expect(text).not.toContain('revision');
    const decoded = CustomerMetricsChangedV1.decode(text);
    expect(decoded).toEqual({ ok: true, value: expect.objectContaining({ eventId: 'evt-old', data: metrics }) });
    if (decoded.ok) expect('revision' in decoded.value.data).toBe(false);
  });
});

describe('import markers', () => {
  const reasonOf = <D>(contract: EventContract<string, number, D>, data: D): string => {
    const decoded = contract.decode(JSON.stringify(contract.create(data, meta)));
    if (decoded.ok) throw new Error('expected a decode failure');
    return `${decoded.error.code}: ${decoded.error.reason}`;
  };

  it('name a partition below the count they give', () => {
    expect(reasonOf(ImportLinesEndedV1, { importJobId: 'job', partition: 6, partitions: 6 })).toBe('BAD_PAYLOAD: partition: partition must be below partitions');
    expect(reasonOf(ImportLinesEndedV1, { importJobId: 'job', partition: -1, partitions: 6 })).toMatch(/^BAD_PAYLOAD: partition: /);
    expect(reasonOf(ImportMetricsEndedV1, { importJobId: 'job', linePartition: 6, linePartitions: 6, partition: 0, partitions: 6, changed: true })).toMatch(/^BAD_PAYLOAD: .*below their counts/);
    expect(reasonOf(ImportMetricsEndedV1, { importJobId: 'job', linePartition: 0, linePartitions: 6, partition: 0, partitions: 0, changed: true })).toMatch(/^BAD_PAYLOAD: partitions: /);
    expect(reasonOf(ImportMetricsEndedV1, { importJobId: 'job', linePartition: 0, linePartitions: 6, partition: 0, partitions: 6 } as never)).toMatch(/^BAD_PAYLOAD: changed: /);
  });

  it('are not lines, nor metric changes: the stream\'s own contract refuses them as another type', () => {
    const lines = ImportLinesEndedV1.create({ importJobId: 'job', partition: 0, partitions: 6 }, meta);
    expect(TransactionLineRecordedV3.decode(JSON.stringify(lines))).toEqual({ ok: false, error: { code: 'WRONG_TYPE', reason: 'expected TransactionLineRecorded v3, got ImportLinesEnded v1' } });
    const metricsEnded = ImportMetricsEndedV1.create({ importJobId: 'job', linePartition: 0, linePartitions: 6, partition: 1, partitions: 6, changed: false }, meta);
    expect(CustomerMetricsChangedV1.decode(JSON.stringify(metricsEnded))).toMatchObject({ ok: false, error: { code: 'WRONG_TYPE' } });
  });
});

describe('live transaction lines', () => {
  it('are the same event as imported lines, on a topic of their own: either contract decodes the other\'s message', () => {
    expect(LiveTransactionLineRecordedV2).toMatchObject({ type: TransactionLineRecordedV2.type, version: TransactionLineRecordedV2.version, schema: TransactionLineRecordedV2.schema });
    expect(LiveTransactionLineRecordedV2.topic).toBe(TOPICS.liveTransactionLineV2);
    expect(TOPICS.liveTransactionLineV2).toMatchObject({ name: 'seg.ingest.live-transaction-line.v2', keyedBy: 'customer', partitions: TOPICS.transactionLineV2.partitions });
    expect(LiveTransactionLineRecordedV2.topic.name).not.toBe(TransactionLineRecordedV2.topic.name);
    const event = LiveTransactionLineRecordedV2.create({ customerId: line.customerId, source: { kind: 'stream', importJobId: null }, lines: [{ ...lineFields, lineNumber: null }] }, meta);
    expect(TransactionLineRecordedV2.decode(JSON.stringify(event))).toEqual({ ok: true, value: event });
    expect(LiveTransactionLineRecordedV2.decode(JSON.stringify(event))).toEqual({ ok: true, value: event });
    // And in v3, on v3 topics of their own.
    expect(LiveTransactionLineRecordedV3).toMatchObject({ type: TransactionLineRecordedV3.type, version: 3, schema: TransactionLineRecordedV3.schema });
    expect(TOPICS.liveTransactionLineV3.name).toBe('seg.ingest.live-transaction-line.v3');
    const v3 = LiveTransactionLineRecordedV3.create(v3Data({ kind: 'stream', importJobId: null }, null), meta);
    expect(TransactionLineRecordedV3.decode(JSON.stringify(v3))).toEqual({ ok: true, value: v3 });
  });
});

describe('live metric changes', () => {
  it('are the same event as the import lane\'s, on a topic of their own: either contract decodes the other\'s message', () => {
    expect(LiveCustomerMetricsChangedV1).toMatchObject({ type: CustomerMetricsChangedV1.type, version: CustomerMetricsChangedV1.version, schema: CustomerMetricsChangedV1.schema });
    expect(TOPICS.liveCustomerMetricsChangedV1).toMatchObject({ name: 'seg.rfm.live-customer-metrics-changed.v1', keyedBy: 'customer', partitions: TOPICS.customerMetricsChangedV1.partitions });
    const event = LiveCustomerMetricsChangedV1.create({ ...metrics, revision: 2 }, meta);
    expect(CustomerMetricsChangedV1.decode(JSON.stringify(event))).toEqual({ ok: true, value: event });
    expect(LiveCustomerMetricsChangedV1.decode(JSON.stringify(event))).toEqual({ ok: true, value: event });
  });
});

describe('topics', () => {
  it('one topic per contract, named after its type version; markers go on the topic of the stream they punctuate', () => {
    const contracts = [...new Set(cases.map(([, contract]) => contract))].filter((contract) => !MARKERS.includes(contract));
    expect(ImportLinesEndedV1.topic).toBe(TransactionLineRecordedV3.topic);
    expect(ImportLinesEndedOnV2LinesV1.topic).toBe(TransactionLineRecordedV2.topic);
    expect(ImportMetricsEndedV1.topic).toBe(CustomerMetricsChangedV1.topic);
    expect(new Set(contracts.map((c) => c.topic.name)).size).toBe(contracts.length);
    for (const contract of contracts) expect(contract.topic.name).toMatch(new RegExp(`\\.v${contract.version}$`));
    expect(ALL_TOPICS.map((t) => t.name).sort()).toEqual(contracts.map((c) => c.topic.name).sort());
  });

  it('are the topics the Docker setup creates, with the same partitions', () => {
    // docker/kafka/create-topics.sh: one "name partitions" line per topic between its TOPICS markers.
    const script = readFileSync(join(__dirname, '..', '..', '..', '..', 'docker', 'kafka', 'create-topics.sh'), 'utf8');
    const listed = /<<TOPICS\n([\s\S]*?)\nTOPICS/.exec(script)?.[1]?.split('\n').map((l) => l.trim()).filter(Boolean);
    expect(listed?.sort()).toEqual(ALL_TOPICS.map((t) => `${t.name} ${t.partitions}`).sort());
  });

  it('customer-keyed topics have several partitions; model and dead-letter topics keep one order', () => {
    for (const topic of ALL_TOPICS) {
      if (topic.keyedBy === 'customer') expect(topic.partitions).toBeGreaterThan(1);
      else expect(topic.partitions).toBe(1);
    }
    expect(TOPICS.transactionLineV1.keyedBy).toBe('customer');
  });
});

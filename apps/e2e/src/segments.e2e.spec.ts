import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { makeTransactionLine, roundMilliToCents } from '@seg/domain-transactions';
import { analysisDate, recencyDays } from '@seg/domain-rfm';
import { Kafka, logLevel } from 'kafkajs';
import { LiveTransactionLineRecordedV3, MessageDeadLetteredV1, RawTransactionSubmittedV1, TransactionLineRecordedV1, transactionLineEvents, type MessageDeadLettered } from '@seg/contracts-events';
import { WORKSPACE_ROOT, waitFor } from '@seg/testing';
import { graphql, startPlatform, type RunningPlatform } from './platform';
import { expectedFromCsv } from './expected';

// The first 6,000 lines of the bundled sample (real UCI Online Retail lines, December 2010).
const SAMPLE = join(WORKSPACE_ROOT, 'data', 'sample', 'online_retail_2010-12_2011-02.csv.gz');
const sampleText = gunzipSync(readFileSync(SAMPLE)).toString('utf8');
const sampleLines = sampleText.split('\n').slice(0, 6_001);
const csv = `${sampleLines.join('\n')}\n`;

/** Expected metrics, computed in memory by the domain library from the same file (the services use SQL). */

describe('the platform end to end, through the gateway', () => {
  let platform: RunningPlatform;
  const expected = expectedFromCsv(csv);

  beforeAll(async () => {
    // A quiet period no test waits for: after an import, the model comes from the import's end
    // (ImportLinesEnded, passed on by rfm as ImportMetricsEnded), and from nothing else.
    platform = await startPlatform(4600, { SEG_TRAIN_QUIET_MS: '600000' });
    writeFileSync(join(platform.importDir, 'december.csv'), csv);
    writeFileSync(join(platform.importDir, 'no-price.csv'), 'InvoiceNo,StockCode,Description,Quantity,InvoiceDate,CustomerID,Country\n536365,85123A,X,6,2010-12-01 08:26:00,17850,United Kingdom\n');
  });
  afterAll(async () => {
    await platform?.stop();
  });

  it('refuses requests without credentials', async () => {
    const response = await graphql(platform.gatewayUrl, null, '{ segments { name } }');
    expect(response.status).toBe(401);
    expect(response.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(response.data).toBeUndefined();
  });

  it('refuses a direct call to a subgraph that bypasses the gateway', async () => {
    const response = await graphql(platform.subgraphUrls.profiling, null, '{ segments { name } }', {}, { 'x-seg-role': 'admin' });
    expect(response.status).toBe(401);
    expect(response.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('lets only an admin start an import', async () => {
    const response = await graphql<{ startImport: unknown }>(platform.gatewayUrl, platform.keys.viewer, 'mutation($p: String!) { startImport(path: $p) { job { id } } }', {
      p: join(platform.importDir, 'december.csv'),
    });
    expect(response.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('fails an import whose file lacks a required column, naming the column', async () => {
    const response = await graphql<{ startImport: { job: { status: string; error: string } | null; userErrors: { code: string; message: string }[] } }>(
      platform.gatewayUrl,
      platform.keys.admin,
      'mutation($p: String!) { startImport(path: $p) { job { status error } userErrors { code message } } }',
      { p: join(platform.importDir, 'no-price.csv') },
    );
    expect(response.data?.startImport.userErrors[0]?.code).toBe('MISSING_COLUMN');
    expect(response.data?.startImport.userErrors[0]?.message).toMatch(/UnitPrice/);
    expect(response.data?.startImport.job?.status).toBe('FAILED');
  });

  it('imports a CSV and serves segments and one customer with RFM, segment and coupon', async () => {
    const started = await graphql<{ startImport: { job: { id: string } | null; userErrors: unknown[] } }>(
      platform.gatewayUrl,
      platform.keys.admin,
      'mutation($p: String!) { startImport(path: $p) { job { id } userErrors { code message } } }',
      { p: join(platform.importDir, 'december.csv') },
    );
    expect(started.data?.startImport.userErrors).toEqual([]);
    const jobId = started.data?.startImport.job?.id as string;

    type Job = { status: string; linesRead: number; accepted: number; rejected: number; withoutCustomer: number };
    const job = await waitFor('the import to finish', async () => {
      const r = await graphql<{ importJob: Job }>(platform.gatewayUrl, platform.keys.viewer, 'query($id: ID!) { importJob(id: $id) { status linesRead accepted rejected withoutCustomer } }', { id: jobId });
      return r.data?.importJob.status === 'RUNNING' ? undefined : r.data?.importJob;
    });
    expect(job).toEqual({
      status: 'COMPLETED',
      linesRead: 6_000,
      accepted: expected.lines.filter((l) => l.customerId !== null).length,
      rejected: 6_000 - expected.lines.length,
      withoutCustomer: expected.lines.filter((l) => l.customerId === null).length,
    });

    // Nobody asks for a training run: the import's end brings one model, over every customer.
    type Segments = { rfmSummary: { customers: number }; segments: { name: string; size: number; revenueShare: number; coupon: { offer: string } }[] };
    const result = await waitFor(
      'every customer to be segmented',
      async () => {
        const r = await graphql<Segments>(platform.gatewayUrl, platform.keys.viewer, '{ rfmSummary { customers } segments { name size revenueShare coupon { offer } } }');
        const segmented = r.data?.segments.reduce((sum, s) => sum + s.size, 0);
        return r.data && r.data.rfmSummary.customers === expected.customers.length && segmented === expected.customers.length ? r.data : undefined;
      },
      120_000,
      500,
    );
    expect(result.segments).toHaveLength(4);
    expect(new Set(result.segments.map((s) => s.name)).size).toBe(4);
    const models = await graphql<{ segmentationModels: { version: number; customers: number }[] }>(platform.gatewayUrl, platform.keys.viewer, '{ segmentationModels { version customers } }');
    expect(models.data?.segmentationModels).toEqual([{ version: 1, customers: expected.customers.length }]);
    // Trained for the import's end, as clustering counts it.
    const clusteringMetrics = await (await fetch(platform.subgraphUrls.clustering.replace(/\/graphql$/, '/metrics'))).text();
    expect(clusteringMetrics).toMatch(/^seg_clustering_training_seconds_count\{[^}]*trigger="import"[^}]*\} 1$/m);
    expect(clusteringMetrics).toMatch(/^seg_clustering_imports_applied_total\{[^}]*changed="true"[^}]*\} 1$/m);
    expect(result.segments.reduce((sum, s) => sum + s.revenueShare, 0)).toBeCloseTo(1, 6);

    // The customer with the most purchase invoices in this slice.
    const top = [...expected.customers].sort((a, b) => b.frequency - a.frequency || a.customerId.localeCompare(b.customerId))[0];
    if (!top) throw new Error('the slice has no customers');
    const asOf = analysisDate(expected.customers.map((c) => c.lastPurchaseAt));
    type CustomerAnswer = {
      customer: {
        id: string;
        country: string;
        rfm: { recencyDays: number; frequency: number; monetary: number };
        segment: { name: string; coupon: { offer: string } } | null;
        couponRecommendations: { segmentName: string; coupon: { offer: string }; holdout: boolean }[];
      };
    };
    // Segment sizes come with the model event; each customer's assignment comes with its own
    // event on another topic, so it may arrive a moment later, and a retrain right after the first
    // model (metrics still arriving) may have replaced the segments meanwhile: wait until the
    // customer is in a segment of the current model.
    let current: string[] = [];
    const answer = await waitFor('the customer\'s segment assignment under the current model', async () => {
      const r = await graphql<CustomerAnswer & { segments: { name: string }[] }>(
        platform.gatewayUrl,
        platform.keys.viewer,
        'query($id: ID!) { segments { name } customer(id: $id) { id country rfm { recencyDays frequency monetary } segment { name coupon { offer } } couponRecommendations { segmentName coupon { offer } holdout } } }',
        { id: top.customerId },
      );
      current = r.data?.segments.map((segment) => segment.name) ?? [];
      const name = r.data?.customer.segment?.name;
      return name !== undefined && current.includes(name) ? r : undefined;
    });
    expect(answer.errors).toBeUndefined();
    const customer = answer.data?.customer;
    expect(customer?.country).toBe(top.country);
    expect(customer?.rfm).toEqual({ recencyDays: recencyDays(asOf, top.lastPurchaseAt), frequency: top.frequency, monetary: roundMilliToCents(top.monetaryMilli) / 100 });
    expect(current).toContain(customer?.segment?.name);
    expect(customer?.couponRecommendations).toHaveLength(1);
    expect(customer?.couponRecommendations[0]?.segmentName).toBe(customer?.segment?.name);
    expect(customer?.couponRecommendations[0]?.coupon.offer).toBe(customer?.segment?.coupon.offer);
  });

  it('serves Prometheus metrics: the rfm service handled every line the import accepted', async () => {
    // Between the import above and the live lines below: the file's accepted lines are all the
    // transaction lines published so far.
    const accepted = expected.lines.filter((l) => l.customerId !== null).length;
    const scrape = async (service: 'ingest' | 'rfm'): Promise<string> => {
      const response = await fetch(platform.subgraphUrls[service].replace(/\/graphql$/, '/metrics'));
      expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
      return response.text();
    };
    // The sum of a metric's series whose labels match (one series per topic, or per partition for the lag).
    const total = (text: string, name: string, labels: RegExp): number =>
      text
        .split('\n')
        .filter((line) => line.startsWith(`${name}{`) && labels.test(line))
        .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
    const lineTopic = /topic="[^"]*seg\.ingest\.transaction-line\.v3"/;

    const ingest = await scrape('ingest');
    expect(total(ingest, 'seg_ingest_lines_read_total', /source="csv"/)).toBe(6_000);
    expect(total(ingest, 'seg_ingest_lines_accepted_total', /source="csv"/)).toBe(accepted);
    // One event per customer of each batch: fewer events than lines, at least one per customer.
    const published = total(ingest, 'seg_kafka_events_published_total', lineTopic);
    expect(published).toBeGreaterThanOrEqual(expected.customers.length);
    expect(published).toBeLessThan(accepted);

    // Delivery is at least once: a batch retried after a failure or replayed after a rebalance is
    // handled, and counted, again. So the handled counts are at least the published ones (exactly
    // those in a run without failures), and the lag of every partition drops to zero.
    const rfm = await waitFor('the rfm service to handle every accepted line', async () => {
      const text = await scrape('rfm');
      return total(text, 'seg_kafka_events_handled_total', lineTopic) >= published && total(text, 'seg_kafka_consumer_lag', lineTopic) === 0 ? text : undefined;
    });
    expect(total(rfm, 'seg_kafka_events_handled_total', lineTopic)).toBeGreaterThanOrEqual(published);
    expect(total(rfm, 'seg_rfm_lines_received_total', /service="rfm-service"/)).toBeGreaterThanOrEqual(accepted);
    // Stored once each: a line that occurs twice in the file has one identity (product.md), and a
    // batch handled again stores nothing new.
    const distinct = new Set(expected.lines.filter((l) => l.customerId !== null).map((l) => l.lineId)).size;
    expect(distinct).toBeLessThan(accepted);
    expect(total(rfm, 'seg_rfm_lines_stored_total', /service="rfm-service"/)).toBe(distinct);
    expect(total(rfm, 'seg_kafka_dead_letters_total', lineTopic)).toBe(0);
    expect(total(rfm, 'seg_rfm_customers_recomputed_total', /service="rfm-service"/)).toBeGreaterThanOrEqual(expected.customers.length);
  });

  it('records a live transaction once, however often it is sent, and rejects a bad line by name', async () => {
    const customerId = expected.customers[0]?.customerId as string;
    const rfmOf = async () =>
      (await graphql<{ customer: { rfm: { frequency: number; monetary: number; lastPurchaseAt: string } } }>(platform.gatewayUrl, platform.keys.viewer, 'query($id: ID!) { customer(id: $id) { rfm { frequency monetary lastPurchaseAt } } }', { id: customerId })).data?.customer.rfm;
    const before = await rfmOf();
    if (!before) throw new Error(`customer ${customerId} has no RFM values yet`);
    const clusterOf = async () =>
      (await graphql<{ customer: { cluster: { modelVersion: number; distance: number } | null } }>(platform.gatewayUrl, platform.keys.viewer, 'query($id: ID!) { customer(id: $id) { cluster { modelVersion distance } } }', { id: customerId })).data?.customer.cluster;
    const placedBefore = await clusterOf();
    const mutation = 'mutation($lines: [TransactionInput!]!) { recordTransactions(lines: $lines) { accepted lineIds userErrors { field code message } } }';
    // A new invoice one day after the slice ends: 3 x 2.55 = 7.65 more spend, one more invoice.
    const line = { invoiceNo: '999001', stockCode: '85123A', description: 'WHITE HANGING HEART T-LIGHT HOLDER', quantity: 3, invoiceDate: '2010-12-31 10:00:00', unitPrice: '2.55', customerId, country: 'United Kingdom' };
    const bad = { ...line, invoiceNo: '999002', quantity: 1, invoiceDate: 'yesterday' };

    const viewerTry = await graphql(platform.gatewayUrl, platform.keys.viewer, mutation, { lines: [line] });
    expect(viewerTry.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    const first = await graphql<{ recordTransactions: { accepted: number; lineIds: string[]; userErrors: { field: string[]; code: string }[] } }>(platform.gatewayUrl, platform.keys.admin, mutation, { lines: [line, bad] });
    expect(first.data?.recordTransactions.accepted).toBe(1);
    expect(first.data?.recordTransactions.userErrors).toEqual([expect.objectContaining({ field: ['lines', '1'], code: 'BAD_DATE' })]);

    const after = await waitFor('the new line to reach the rfm service', async () => {
      const rfm = await rfmOf();
      return rfm && rfm.frequency === before.frequency + 1 ? rfm : undefined;
    });
    expect(after.monetary).toBeCloseTo(before.monetary + 7.65, 2);
    expect(after.lastPurchaseAt).toBe('2010-12-31T10:00:00Z');
    // Clustering placed the customer again with the new values (a new distance to the centroid).
    await waitFor('the customer placed again', async () => {
      const placed = await clusterOf();
      return placed && (placed.modelVersion !== placedBefore?.modelVersion || placed.distance !== placedBefore?.distance) ? true : undefined;
    });

    // The same line again: same identity, so nothing changes.
    const again = await graphql<{ recordTransactions: { lineIds: string[] } }>(platform.gatewayUrl, platform.keys.admin, mutation, { lines: [line] });
    expect(again.data?.recordTransactions.lineIds).toEqual(first.data?.recordTransactions.lineIds);
    const marker = { ...line, invoiceNo: '999003', customerId: expected.customers[1]?.customerId as string };
    await graphql(platform.gatewayUrl, platform.keys.admin, mutation, { lines: [marker] });
    // Lines of one customer stay in order on one partition, but the marker may travel on another:
    // wait until the marker's customer has moved, then check the first customer did not.
    await waitFor('the marker line', async () => {
      const r = await graphql<{ customer: { rfm: { lastPurchaseAt: string } } }>(platform.gatewayUrl, platform.keys.viewer, 'query($id: ID!) { customer(id: $id) { rfm { lastPurchaseAt } } }', { id: marker.customerId });
      return r.data?.customer.rfm.lastPurchaseAt === '2010-12-31T10:00:00Z' ? true : undefined;
    });
    await new Promise((r) => setTimeout(r, 1_000));
    expect(await rfmOf()).toEqual(after);

    // The API's lines travel on the live lane, which the rfm service reads with a consumer group of its own.
    const rfmMetrics = await (await fetch(platform.subgraphUrls.rfm.replace(/\/graphql$/, '/metrics'))).text();
    expect(rfmMetrics).toMatch(/^seg_kafka_events_handled_total\{[^}]*topic="[^"]*seg\.ingest\.live-transaction-line\.v3"[^}]*\} [1-9]/m);
    expect(rfmMetrics).toMatch(/^seg_kafka_consumer_running\{[^}]*group="[^"]*-rfm-live"[^}]*\} 1$/m);
    // Its metric change travels on the live lane's metrics topic, which clustering and profiling
    // read with consumer groups of their own.
    for (const service of ['clustering', 'profiling'] as const) {
      const metrics = await waitFor(`${service} to handle the live metric change`, async () => {
        const text = await (await fetch(platform.subgraphUrls[service].replace(/\/graphql$/, '/metrics'))).text();
        return /^seg_kafka_events_handled_total\{[^}]*topic="[^"]*seg\.rfm\.live-customer-metrics-changed\.v1"[^}]*\} [1-9]/m.test(text) ? text : undefined;
      });
      expect(metrics).toMatch(new RegExp(`^seg_kafka_consumer_running\\{[^}]*group="[^"]*-${service}-live"[^}]*\\} 1$`, 'm'));
    }
  });

  it('reads lines still published as v1 events (one line each) through the upcaster, and counts a line sent both ways once', async () => {
    const customerId = expected.customers[3]?.customerId as string;
    const rfmOf = async () =>
      (await graphql<{ customer: { rfm: { frequency: number; monetary: number } } }>(platform.gatewayUrl, platform.keys.viewer, 'query($id: ID!) { customer(id: $id) { rfm { frequency monetary } } }', { id: customerId })).data?.customer.rfm;
    const before = await rfmOf();
    if (!before) throw new Error(`customer ${customerId} has no RFM values yet`);
    // A new invoice of two lines (2 x 2.55 + 1 x 12.75 = 17.85): the first as a v1 event, then
    // both in one v3 event, as an ingest upgraded in between would replay them (streamed lines: on
    // the live lane, which the rfm service reads with a consumer of its own).
    const meta = { correlationId: 'e2e-upcast', producer: 'e2e' };
    const first = makeTransactionLine({ invoiceNo: '999201', stockCode: '85123A', description: 'WHITE HANGING HEART T-LIGHT HOLDER', quantity: 2, invoiceDate: '2010-12-30T11:00:00Z', unitPriceMilli: 2_550, customerId, country: 'United Kingdom' });
    const { lineId: _firstId, ...firstFields } = first;
    const second = makeTransactionLine({ ...firstFields, stockCode: '22423', description: 'REGENCY CAKESTAND 3 TIER', quantity: 1, unitPriceMilli: 12_750 });
    const asData = (line: typeof first) => ({ ...line, customerId, source: { kind: 'stream' as const, importJobId: null, lineNumber: null } });
    const kafka = new Kafka({ clientId: 'e2e-upcast', brokers: [...platform.kafka.brokers], logLevel: logLevel.NOTHING });
    const producer = kafka.producer();
    try {
      await producer.connect();
      await producer.send({ topic: platform.kafka.topicPrefix + TransactionLineRecordedV1.topic.name, messages: [{ key: customerId, value: JSON.stringify(TransactionLineRecordedV1.create(asData(first), meta)) }] });
      const afterV1 = await waitFor('the v1 line in the customer\'s RFM', async () => {
        const rfm = await rfmOf();
        return rfm && rfm.frequency === before.frequency + 1 ? rfm : undefined;
      });
      expect(afterV1.monetary).toBeCloseTo(before.monetary + 5.1, 2);
      const [both] = transactionLineEvents([{ ...first, customerId, lineNumber: null }, { ...second, customerId, lineNumber: null }], { kind: 'stream', importJobId: null }, meta);
      await producer.send({ topic: platform.kafka.topicPrefix + LiveTransactionLineRecordedV3.topic.name, messages: [{ key: customerId, value: JSON.stringify(both) }] });
      const afterV3 = await waitFor('the second line of the invoice', async () => {
        const rfm = await rfmOf();
        return rfm && rfm.monetary > afterV1.monetary ? rfm : undefined;
      });
      // Same invoice: frequency unchanged; only the second line's amount added.
      expect(afterV3).toEqual({ frequency: before.frequency + 1, monetary: expect.closeTo(before.monetary + 17.85, 2) });
    } finally {
      await producer.disconnect();
    }
  });

  it('takes a shop\'s live transactions from Kafka and dead-letters a line it cannot accept, with the reason', async () => {
    const customerId = expected.customers[2]?.customerId as string;
    const rfmOf = async () =>
      (await graphql<{ customer: { rfm: { frequency: number } } }>(platform.gatewayUrl, platform.keys.viewer, 'query($id: ID!) { customer(id: $id) { rfm { frequency } } }', { id: customerId })).data?.customer.rfm;
    const before = await rfmOf();
    if (!before) throw new Error(`customer ${customerId} has no RFM values yet`);
    const kafka = new Kafka({ clientId: 'e2e-shop', brokers: [...platform.kafka.brokers], logLevel: logLevel.NOTHING });
    const producer = kafka.producer();
    const consumer = kafka.consumer({ groupId: `e2e-dead-letters-${Date.now()}` });
    try {
      await producer.connect();
      const good = RawTransactionSubmittedV1.create(
        { invoiceNo: '999101', stockCode: '22423', description: 'REGENCY CAKESTAND 3 TIER', quantity: 1, invoiceDate: '2010-12-30 09:00:00', unitPrice: '12.75', customerId, country: 'United Kingdom' },
        { correlationId: 'shop-stream-1', producer: 'e2e-shop' },
      );
      const bad = RawTransactionSubmittedV1.create({ ...good.data, invoiceNo: '999102', unitPrice: 'twelve' }, { correlationId: 'shop-stream-1', producer: 'e2e-shop' });
      await producer.send({
        topic: platform.kafka.topicPrefix + RawTransactionSubmittedV1.topic.name,
        messages: [good, bad].map((event) => ({ key: customerId, value: JSON.stringify(event) })),
      });
      await waitFor('the live line in the customer\'s RFM', async () => ((await rfmOf())?.frequency === before.frequency + 1 ? true : undefined));

      await consumer.connect();
      await consumer.subscribe({ topic: platform.kafka.topicPrefix + MessageDeadLetteredV1.topic.name, fromBeginning: true });
      const letters: MessageDeadLettered[] = [];
      await consumer.run({
        eachMessage: async ({ message }) => {
          const decoded = MessageDeadLetteredV1.decode(message.value);
          if (decoded.ok) letters.push(decoded.value);
        },
      });
      const letter = await waitFor('the dead letter', async () => letters.find((l) => l.data.topic.endsWith(RawTransactionSubmittedV1.topic.name)));
      expect(letter.data).toMatchObject({ code: 'BAD_PRICE', consumerGroup: expect.stringContaining('ingest'), key: customerId });
      expect(letter.data.reason).toMatch(/twelve/);
      // The original message is kept whole for inspection.
      expect(JSON.parse(Buffer.from(letter.data.valueBase64 ?? '', 'base64').toString('utf8')).eventId).toBe(bad.eventId);
    } finally {
      await consumer.disconnect();
      await producer.disconnect();
    }
  });

  it('answers an unknown customer with null and no error', async () => {
    const response = await graphql<{ customer: null }>(platform.gatewayUrl, platform.keys.viewer, '{ customer(id: "no-such-customer") { id rfm { frequency } } }');
    expect(response.errors).toBeUndefined();
    expect(response.data?.customer).toBeNull();
  });
});

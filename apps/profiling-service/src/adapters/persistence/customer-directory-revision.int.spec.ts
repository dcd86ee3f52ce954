// The customer directory keeps the newest snapshot of each customer (real MariaDB, profiling
// migrations): rfm publishes CustomerMetricsChanged from two lanes, so an older snapshot (a lower
// revision) can arrive late, and even with a later occurredAt; it must not overwrite a newer one.
import type { DataSource } from 'typeorm';
import { CustomerMetricsChangedV1, type CustomerMetricsChanged, type CustomerMetricsData } from '@seg/contracts-events';
import type { CustomerMetrics } from '@seg/domain-rfm';
import { createLogger } from '@seg/platform-observability';
import { type TestDatabase, createMigratedTestDatabase, closeTestDatabase } from '@seg/testing';
import { migrations } from '../../migrations';
import { CustomerDirectoryRepository } from './customer-directory.repository';

/** A builder: customer `id`'s aggregates, with whole seconds and exact milli amounts. */
function metrics(id: string, revision: number | undefined, overrides: Partial<CustomerMetricsData> = {}): CustomerMetricsData {
  return {
    customerId: id,
    country: 'United Kingdom',
    firstPurchaseAt: '2010-12-01T08:26:00Z',
    lastPurchaseAt: '2011-02-10T12:00:00Z',
    frequency: 3,
    monetaryMilli: 120_500,
    cancelledMilli: 0,
    asOf: '2011-03-01T17:00:00Z',
    ...(revision === undefined ? {} : { revision }),
    ...overrides,
  };
}

const event = (data: CustomerMetricsData, occurredAt: string): CustomerMetricsChanged =>
  CustomerMetricsChangedV1.create(data, { correlationId: 'directory-revision-int-spec', producer: 'rfm-service', occurredAt });

/** The aggregates as the directory gives them back. */
const asMetrics = ({ asOf: _asOf, revision: _revision, ...m }: CustomerMetricsData): CustomerMetrics => m;

describe('CustomerDirectoryRepository keeps the newest revision (real MariaDB)', () => {
  const logger = createLogger('customer-directory-revision-int-spec', 'silent');
  let database: TestDatabase;
  let dataSource: DataSource;
  let directory: CustomerDirectoryRepository;

  /** The stored row of a customer: its aggregates, revision, changed_at and updated_at. */
  const stored = async (id: string) => {
    const metrics = (await directory.allMetrics()).find((m) => m.customerId === id);
    const rows: { revision: number | string; changed_at: Date; updated_at: Date }[] = await dataSource.query(
      'SELECT revision, changed_at, updated_at FROM customer_directory WHERE customer_id = ?',
      [id],
    );
    const row = rows[0];
    return { metrics, revision: row === undefined ? undefined : Number(row.revision), changedAt: row?.changed_at.toISOString(), updatedAt: row?.updated_at.toISOString() };
  };

  beforeAll(async () => {
    ({ database, dataSource } = await createMigratedTestDatabase('profiling', migrations, logger));
    directory = new CustomerDirectoryRepository(dataSource);
  }, 30_000);

  afterAll(() => closeTestDatabase(dataSource, database));

  it('keeps revision 3 when revision 2 arrives late, even published later (the other lane)', async () => {
    const newer = metrics('late-1', 3, { frequency: 9, monetaryMilli: 900_000, lastPurchaseAt: '2011-02-20T09:00:00Z', country: 'Spain' });
    const older = metrics('late-1', 2, { frequency: 8, monetaryMilli: 800_000, lastPurchaseAt: '2011-02-15T09:00:00Z' });
    await directory.saveMetrics([event(newer, '2011-03-02T10:00:00.000Z')]);
    const before = await stored('late-1');
    expect(before).toMatchObject({ metrics: asMetrics(newer), revision: 3, changedAt: '2011-03-02T10:00:00.000Z' });
    await new Promise((r) => setTimeout(r, 20));

    // Older by its revision, later by its occurredAt: the revision decides. Another customer's change in the batch goes in.
    const other = metrics('late-2', 1);
    await directory.saveMetrics([event(older, '2011-03-02T10:00:05.000Z'), event(other, '2011-03-02T10:00:05.000Z')]);
    expect(await stored('late-1')).toEqual(before);
    expect((await stored('late-2')).metrics).toEqual(asMetrics(other));
  });

  it('changes nothing when the same event comes twice (a replay)', async () => {
    const same = event(metrics('replay-1', 5, { frequency: 6 }), '2011-03-02T11:00:00.000Z');
    await directory.saveMetrics([same]);
    const before = await stored('replay-1');
    const fingerprint = await directory.fingerprint();
    await new Promise((r) => setTimeout(r, 20));
    await directory.saveMetrics([same]);
    expect(await stored('replay-1')).toEqual(before);
    expect(await directory.fingerprint()).toBe(fingerprint);
    expect(before).toMatchObject({ metrics: asMetrics(same.data), revision: 5 });
  });

  it('applies an event without revision to a new customer and to a row without one, and drops it on a row with a revision', async () => {
    const first = metrics('legacy-1', undefined, { frequency: 1, monetaryMilli: 10_000 });
    await directory.saveMetrics([event(first, '2011-03-02T12:00:00.000Z')]);
    expect(await stored('legacy-1')).toMatchObject({ metrics: asMetrics(first), revision: 0 });

    // Both published before rfm had revisions: applied as before revisions existed (by occurredAt).
    const second = metrics('legacy-1', undefined, { frequency: 2, monetaryMilli: 20_000 });
    await directory.saveMetrics([event(second, '2011-03-02T12:00:01.000Z')]);
    expect(await stored('legacy-1')).toMatchObject({ metrics: asMetrics(second), revision: 0 });
    await directory.saveMetrics([event(first, '2011-03-02T12:00:00.000Z')]);
    expect(await stored('legacy-1')).toMatchObject({ metrics: asMetrics(second), revision: 0 });

    // The first event with a revision replaces a row without one (even with an earlier occurredAt).
    const revised = metrics('legacy-1', 1, { frequency: 3, monetaryMilli: 30_000 });
    await directory.saveMetrics([event(revised, '2011-03-02T11:59:00.000Z')]);
    expect(await stored('legacy-1')).toMatchObject({ metrics: asMetrics(revised), revision: 1, changedAt: '2011-03-02T11:59:00.000Z' });

    // From then on an event without revision is older than the row, whatever its occurredAt: dropped.
    const before = await stored('legacy-1');
    await new Promise((r) => setTimeout(r, 20));
    const stale = metrics('legacy-1', undefined, { frequency: 4, monetaryMilli: 40_000 });
    await directory.saveMetrics([event(stale, '2011-03-02T13:00:00.000Z')]);
    expect(await stored('legacy-1')).toEqual(before);
  });

  it('keeps revision 3 of one batch holding revisions 2 and 3 of a customer, in either order', async () => {
    const r2 = (id: string) => event(metrics(id, 2, { frequency: 2, monetaryMilli: 22_000, country: 'France' }), '2011-03-02T14:00:01.000Z');
    const r3 = (id: string) => event(metrics(id, 3, { frequency: 3, monetaryMilli: 33_000, country: 'Germany' }), '2011-03-02T14:00:00.000Z');
    // Revision 2 carries the later occurredAt in both batches: the revision decides.
    await directory.saveMetrics([r2('batch-up'), r3('batch-up')]);
    await directory.saveMetrics([r3('batch-down'), r2('batch-down')]);
    expect(await stored('batch-up')).toMatchObject({ metrics: asMetrics(r3('batch-up').data), revision: 3 });
    expect(await stored('batch-down')).toMatchObject({ metrics: asMetrics(r3('batch-down').data), revision: 3 });

    // An event without revision in the batch, published after the one with a revision: the revision wins.
    const revised = metrics('batch-legacy', 2, { frequency: 5 });
    await directory.saveMetrics([event(revised, '2011-03-02T15:00:00.000Z'), event(metrics('batch-legacy', undefined, { frequency: 7 }), '2011-03-02T15:00:01.000Z')]);
    expect(await stored('batch-legacy')).toMatchObject({ metrics: asMetrics(revised), revision: 2 });

    // And the batch's revisions against a stored higher one: both dropped.
    const stored4 = metrics('batch-stored', 4, { frequency: 4 });
    await directory.saveMetrics([event(stored4, '2011-03-02T16:00:00.000Z')]);
    await directory.saveMetrics([event(metrics('batch-stored', 3), '2011-03-02T16:00:01.000Z'), event(metrics('batch-stored', 2), '2011-03-02T16:00:02.000Z')]);
    expect(await stored('batch-stored')).toMatchObject({ metrics: asMetrics(stored4), revision: 4 });
  });
});

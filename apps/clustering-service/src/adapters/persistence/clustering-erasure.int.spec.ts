// Erasing customers in the clustering service's database (real MariaDB, clustering migrations), with
// real sample customers and a real trained model: features, assignments and projection points go;
// metric events, placements and models that arrive after the erasure do not bring them back.
import type { DataSource } from 'typeorm';
import { analysisDate, type CustomerMetrics } from '@seg/domain-rfm';
import { createLogger } from '@seg/platform-observability';
import { type TestDatabase, createMigratedTestDatabase, closeTestDatabase } from '@seg/testing';
import { migrations } from '../../migrations';
import { FEATURES, trainModel } from '../../application/train-model';
import { ClusteringRepository, type StoredModel } from './clustering.repository';
import { sampleCustomers } from '../../testing/sample-customers';


describe('ClusteringRepository.eraseCustomers (real MariaDB)', () => {
  const logger = createLogger('clustering-erasure-int-spec', 'silent');
  const customers = sampleCustomers(8);
  const asOf = analysisDate(customers.map((c) => c.lastPurchaseAt));
  const asEvent = (m: CustomerMetrics) => ({ ...m, asOf });
  let database: TestDatabase;
  let dataSource: DataSource;
  let repository: ClusteringRepository;
  let model: StoredModel;
  let erased: string[];

  const count = async (table: 'customer_features' | 'customer_assignments', ids: readonly string[]): Promise<number> => {
    const rows: { n: number | string }[] = await dataSource.query(`SELECT COUNT(*) AS n FROM ${table} WHERE customer_id IN (${ids.map(() => '?').join(',')})`, [...ids]);
    return Number(rows[0]?.n);
  };
  const projected = (m: StoredModel | null): string[] => (m?.metrics?.projection?.points ?? []).map((p) => p.customerId);

  beforeAll(async () => {
    ({ database, dataSource } = await createMigratedTestDatabase('clustering', migrations, logger));
    repository = new ClusteringRepository(dataSource);
    await repository.upsertFeatures(customers.map(asEvent));
    model = await repository.saveModel(trainModel(customers, { k: 4, seed: 42, restarts: 2 }), FEATURES, '2011-03-01T10:00:00.000Z');
    // Two customers shown on the model's projection.
    erased = projected(model).slice(0, 2);
  }, 60_000);

  afterAll(() => closeTestDatabase(dataSource, database));

  it('deletes features and assignments, takes the customers off every stored projection, and leaves the rest', async () => {
    expect(erased).toHaveLength(2);
    expect(await count('customer_assignments', erased)).toBe(2);
    const before = { features: await repository.allFeatures(), assignments: await repository.assignmentsOf(customers.map((c) => c.customerId)) };

    expect(await repository.eraseCustomers(erased)).toEqual({ features: 2, assignments: 2, models: 1 });
    expect(await count('customer_features', erased)).toBe(0);
    expect(await count('customer_assignments', erased)).toBe(0);
    expect(await repository.allFeatures()).toEqual(before.features.filter((f) => !erased.includes(f.customerId)));
    const after = await repository.assignmentsOf(customers.map((c) => c.customerId));
    expect([...after.values()]).toEqual([...before.assignments.values()].filter((a) => !erased.includes(a.customerId)));

    const stored = await repository.model(model.version);
    expect(projected(stored)).toEqual(projected(model).filter((id) => !erased.includes(id)));
    // The rest of the model (an aggregate trained before the erasure) stays as it was.
    expect({ ...stored, metrics: { ...stored?.metrics, projection: null } }).toEqual({ ...model, metrics: { ...model.metrics, projection: null } });
  });

  it('counts the erasures as changes since the model, so that a retraining drops them from its aggregates', async () => {
    // The model is dated 2011, so every stored feature row counts as changed since; the erasures add theirs.
    expect(await repository.countChangedSince(model.trainedAt)).toBe((await repository.countFeatures()) + erased.length);
    expect(await repository.countChangedSince(new Date(Date.now() + 60_000).toISOString())).toBe(0);
  });

  it('is harmless to repeat (a replayed event)', async () => {
    expect(await repository.eraseCustomers(erased)).toEqual({ features: 0, assignments: 0, models: 0 });
  });

  it('drops later metric events and placements of the erased customers', async () => {
    const late = customers.filter((c) => erased.includes(c.customerId));
    const other = customers.find((c) => !erased.includes(c.customerId))!;
    const upserted = await repository.upsertFeatures([...late, other].map(asEvent));
    expect(upserted.map((c) => c.customerId)).toEqual([other.customerId]);
    await repository.saveAssignments(late.map((c) => ({ customerId: c.customerId, modelVersion: model.version, cluster: 0, distance: 1 })));
    expect(await count('customer_features', erased)).toBe(0);
    expect(await count('customer_assignments', erased)).toBe(0);
  });

  it('stores a model trained before the erasure without the erased customers\' assignments and points', async () => {
    const trainedBefore = trainModel(customers, { k: 4, seed: 7, restarts: 2 });
    expect(trainedBefore.assignments.filter((a) => erased.includes(a.customerId))).toHaveLength(2);
    const stored = await repository.saveModel(trainedBefore, FEATURES, '2011-03-02T10:00:00.000Z');
    expect(projected(stored).some((id) => erased.includes(id))).toBe(false);
    expect(projected(stored)).toHaveLength(Math.min(customers.length, 2_000) - 2);
    expect(await count('customer_assignments', erased)).toBe(0);
  });
});

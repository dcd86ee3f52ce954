// Erasing customers in the profiling service's database (real MariaDB, profiling migrations): their
// segment rows go, and assignments arriving after the erasure do not bring them back.
import type { DataSource } from 'typeorm';
import type { CustomerSegmentAssignedData } from '@seg/contracts-events';
import { createLogger } from '@seg/platform-observability';
import { type TestDatabase, createMigratedTestDatabase, closeTestDatabase } from '@seg/testing';
import { migrations } from '../../migrations';
import { ProfilingRepository } from './profiling.repository';

// The first three customers of the bundled sample.
const ERASED = ['17850', '13047'];
const KEPT = '12583';

const assigned = (customerId: string, modelVersion: number, cluster: number): CustomerSegmentAssignedData => ({
  customerId,
  modelVersion,
  cluster,
  previousCluster: null,
  distance: 0.5,
  reason: 'training',
});

describe('ProfilingRepository.eraseCustomers (real MariaDB)', () => {
  const logger = createLogger('profiling-erasure-int-spec', 'silent');
  let database: TestDatabase;
  let dataSource: DataSource;
  let repository: ProfilingRepository;

  const segmentRows = async (): Promise<{ customer_id: string; model_version: number; cluster: number }[]> =>
    dataSource.query('SELECT customer_id, model_version, cluster FROM customer_segments ORDER BY customer_id');

  beforeAll(async () => {
    ({ database, dataSource } = await createMigratedTestDatabase('profiling', migrations, logger));
    repository = new ProfilingRepository(dataSource);
  }, 30_000);

  afterAll(() => closeTestDatabase(dataSource, database));

  it('deletes the customers\' segment rows and leaves the others', async () => {
    await repository.saveAssignments([...ERASED, KEPT].map((id, i) => assigned(id, 1, i)));
    expect(await repository.eraseCustomers(ERASED)).toEqual({ segments: 2 });
    expect(await segmentRows()).toEqual([{ customer_id: KEPT, model_version: 1, cluster: 2 }]);
  });

  it('is harmless to repeat (a replayed event)', async () => {
    expect(await repository.eraseCustomers(ERASED)).toEqual({ segments: 0 });
    expect(await repository.eraseCustomers([])).toEqual({ segments: 0 });
    expect(await segmentRows()).toEqual([{ customer_id: KEPT, model_version: 1, cluster: 2 }]);
  });

  it('drops assignments of erased customers that arrive later (in flight, or a model published again)', async () => {
    await repository.saveAssignments([...ERASED, KEPT].map((id) => assigned(id, 2, 3)));
    expect(await segmentRows()).toEqual([{ customer_id: KEPT, model_version: 2, cluster: 3 }]);
    const digests: { n: number | string }[] = await dataSource.query('SELECT COUNT(*) AS n FROM erased_customers');
    expect(Number(digests[0]?.n)).toBe(2);
  });
});

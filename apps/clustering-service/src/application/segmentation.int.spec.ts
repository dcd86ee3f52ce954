// Segmentation on the real MariaDB (clustering migrations), fed with metric events of real sample
// customers. The publishers are ports: here they collect their calls.
import type { DataSource } from 'typeorm';
import { CustomerMetricsChangedV1, type CustomerMetricsChanged } from '@seg/contracts-events';
import { nearestCentroid } from '@seg/domain-clustering';
import { analysisDate, toRfmValues, type CustomerMetrics } from '@seg/domain-rfm';
import { createLogger } from '@seg/platform-observability';
import { chunk } from '@seg/platform-persistence';
import { waitFor, type TestDatabase, createMigratedTestDatabase } from '@seg/testing';
import type { TrainingPolicy } from '../config';
import { migrations } from '../migrations';
import { ClusteringRepository, type Assignment, type StoredModel } from '../adapters/persistence/clustering.repository';
import { clusteringResolvers, modelFields } from '../adapters/graphql/resolvers';
import { nextAutomaticTraining, Segmentation } from './segmentation';
import { FEATURES, trainedModelMetrics, trainModel } from './train-model';
import { sampleCustomers } from '../testing/sample-customers';


const DAY_MS = 86_400_000;
type Published = (Assignment & { previousCluster: number | null })[];

describe('Segmentation (real MariaDB)', () => {
  const logger = createLogger('segmentation-int-spec', 'silent');
  const customers = sampleCustomers(8);
  const asOf = analysisDate(customers.map((c) => c.lastPurchaseAt));
  const event = (m: CustomerMetrics): CustomerMetricsChanged =>
    CustomerMetricsChangedV1.create({ ...m, asOf }, { correlationId: `metrics-${m.customerId}`, producer: 'segmentation-int-spec' });
  // No automatic training during the test: the quiet period outlasts it.
  const policy: TrainingPolicy = { k: 4, seed: 42, restarts: 4, minCustomers: 20, retrainMinChanged: 1_000_000, retrainChangedShare: 1, quietMs: 600_000, maxTrainingShare: 0.25, replaceEveryoneIntervalMs: 0, scheduleMs: 0 };

  let database: TestDatabase;
  let dataSource: DataSource;
  let repository: ClusteringRepository;
  let segmentation: Segmentation;
  const models: { model: StoredModel; correlationId: string }[] = [];
  const assignmentCalls: { assignments: Published; reason: 'training' | 'placement'; correlationId: string }[] = [];
  /** The next this many publish calls fail, as they do while the broker is away. */
  let failingPublishes = 0;
  const brokerAway = () => {
    if (failingPublishes > 0) {
      failingPublishes--;
      throw new Error('broker unavailable');
    }
  };

  /** The customer's point in the model's scaled space, computed here from the model's scaler. */
  const scaledPoint = (model: Pick<StoredModel, 'scaler'>, m: CustomerMetrics, at: string): number[] => {
    const v = toRfmValues(m, at);
    return [v.recencyDays, v.frequency, v.monetary].map((x, j) => (Math.log1p(x) - model.scaler.center[j]!) / model.scaler.scale[j]!);
  };

  beforeAll(async () => {
    ({ database, dataSource } = await createMigratedTestDatabase('clustering', migrations, logger));
    repository = new ClusteringRepository(dataSource);
    segmentation = new Segmentation({
      repository,
      policy,
      logger,
      publishModel: async (model, correlationId) => {
        brokerAway();
        models.push({ model, correlationId });
      },
      publishAssignments: async (assignments, reason, correlationId) => {
        brokerAway();
        assignmentCalls.push({ assignments: [...assignments], reason, correlationId });
      },
      now: () => new Date(),
    });
  }, 30_000);

  afterAll(async () => {
    segmentation?.stop();
    await dataSource?.destroy();
    await database?.drop();
  });

  it('the slice is a real population', () => {
    expect(customers.length).toBeGreaterThan(150);
    expect(new Set(customers.map((c) => c.frequency)).size).toBeGreaterThan(5);
  });

  it('cannot train before it has customers', async () => {
    expect(await segmentation.train(4, 'on-demand')).toEqual({ ok: false, code: 'NOT_ENOUGH_CUSTOMERS', message: 'need at least 20 customers to train, have 0' });
  });

  it('keeps the feature table from metric events, and places nobody while there is no model', async () => {
    for (const part of chunk(customers.map(event), 50)) await segmentation.onMetrics(part);
    expect(await repository.countFeatures()).toBe(customers.length);
    expect(await repository.allFeatures()).toEqual(customers);
    expect(await repository.latestPurchase()).toBe(customers.map((c) => c.lastPurchaseAt).sort().at(-1));
    expect(assignmentCalls).toEqual([]);
    expect(await repository.latestModel()).toBeNull();
  }, 20_000);

  it('trains a model, stores it with one assignment per customer on its nearest centroid, and publishes both', async () => {
    const outcome = await segmentation.train(4, 'on-demand');
    if (!outcome.ok) throw new Error(outcome.message);
    const model = outcome.model;
    expect(model).toMatchObject({ version: 1, k: 4, seed: policy.seed, customers: customers.length, asOf, features: [...FEATURES] });
    expect(model.centroids).toHaveLength(4);
    expect(await repository.latestModel()).toEqual(model);

    // The scaler was fitted on these customers: log1p, then the mean and population standard
    // deviation of each feature, recomputed here.
    const logged = customers.map((m) => {
      const v = toRfmValues(m, asOf);
      return [v.recencyDays, v.frequency, v.monetary].map(Math.log1p);
    });
    for (let j = 0; j < 3; j++) {
      const column = logged.map((row) => row[j]!);
      const mean = column.reduce((a, b) => a + b, 0) / column.length;
      const std = Math.sqrt(column.reduce((a, b) => a + (b - mean) ** 2, 0) / column.length);
      expect(model.scaler.center[j]).toBeCloseTo(mean, 9);
      expect(model.scaler.scale[j]).toBeCloseTo(std, 9);
    }

    const stored = await repository.assignmentsOf(customers.map((c) => c.customerId));
    expect(stored.size).toBe(customers.length);
    for (const m of customers) {
      const nearest = nearestCentroid(scaledPoint(model, m, asOf), model.centroids);
      const assignment = stored.get(m.customerId)!;
      expect({ version: assignment.modelVersion, cluster: assignment.cluster }).toEqual({ version: 1, cluster: nearest.cluster });
      expect(assignment.distance).toBeCloseTo(nearest.distance, 9);
    }
    const sizes = model.summary.clusters.map((c) => c.size);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(customers.length);
    for (const cluster of model.summary.clusters) {
      expect(cluster.size).toBe([...stored.values()].filter((a) => a.cluster === cluster.cluster).length);
    }
    expect(model.summary.population.revenueMilli).toBe(customers.reduce((sum, c) => sum + c.monetaryMilli, 0));

    // The model went out before its quality metrics were computed (they are stored afterwards,
    // and the outcome carries them): segments do not wait for the k sweep.
    expect(models).toEqual([{ model: { ...model, metrics: null }, correlationId: 'model-1' }]);
    expect(model.metrics?.kSweep.length).toBeGreaterThan(0);
    expect(assignmentCalls).toHaveLength(1);
    const published = assignmentCalls[0]!;
    expect(published.reason).toBe('training');
    expect(published.correlationId).toBe('model-1');
    expect(published.assignments).toHaveLength(customers.length);
    for (const { distance, ...a } of published.assignments) {
      const { distance: storedDistance, ...storedAssignment } = stored.get(a.customerId)!;
      expect(a).toEqual({ ...storedAssignment, previousCluster: null });
      // MariaDB sends a DOUBLE back with 15 significant digits.
      expect(distance).toBeCloseTo(storedDistance, 12);
    }
  }, 20_000);

  it('computes the same quality metrics after the model as trainModel does in one go', () => {
    const options = { k: 4, seed: policy.seed, restarts: 3 };
    const later = trainModel(customers, { ...options, metrics: false });
    expect(later.metrics).toBeNull();
    expect(trainedModelMetrics(customers, later, options)).toEqual(trainModel(customers, options).metrics);
  });

  it('stores the quality metrics of a trained model (k sweep, scores, projection) and the resolvers return them', async () => {
    const model = (await repository.model(1))!;
    const metrics = model.metrics!;
    // One sweep row per k of 2..10; the row of the model's k is the model itself (same points,
    // seed and restarts, and fitKMeans is deterministic).
    expect(metrics.kSweep.map((e) => e.k)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const own = metrics.kSweep.find((e) => e.k === model.k)!;
    expect(Math.abs(own.inertia - model.inertia) / model.inertia).toBeLessThan(1e-6);
    expect(metrics.silhouette).toBe(own.silhouette);
    expect(metrics.daviesBouldin).toBe(own.daviesBouldin);
    expect(metrics.calinskiHarabasz).toBe(own.calinskiHarabasz);
    for (const e of metrics.kSweep) {
      expect(e.silhouette).toBeGreaterThanOrEqual(-1);
      expect(e.silhouette).toBeLessThanOrEqual(1);
      expect(e.daviesBouldin).toBeGreaterThan(0);
      expect(e.calinskiHarabasz).toBeGreaterThan(0);
    }
    expect(metrics.proposedK).toBeGreaterThanOrEqual(2);
    expect(metrics.proposedK).toBeLessThanOrEqual(10);
    expect(metrics.proposalReasons.length).toBeGreaterThan(0);

    const projection = metrics.projection!;
    expect(projection.explainedVariance).toHaveLength(2);
    expect(projection.points).toHaveLength(Math.min(2_000, customers.length));
    expect(new Set(projection.points.map((p) => p.customerId)).size).toBe(projection.points.length);
    const stored = await repository.assignmentsOf(projection.points.map((p) => p.customerId));
    for (const p of projection.points) {
      expect(p.cluster).toBe(stored.get(p.customerId)?.cluster);
      expect(Number.isFinite(p.x) && Number.isFinite(p.y)).toBe(true);
    }
    expect(projection.centroids.map((c) => c.cluster)).toEqual([0, 1, 2, 3]);

    const resolvers = clusteringResolvers(repository, segmentation);
    const query = resolvers['Query'] as Record<string, () => Promise<ReturnType<typeof modelFields>[]>>;
    const [listed] = await query['segmentationModels']!();
    expect(listed).toMatchObject({
      version: 1,
      silhouette: metrics.silhouette,
      daviesBouldin: metrics.daviesBouldin,
      calinskiHarabasz: metrics.calinskiHarabasz,
      kSweep: metrics.kSweep,
      proposedK: metrics.proposedK,
      proposalReasons: metrics.proposalReasons,
      projection,
    });
    // A model stored before the metrics column answers with nulls and empty lists.
    expect(modelFields({ ...model, metrics: null })).toMatchObject({
      silhouette: null,
      daviesBouldin: null,
      calinskiHarabasz: null,
      kSweep: [],
      proposedK: null,
      proposalReasons: [],
      projection: null,
    });
  });

  it('places a changed customer at once, and publishes a placement only when the cluster changes', async () => {
    const model = (await repository.latestModel())!;
    const latest = customers.map((c) => c.lastPurchaseAt).sort().at(-1)!;
    const before = await repository.assignmentsOf(customers.map((c) => c.customerId));
    // The best customer of the slice as a template: bought on the last day, as often and as much
    // as anyone. A customer whose cluster that changes is moved there by a new metric event.
    const best = { frequency: Math.max(...customers.map((c) => c.frequency)), monetaryMilli: Math.max(...customers.map((c) => c.monetaryMilli)) };
    const candidate = customers.find((c) => {
      const changed = { ...c, ...best, lastPurchaseAt: latest };
      return nearestCentroid(scaledPoint(model, changed, asOf), model.centroids).cluster !== before.get(c.customerId)!.cluster;
    });
    if (!candidate) throw new Error('no customer of the slice would change cluster');
    const changed: CustomerMetrics = { ...candidate, ...best, lastPurchaseAt: latest };
    // The latest purchase overall stays the same, so the analysis date does too.
    const expected = nearestCentroid(scaledPoint(model, changed, asOf), model.centroids);
    const calls = assignmentCalls.length;

    await segmentation.onMetrics([event(changed)]);
    expect(assignmentCalls).toHaveLength(calls + 1);
    const placement = assignmentCalls[calls]!;
    expect(placement.reason).toBe('placement');
    expect(placement.correlationId).toBe(`metrics-${candidate.customerId}`);
    expect(placement.assignments).toHaveLength(1);
    expect(placement.assignments[0]).toMatchObject({
      customerId: candidate.customerId,
      modelVersion: model.version,
      cluster: expected.cluster,
      previousCluster: before.get(candidate.customerId)!.cluster,
    });
    expect(placement.assignments[0]!.distance).toBeCloseTo(expected.distance, 9);
    expect((await repository.assignmentsOf([candidate.customerId])).get(candidate.customerId)).toMatchObject({ cluster: expected.cluster, modelVersion: model.version });

    // One more order worth a penny does not move the customer: stored, not published.
    const again: CustomerMetrics = { ...changed, monetaryMilli: changed.monetaryMilli + 10 };
    expect(nearestCentroid(scaledPoint(model, again, asOf), model.centroids).cluster).toBe(expected.cluster);
    await segmentation.onMetrics([event(again)]);
    expect(assignmentCalls).toHaveLength(calls + 1);
    const storedAgain = (await repository.assignmentsOf([candidate.customerId])).get(candidate.customerId)!;
    expect(storedAgain.cluster).toBe(expected.cluster);
    expect(storedAgain.distance).toBeCloseTo(nearestCentroid(scaledPoint(model, again, asOf), model.centroids).distance, 9);
  }, 20_000);

  it('places a customer it has never seen, with no previous cluster', async () => {
    const model = (await repository.latestModel())!;
    const template = customers[0]!;
    // A purchase the day before the analysis date, so the date stays where it is.
    const lastPurchaseAt = new Date(Date.parse(asOf) - DAY_MS).toISOString().replace('.000Z', 'Z');
    const newcomer: CustomerMetrics = { ...template, customerId: 'new-customer-1', firstPurchaseAt: lastPurchaseAt, lastPurchaseAt, frequency: 1 };
    const expected = nearestCentroid(scaledPoint(model, newcomer, asOf), model.centroids);
    const calls = assignmentCalls.length;

    await segmentation.onMetrics([event(newcomer)]);
    expect(assignmentCalls).toHaveLength(calls + 1);
    expect(assignmentCalls[calls]).toMatchObject({
      reason: 'placement',
      assignments: [{ customerId: 'new-customer-1', modelVersion: model.version, cluster: expected.cluster, previousCluster: null }],
    });
    expect(await repository.countFeatures()).toBe(customers.length + 1);
  }, 20_000);

  it('refuses a k outside 2..20 without storing a model', async () => {
    const calls = assignmentCalls.length;
    expect(await segmentation.train(1, 'on-demand')).toEqual({ ok: false, code: 'BAD_K', message: 'k must be an integer from 2 to 20, got 1' });
    expect(await segmentation.train(21, 'on-demand')).toMatchObject({ ok: false, code: 'BAD_K' });
    expect(await segmentation.train(2.5, 'on-demand')).toMatchObject({ ok: false, code: 'BAD_K' });
    expect((await repository.latestModel())?.version).toBe(1);
    expect(models).toHaveLength(1);
    expect(assignmentCalls).toHaveLength(calls);
  });

  it('a retrain stores a new version and moves every customer to it', async () => {
    const outcome = await segmentation.train(3, 'on-demand');
    if (!outcome.ok) throw new Error(outcome.message);
    expect(outcome.model).toMatchObject({ version: 2, k: 3, customers: customers.length + 1 });
    expect((await repository.models(10)).map((m) => m.version)).toEqual([2, 1]);
    const stored = await repository.assignmentsOf([...customers.map((c) => c.customerId), 'new-customer-1']);
    expect(new Set([...stored.values()].map((a) => a.modelVersion))).toEqual(new Set([2]));
    expect(assignmentCalls.at(-1)).toMatchObject({ reason: 'training', correlationId: 'model-2' });
    expect(assignmentCalls.at(-1)!.assignments).toHaveLength(customers.length + 1);
  }, 20_000);

  it('places every customer again when the analysis date moves by a day or more', async () => {
    const model = (await repository.latestModel())!;
    const features = await repository.allFeatures();
    const before = await repository.assignmentsOf(features.map((c) => c.customerId));
    // One customer buys 40 days after the current analysis date: the date moves by 40 days and
    // everyone's recency with it. Expected clusters come from the model's scaler and centroids here.
    const mover = { ...customers[1]!, lastPurchaseAt: new Date(Date.parse(asOf) + 40 * DAY_MS).toISOString().replace('.000Z', 'Z') };
    const newAsOf = analysisDate([mover.lastPurchaseAt]);
    const all = features.map((c) => (c.customerId === mover.customerId ? mover : c));
    const expectedChanged = all
      .map((c) => ({ customerId: c.customerId, cluster: nearestCentroid(scaledPoint(model, c, newAsOf), model.centroids).cluster }))
      .filter((p) => p.cluster !== before.get(p.customerId)!.cluster);
    expect(expectedChanged.length).toBeGreaterThan(1); // more than the customer who bought
    const calls = assignmentCalls.length;

    await segmentation.onMetrics([event(mover)]);
    const published = assignmentCalls.slice(calls).flatMap((call) => call.assignments);
    expect(published.map((a) => [a.customerId, a.cluster]).sort()).toEqual(expectedChanged.map((p) => [p.customerId, p.cluster]).sort());
    const stored = await repository.assignmentsOf(all.map((c) => c.customerId));
    for (const c of all) expect(stored.get(c.customerId)!.cluster).toBe(nearestCentroid(scaledPoint(model, c, newAsOf), model.centroids).cluster);

    // The same date again: only the batch's own customers are placed, nothing else is published.
    const calm = assignmentCalls.length;
    await segmentation.onMetrics([event({ ...mover, monetaryMilli: mover.monetaryMilli + 10 })]);
    expect(assignmentCalls.slice(calm).flatMap((call) => call.assignments).length).toBeLessThanOrEqual(1);
  }, 20_000);

  it('retrains on the schedule when any customer changed, below the automatic threshold', async () => {
    const before = (await repository.latestModel())!;
    // Changes since the model are far below retrainMinChanged (1,000,000): no automatic run.
    await new Promise((r) => setTimeout(r, 10)); // updated_at must be later than trainedAt
    await segmentation.onMetrics([event({ ...customers[2]!, monetaryMilli: customers[2]!.monetaryMilli + 10 })]);
    expect(await segmentation.maybeTrain()).toBeNull();
    const scheduled = await segmentation.maybeTrain(true);
    expect(scheduled?.version).toBe(before.version + 1);
    // Nothing changed since that model: the next scheduled check does not train.
    expect(await segmentation.maybeTrain(true)).toBeNull();
  }, 20_000);

  it('publishes a placement when its batch is replayed after the publish failed', async () => {
    const model = (await repository.latestModel())!;
    const features = await repository.allFeatures();
    const at = analysisDate(features.map((c) => c.lastPurchaseAt));
    const before = await repository.assignmentsOf(features.map((c) => c.customerId));
    // Spending like the best customer moves someone to another cluster; the analysis date stays.
    const best = { frequency: Math.max(...features.map((c) => c.frequency)), monetaryMilli: Math.max(...features.map((c) => c.monetaryMilli)) };
    const candidate = features.find((c) => nearestCentroid(scaledPoint(model, { ...c, ...best }, at), model.centroids).cluster !== before.get(c.customerId)!.cluster);
    if (!candidate) throw new Error('no customer would change cluster');
    const changed: CustomerMetrics = { ...candidate, ...best };
    const previousCluster = before.get(candidate.customerId)!.cluster;
    const calls = assignmentCalls.length;

    failingPublishes = 1;
    await expect(segmentation.onMetrics([event(changed)])).rejects.toThrow('broker unavailable');
    expect(assignmentCalls).toHaveLength(calls);
    // The consumer commits no offset and hands the same batch over again.
    await segmentation.onMetrics([event(changed)]);
    expect(assignmentCalls.slice(calls)).toMatchObject([{ reason: 'placement', assignments: [{ customerId: candidate.customerId, modelVersion: model.version, previousCluster }] }]);
    expect((await repository.assignmentsOf([candidate.customerId])).get(candidate.customerId)!.cluster).not.toBe(previousCluster);
  }, 20_000);

  it('publishes a trained model and its assignments once the broker is back', async () => {
    const modelCalls = models.length;
    failingPublishes = 2;
    const outcome = await segmentation.train(4, 'on-demand');
    if (!outcome.ok) throw new Error(outcome.message);
    expect(failingPublishes).toBe(0);
    expect(models.slice(modelCalls)).toEqual([{ model: { ...outcome.model, metrics: null }, correlationId: `model-${outcome.model.version}` }]);
    expect(assignmentCalls.at(-1)).toMatchObject({ reason: 'training', correlationId: `model-${outcome.model.version}` });
    expect(assignmentCalls.at(-1)!.assignments).toHaveLength(await repository.countFeatures());
  }, 20_000);

  it('marks published models, and publishes a model stored before a crash when the service starts again', async () => {
    expect(await repository.unpublishedModelVersions()).toEqual([]);
    // A crash right after the model's transaction committed: stored, never published.
    const trained = trainModel(await repository.allFeatures(), { k: 3, seed: policy.seed, restarts: 2 });
    const stored = await repository.saveModel(trained, FEATURES, new Date().toISOString());
    expect(await repository.unpublishedModelVersions()).toEqual([stored.version]);

    const modelCalls = models.length;
    const calls = assignmentCalls.length;
    expect(await segmentation.publishPending()).toEqual([stored.version]);
    expect(models.slice(modelCalls)).toEqual([{ model: stored, correlationId: `model-${stored.version}` }]);
    const published = assignmentCalls.slice(calls);
    expect(published).toHaveLength(1);
    expect(published[0]).toMatchObject({ reason: 'training', correlationId: `model-${stored.version}` });
    // Distances come back from a DOUBLE column: equal to the last bits or so.
    const expected = trained.assignments.map((a) => ({ ...a, distance: expect.closeTo(a.distance, 12), modelVersion: stored.version, previousCluster: null }));
    const byId = (a: { customerId: string }, b: { customerId: string }) => (a.customerId < b.customerId ? -1 : a.customerId > b.customerId ? 1 : 0);
    expect([...published[0]!.assignments].sort(byId)).toEqual([...expected].sort(byId));
    // Published once: a second start publishes nothing.
    expect(await repository.unpublishedModelVersions()).toEqual([]);
    expect(await segmentation.publishPending()).toEqual([]);
    expect(models.length).toBe(modelCalls + 1);
  }, 30_000);

  it('keeps a customer on the newer model when a placement under an older one arrives after it (placed during a training run)', async () => {
    const latest = (await repository.latestModel())!;
    const [customer] = await repository.allFeatures();
    const stored = (await repository.assignmentsOf([customer!.customerId])).get(customer!.customerId)!;
    expect(stored.modelVersion).toBe(latest.version);
    // A batch placed on the model before, saved after the newer model's assignments.
    await repository.saveAssignments([{ customerId: customer!.customerId, modelVersion: latest.version - 1, cluster: (stored.cluster + 1) % latest.k, distance: 9.5 }]);
    expect((await repository.assignmentsOf([customer!.customerId])).get(customer!.customerId)).toEqual(stored);
    // A placement under the same (newest) model still moves the customer.
    await repository.saveAssignments([{ customerId: customer!.customerId, modelVersion: latest.version, cluster: (stored.cluster + 1) % latest.k, distance: 0.5 }]);
    expect((await repository.assignmentsOf([customer!.customerId])).get(customer!.customerId)).toMatchObject({ modelVersion: latest.version, cluster: (stored.cluster + 1) % latest.k, distance: 0.5 });
  });
  it('holds automatic runs back to their share of the time, metrics included (a backfill pauses often), and runs them once that passed', async () => {
    // A clock of its own, moved by the ports: publishing a model "takes" 2 s (the fit), its
    // metrics 4 s. It starts in the past, so every stored customer counts as changed since a model.
    let clock = Date.parse('2020-01-01T00:00:00Z');
    let fitMs = 2_000;
    let metricsMs = 4_000;
    let gate: Promise<void> = Promise.resolve();
    const published: number[] = [];
    const automatic = new Segmentation({
      repository,
      // Any change is enough for an automatic run; at most a quarter of the time: 3 x 6 s of rest.
      policy: { ...policy, retrainMinChanged: 1, retrainChangedShare: 0, maxTrainingShare: 0.25 },
      logger,
      publishModel: async (model) => {
        clock += fitMs;
        published.push(model.version);
      },
      publishAssignments: async () => undefined,
      now: () => new Date(clock),
      computeMetrics: async (customers, trained, options) => {
        await gate;
        clock += metricsMs;
        return trainedModelMetrics(customers, trained, options);
      },
    });
    try {
      // A customer changed since the newest model, so that an automatic run is due.
      await repository.upsertFeatures([{ ...customers[0]!, frequency: customers[0]!.frequency + 7, asOf }]);
      // While the first run's metrics are computed, its time is not over: no automatic run.
      let open!: () => void;
      gate = new Promise<void>((resolve) => (open = resolve));
      const running = automatic.maybeTrain();
      await waitFor('the first model to be published', async () => (published.length === 1 ? true : undefined), 20_000, 20);
      expect(await automatic.maybeTrain()).toBeNull();
      open();
      const first = await running;
      expect(first).not.toBeNull();
      expect((await repository.model(first!.version))?.metrics).not.toBeNull();
      const ended = Date.parse('2020-01-01T00:00:06Z');
      expect(nextAutomaticTraining(ended, 6_000, 0.25)).toBe(ended + 18_000);
      // Right after the run, and 1 ms before its 18 s of rest are over: too soon.
      expect(await automatic.maybeTrain()).toBeNull();
      clock = ended + 17_999;
      expect(await automatic.maybeTrain()).toBeNull();
      // On demand and on the schedule, never held back; these take no time on this clock.
      fitMs = 0;
      metricsMs = 0;
      expect((await automatic.maybeTrain(true))?.version).toBe(first!.version + 1);
      const trained = await automatic.train(undefined, 'on-demand');
      expect(trained.ok && trained.model.version).toBe(first!.version + 2);
      expect(trained.ok && trained.model.metrics).not.toBeNull();
      // The last run took no time: the next automatic one may start at once.
      expect((await automatic.maybeTrain())?.version).toBe(first!.version + 3);
      expect(published).toEqual([first!.version, first!.version + 1, first!.version + 2, first!.version + 3]);
    } finally {
      automatic.stop();
    }
  }, 60_000);
  it('places everyone again at most once per interval while the date keeps moving, a batch\'s own customers at once, the rest when the interval is over', async () => {
    const interval = 3_000;
    const published: Published[] = [];
    const deferring = new Segmentation({
      repository,
      policy: { ...policy, replaceEveryoneIntervalMs: interval },
      logger,
      publishModel: async () => undefined,
      publishAssignments: async (assignments) => void published.push([...assignments]),
      now: () => new Date(),
    });
    const later = (days: number, from: string) => new Date(Date.parse(from) + days * DAY_MS).toISOString().replace('.000Z', 'Z');
    const expectedClusters = async (at: string) => {
      const model = (await repository.latestModelForPlacement())!;
      return new Map((await repository.allFeatures()).map((c) => [c.customerId, nearestCentroid(scaledPoint(model, c, at), model.centroids).cluster]));
    };
    const storedClusters = async () => {
      const features = await repository.allFeatures();
      return new Map([...(await repository.assignmentsOf(features.map((c) => c.customerId)))].map(([id, a]) => [id, a.cluster]));
    };
    try {
      const start = (await repository.latestPurchase())!;
      // 1. The date moves by 30 days: nobody was placed again yet, so everyone is, at once.
      const first = { ...customers[4]!, lastPurchaseAt: later(30, start) };
      await deferring.onMetrics([event(first)]);
      expect(await storedClusters()).toEqual(await expectedClusters(analysisDate([first.lastPurchaseAt])));

      // 2. Within the interval it moves by 60 more days: only the batch's customer is placed.
      const afterFirst = await storedClusters();
      const second = { ...customers[5]!, lastPurchaseAt: later(90, start) };
      const newAsOf = analysisDate([second.lastPurchaseAt]);
      const calls = published.length;
      await deferring.onMetrics([event(second)]);
      const expected = await expectedClusters(newAsOf);
      const stale = [...expected].filter(([id, cluster]) => id !== second.customerId && afterFirst.get(id) !== cluster);
      expect(stale.length).toBeGreaterThan(0); // the date change matters to others
      expect(published.slice(calls).flat().every((a) => a.customerId === second.customerId)).toBe(true);
      const now = await storedClusters();
      expect(now.get(second.customerId)).toBe(expected.get(second.customerId));
      for (const [id] of stale) expect(now.get(id)).toBe(afterFirst.get(id));

      // 3. When the interval is over, everyone follows, without another batch.
      await waitFor('everyone placed at the new date', async () => (JSON.stringify([...(await storedClusters())].sort()) === JSON.stringify([...expected].sort()) ? true : undefined), interval + 10_000);
      expect(published.slice(calls).flat().map((a) => a.customerId).sort()).toEqual(expect.arrayContaining(stale.map(([id]) => id).sort()));
    } finally {
      deferring.stop();
    }
  }, 60_000);
  it('retrains when enough customers are new to the model, even below the share of changed customers', async () => {
    const retraining = new Segmentation({
      repository,
      // 30 new customers make a run due; changed customers would need half of the model. No rest
      // between runs (share 1), so that only the thresholds decide.
      policy: { ...policy, retrainMinChanged: 30, retrainChangedShare: 0.5, maxTrainingShare: 1 },
      logger,
      publishModel: async () => undefined,
      publishAssignments: async () => undefined,
      now: () => new Date(),
    });
    try {
      const trained = await retraining.train(undefined, 'on-demand');
      if (!trained.ok) throw new Error(trained.message);
      expect(trained.model.customers).toBe(await repository.countFeatures());
      // Customers the model has not seen: copies of real ones under new ids, 29 then one more.
      const newcomers = customers.slice(0, 30).map((c, i) => ({ ...c, customerId: `newcomer-${i}` }));
      await retraining.onMetrics(newcomers.slice(0, 29).map(event));
      expect(await retraining.maybeTrain()).toBeNull();
      await retraining.onMetrics(newcomers.slice(29).map(event));
      const retrained = await retraining.maybeTrain();
      expect(retrained).toMatchObject({ version: trained.model.version + 1, customers: trained.model.customers + 30 });
    } finally {
      retraining.stop();
    }
  }, 60_000);
});

import type { Logger } from 'pino';
import type { CustomerMetricsChanged, ImportMetricsEnded } from '@seg/contracts-events';
import { analysisDate, recencyDays, type CustomerMetrics } from '@seg/domain-rfm';
import { describeError, retryWithBackoff } from '@seg/platform-observability';
import type { TrainingPolicy } from '../config';
import type { Assignment, ClusteringRepository, StoredModel } from '../adapters/persistence/clustering.repository';
import { FEATURES, placeCustomers, trainedModelMetrics, trainModel, type MetricsInput, type ModelMetrics } from './train-model';

export interface SegmentationDeps {
  readonly repository: ClusteringRepository;
  readonly policy: TrainingPolicy;
  readonly logger: Logger;
  publishModel(model: StoredModel, correlationId: string): Promise<void>;
  publishAssignments(assignments: readonly (Assignment & { previousCluster: number | null })[], reason: 'training' | 'placement', correlationId: string): Promise<void>;
  now(): Date;
  /**
   * Computes a model's quality metrics (trainedModelMetrics). The service passes a worker thread
   * (adapters/worker), so that the k sweep does not hold up its own thread; by default, in line.
   */
  computeMetrics?(customers: readonly CustomerMetrics[], trained: MetricsInput, options: { seed: number; restarts: number }): Promise<ModelMetrics>;
  /** Hears of each model trained (its trigger, the fit's duration) and each import applied: the service counts them in /metrics. */
  readonly observe?: { trained(trigger: string, seconds: number): void; importApplied(changed: boolean): void };
}

export type TrainOutcome =
  | { readonly ok: true; readonly model: StoredModel }
  | { readonly ok: false; readonly code: 'NOT_ENOUGH_CUSTOMERS' | 'BAD_K'; readonly message: string };

/** A training run's outcome, with its model's metrics being computed. */
type RunOutcome = Exclude<TrainOutcome, { ok: true }> | { readonly ok: true; readonly model: StoredModel; readonly metrics: Promise<void> };

/** How soon an automatic decision held back (a run going on) is tried again once an import's changes are all in. */
const IMPORT_RECHECK_MS = 250;

/**
 * When the next automatic training run may start after one that ended at `endedAt` (epoch ms) and
 * took `durationMs`, so that automatic runs take at most `share` of the time.
 */
export function nextAutomaticTraining(endedAt: number, durationMs: number, share: number): number {
  return endedAt + durationMs * (1 / share - 1);
}

/**
 * Keeps customers segmented: new or changed customers are placed on the nearest centroid of the
 * current model at once; a new model is trained on demand, when none exists yet, or when enough
 * customers changed since the last one (after the metric stream has been quiet for a moment), and
 * as soon as an import's metric changes have all arrived, if it changed any customer.
 */
export class Segmentation {
  private timer: NodeJS.Timeout | undefined;
  private schedule: NodeJS.Timeout | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  /** Metrics computations, one at a time, after the runs that trained their models. */
  private metricsQueue: Promise<unknown> = Promise.resolve();
  private readonly stopped = new AbortController();
  /** Analysis date at which every customer was last placed (model version it applies to). */
  private placedAt: { readonly modelVersion: number; readonly asOf: string } | undefined;
  /** When everyone was last placed again after the analysis date moved (epoch ms). */
  private everyonePlacedAt: number | undefined;
  private deferred: NodeJS.Timeout | undefined;
  private placements: Promise<unknown> = Promise.resolve();
  /** The last training run (any trigger), for the automatic runs' share of the time. */
  private lastRun: { readonly endedAt: number; readonly durationMs: number } | undefined;
  /** Runs deciding, training or computing their model's metrics (automatic runs wait for them). */
  private running = 0;
  /**
   * An import's metric changes have all arrived since the last automatic decision: the next one
   * trains if any customer changed since the current model, without waiting for a quiet stream.
   */
  private importApplied = false;

  constructor(private readonly deps: SegmentationDeps) {}

  /** Handles a batch of metric events; resolves after the feature table and assignments are stored. */
  async onMetrics(events: readonly CustomerMetricsChanged[]): Promise<void> {
    const customers = await this.deps.repository.upsertFeatures(events.map((e) => e.data));
    await this.placing(() => this.place(customers, events[0]?.correlationId ?? 'none'));
    this.scheduleCheck();
  }

  /**
   * Handles ends of imports met in the metric stream (after the metric events before them in their
   * partition, so these are stored). Once every end of an import is met, the import's changes are
   * all in the feature table: an automatic run is considered at once, not after the quiet period,
   * so that segments follow a backfill as soon as it is aggregated and cover all its customers;
   * unless the import changed nothing (a file imported again).
   */
  async onImportEnds(events: readonly ImportMetricsEnded[]): Promise<void> {
    const applied = await this.deps.repository.recordImportEnds(events.map((event) => event.data));
    for (const { changed } of applied) this.deps.observe?.importApplied(changed);
    const changed = applied.filter((a) => a.changed).map((a) => a.importJobId);
    const unchanged = applied.filter((a) => !a.changed).map((a) => a.importJobId);
    if (unchanged.length > 0) this.deps.logger.info({ imports: unchanged }, 'the import stored no new line: no training run for it');
    if (changed.length === 0) return;
    this.deps.logger.info({ imports: changed }, 'every metric change of the import is in: considering a training run now');
    this.importApplied = true;
    void this.maybeTrain().catch((error: unknown) => this.deps.logger.error(`automatic training failed: ${describeError(error).message}`));
  }

  /**
   * At start: an import applied after the newest model (the service stopped before its run, or
   * during it) still makes a run due, at once.
   */
  async resumeImports(): Promise<void> {
    const model = await this.deps.repository.latestModelForPlacement();
    const imports = await this.deps.repository.changedImportsAppliedSince(model?.trainedAt ?? null);
    if (imports === 0) return;
    this.deps.logger.info({ imports }, 'imports applied since the newest model: considering a training run now');
    this.importApplied = true;
    await this.maybeTrain();
  }

  /** Runs placements one at a time: a batch's and a deferred placement of everyone never interleave. */
  private placing<T>(run: () => Promise<T>): Promise<T> {
    const next = this.placements.then(run);
    this.placements = next.catch(() => undefined);
    return next;
  }

  /**
   * Places customers on the nearest centroid of the newest model at the current analysis date and
   * publishes those whose cluster changed. When the date moved by a day or more since everyone was
   * last placed, everyone is placed again (from the feature table, not the lines), at most once per
   * `replaceEveryoneIntervalMs`; sooner than that, only `customers`, and everyone when the interval
   * is over.
   */
  private async place(customers: readonly CustomerMetrics[], correlationId: string): Promise<void> {
    const { repository, policy } = this.deps;
    const model = await repository.latestModelForPlacement();
    if (!model) return;
    const latest = await repository.latestPurchase();
    const asOf = latest ? analysisDate([latest]) : model.asOf;
    const since = this.placedAt?.modelVersion === model.version ? this.placedAt.asOf : model.asOf;
    // recencyDays(later, earlier) counts whole days from `earlier` to `later`.
    let everyone = Math.abs(recencyDays(asOf, since)) >= 1;
    if (everyone && this.everyonePlacedAt !== undefined) {
      const wait = this.everyonePlacedAt + policy.replaceEveryoneIntervalMs - this.deps.now().getTime();
      if (wait > 0) {
        everyone = false;
        this.deferEveryone(wait);
      }
    }
    if (!everyone && customers.length === 0) return;
    const toPlace = everyone ? await repository.allFeatures() : customers;
    if (everyone) this.deps.logger.info({ from: since, to: asOf, customers: toPlace.length }, 'analysis date moved: placing every customer again');
    const before = await repository.assignmentsOf(toPlace.map((c) => c.customerId));
    const placed = placeCustomers(toPlace, model, asOf).map((p) => ({ ...p, modelVersion: model.version }));
    const changed = placed
      .filter((p) => {
        const old = before.get(p.customerId);
        return !old || old.modelVersion !== p.modelVersion || old.cluster !== p.cluster;
      })
      .map((p) => ({ ...p, previousCluster: before.get(p.customerId)?.modelVersion === p.modelVersion ? (before.get(p.customerId)?.cluster ?? null) : null }));
    // Publish before storing: what is published is decided by comparing with the stored
    // assignments, so a batch replayed after a failed publish must still see the old ones.
    if (changed.length > 0) await this.deps.publishAssignments(changed, 'placement', correlationId);
    await repository.saveAssignments(placed);
    if (everyone) {
      this.placedAt = { modelVersion: model.version, asOf };
      this.everyonePlacedAt = this.deps.now().getTime();
    }
  }

  /** Places everyone in `delayMs` if the date still moved then (one timer at a time). */
  private deferEveryone(delayMs: number): void {
    if (this.deferred) return;
    this.deferred = setTimeout(() => {
      this.deferred = undefined;
      void this.placing(() => this.place([], 'analysis-date')).catch((error: unknown) => {
        // The next batch tries again (the date still counts as moved).
        this.deps.logger.error(`placing every customer again failed: ${describeError(error).message}`);
      });
    }, delayMs);
    this.deferred.unref();
  }

  /**
   * Checks whether an automatic training run is due once the stream has been quiet (or after
   * `delayMs`); after an import whose changes have all arrived, without waiting for quiet.
   */
  scheduleCheck(delayMs?: number): void {
    const delay = delayMs ?? (this.importApplied ? IMPORT_RECHECK_MS : this.deps.policy.quietMs);
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.maybeTrain().catch((error: unknown) => this.deps.logger.error(`automatic training failed: ${describeError(error).message}`));
    }, delay);
    this.timer.unref();
  }

  /**
   * Trains when due: no model yet and enough customers; or enough customers changed since the
   * current model (policy.retrainMinChanged and policy.retrainChangedShare of the model), or
   * policy.retrainMinChanged customers are new to it; or, on the schedule (`scheduled`) or once an
   * import's changes have all arrived, any customer changed.
   */
  async maybeTrain(scheduled = false): Promise<StoredModel | null> {
    const { repository, policy } = this.deps;
    if (!scheduled && this.running > 0) {
      // A run is deciding, training or computing its model's metrics: its time is not over (and a
      // run queued behind it would start with no rest). Look again after a quiet period (soon,
      // after an import).
      if (!this.timer || this.importApplied) this.scheduleCheck();
      return null;
    }
    if (!scheduled && this.lastRun) {
      const wait = nextAutomaticTraining(this.lastRun.endedAt, this.lastRun.durationMs, policy.maxTrainingShare) - this.deps.now().getTime();
      if (wait > 0) {
        // Too soon after the last run: look again then (a metric batch meanwhile re-arms the quiet
        // timer); after an import, as soon as the share allows.
        if (!this.timer || this.importApplied) this.scheduleCheck(this.importApplied ? wait : Math.max(wait, policy.quietMs));
        return null;
      }
    }
    this.running++;
    // This decision takes the import into account; one that ends meanwhile sets it again.
    const afterImport = this.importApplied && !scheduled;
    if (afterImport) this.importApplied = false;
    try {
      const model = await repository.latestModelForPlacement();
      const customers = await repository.countFeatures();
      if (!model) {
        if (customers < policy.minCustomers) return null;
      } else {
        const changed = await repository.countChangedSince(model.trainedAt);
        // Customers the model has never seen (placed on it since) are not in its sizes and profiles:
        // the absolute minimum alone makes a run due, not the share (after a run that came before
        // the end of a backfill, the last customers may be fewer than a tenth).
        const added = customers - model.customers;
        // The first model comes as soon as there are enough customers, often while the shop's first
        // import still runs: the customers it missed, however few, make one more run due once the
        // stream is quiet again, so that the sizes cover the import. Later models follow the thresholds.
        const due =
          scheduled || afterImport
            ? changed >= 1
          : changed >= Math.max(policy.retrainMinChanged, policy.retrainChangedShare * model.customers) || added >= policy.retrainMinChanged || (added > 0 && (await repository.countModels()) === 1);
        if (!due) return null;
      }
      const outcome = await this.train(undefined, scheduled ? 'scheduled' : afterImport ? 'import' : 'automatic');
      return outcome.ok ? outcome.model : null;
    } finally {
      this.running--;
    }
  }

  /** Starts scheduled retraining (policy.scheduleMs; 0 leaves it off). */
  startSchedule(): void {
    if (this.deps.policy.scheduleMs <= 0 || this.schedule) return;
    this.schedule = setInterval(() => {
      void this.maybeTrain(true).catch((error: unknown) => this.deps.logger.error(`scheduled training failed: ${describeError(error).message}`));
    }, this.deps.policy.scheduleMs);
    this.schedule.unref();
  }

  /**
   * Trains a new model version now. Runs are serialised: one at a time. The model is stored and
   * published first; its quality metrics are computed after that, outside the run (the next run
   * need not wait for them). `train` resolves once they are stored too, with the model as stored.
   */
  async train(k: number | undefined, trigger: 'automatic' | 'import' | 'scheduled' | 'on-demand'): Promise<TrainOutcome> {
    this.running++;
    try {
      const run = this.queue.then(() => this.trainNow(k ?? this.deps.policy.k, trigger));
      this.queue = run.catch(() => undefined);
      const outcome = await run;
      if (!outcome.ok) return outcome;
      // A failure is logged where it happens; the model stays, without metrics until the next start.
      await outcome.metrics.catch(() => undefined);
      return { ok: true, model: (await this.deps.repository.model(outcome.model.version)) ?? outcome.model };
    } finally {
      this.running--;
    }
  }

  private async trainNow(k: number, trigger: string): Promise<RunOutcome> {
    const { repository, policy, logger } = this.deps;
    if (!Number.isInteger(k) || k < 2 || k > 20) return { ok: false, code: 'BAD_K', message: `k must be an integer from 2 to 20, got ${k}` };
    const customers = await repository.allFeatures();
    if (customers.length < Math.max(policy.minCustomers, k)) {
      return { ok: false, code: 'NOT_ENOUGH_CUSTOMERS', message: `need at least ${Math.max(policy.minCustomers, k)} customers to train, have ${customers.length}` };
    }
    const started = this.deps.now();
    const trainedAt = started.toISOString();
    const options = { k, seed: policy.seed, restarts: policy.restarts };
    // The model first, its quality metrics (the k sweep, most of a run's time) once it is out:
    // segments and placements do not wait for charts.
    const trained = trainModel(customers, { ...options, metrics: false });
    const model = await repository.saveModel(trained, FEATURES, trainedAt);
    const ms = this.deps.now().getTime() - started.getTime();
    logger.info({ version: model.version, k, customers: customers.length, inertia: trained.inertia, ms, trigger }, 'trained a segmentation model');
    this.deps.observe?.trained(trigger, ms / 1000);
    await this.publishModelEvents(model, trained.assignments.map((a) => ({ ...a, modelVersion: model.version })));
    // Placements and the next run (on demand) need not wait for the metrics, computed off the
    // service's thread. They still count in the automatic runs' share of the time (they cost a
    // CPU as much as the fit): an automatic run waits until they are stored and the rest is over.
    const fitMs = this.deps.now().getTime() - started.getTime();
    const metrics = this.computingMetrics(async () => {
      const from = this.deps.now().getTime();
      try {
        await repository.saveModelMetrics(model.version, await this.metricsOf(customers, trained, options));
      } finally {
        const endedAt = this.deps.now().getTime();
        this.lastRun = { endedAt, durationMs: fitMs + (endedAt - from) };
      }
    });
    // A failure is logged here; the model stays without metrics until the next start.
    metrics.catch((error: unknown) => logger.error({ version: model.version }, `computing the model's quality metrics failed: ${describeError(error).message} (they are computed again at the next start)`));
    return { ok: true, model, metrics };
  }

  /** Runs metrics computations one at a time. */
  private computingMetrics<T>(run: () => Promise<T>): Promise<T> {
    const next = this.metricsQueue.then(run);
    this.metricsQueue = next.catch(() => undefined);
    return next;
  }

  private metricsOf(customers: readonly CustomerMetrics[], trained: MetricsInput, options: { seed: number; restarts: number }): Promise<ModelMetrics> {
    return this.deps.computeMetrics ? this.deps.computeMetrics(customers, trained, options) : Promise.resolve(trainedModelMetrics(customers, trained, options));
  }

  /**
   * Publishes the models that were stored but whose events never reached the broker (the service
   * stopped or crashed in between), oldest first, with the assignments still under each. Called
   * at start; consumers are idempotent, so a model published twice changes nothing. Serialised
   * with training runs, so model events keep their version order.
   */
  publishPending(): Promise<number[]> {
    const run = this.queue.then(() => this.publishPendingNow());
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async publishPendingNow(): Promise<number[]> {
    const { repository } = this.deps;
    const versions = await repository.unpublishedModelVersions();
    for (const version of versions) {
      const model = await repository.model(version);
      if (!model) continue;
      this.deps.logger.warn({ version }, 'model was stored but not published: publishing it now');
      await this.publishModelEvents(model, await repository.assignmentsUnder(version));
    }
    return versions;
  }

  /**
   * Computes and stores the quality metrics of the models stored without them, oldest first: the
   * service stopped or crashed after a model was stored and before its metrics were (the k sweep
   * takes most of a run), so its charts would stay empty. Called at start, after
   * {@link publishPending}; after the metrics being computed (one computation at a time). Returns the versions it completed; a
   * model with no customer left under it (erased, or all on a newer model) is skipped.
   */
  completePendingMetrics(): Promise<number[]> {
    return this.computingMetrics(() => this.completePendingMetricsNow());
  }

  private async completePendingMetricsNow(): Promise<number[]> {
    const { repository, policy, logger } = this.deps;
    const completed: number[] = [];
    for (const version of await repository.modelVersionsWithoutMetrics()) {
      const model = await repository.model(version);
      if (!model || model.metrics !== null) continue;
      // The run computed the metrics from the features it had just read, which are not kept: the
      // feature table holds each customer's latest metrics only, and nothing records which
      // customers a run read (the assignments under a version are the customers placed on it
      // now: newcomers join, erasures and a newer model take customers away). So the metrics are
      // computed from the current features of the customers still under the model, with the
      // clusters training gives them (the nearest of the model's centroids at its analysis date,
      // not the stored assignments, which placements at a later date move), the model's seed and
      // the policy's restarts (not stored either). That is what the run computed when none of
      // these customers changed since and none joined or left, with unchanged restarts; otherwise
      // the metrics describe the model over its customers as they are now.
      const customers = await repository.featuresUnder(version);
      if (customers.length === 0) {
        logger.info({ version }, 'model was stored without its quality metrics and has no customer under it any more (erased, or on a newer model): leaving them empty');
        continue;
      }
      const changedSince = await repository.countChangedSince(model.trainedAt);
      logger.warn(
        { version, customers: customers.length, trainedOn: model.customers, changedSince },
        'model was stored without its quality metrics: computing them now from the current features of the customers under it (those it was trained on are not kept: the same metrics as the run only if none changed since)',
      );
      const assignments = placeCustomers(customers, model, model.asOf);
      const metrics = await this.metricsOf(customers, { asOf: model.asOf, k: model.k, scaler: model.scaler, centroids: model.centroids, assignments }, { seed: model.seed, restarts: policy.restarts });
      await repository.saveModelMetrics(version, metrics);
      completed.push(version);
    }
    return completed;
  }

  /**
   * The model and its training assignments, retried until the broker takes them, then the model
   * is marked published: it is stored and nothing will train it again, so its events must follow
   * even if the broker is away for a while, or profiling would never hear of this version.
   */
  private async publishModelEvents(model: StoredModel, assignments: readonly Assignment[]): Promise<void> {
    const { logger, repository } = this.deps;
    const correlationId = `model-${model.version}`;
    const retry = { what: `Kafka broker (to publish model ${model.version})`, signal: this.stopped.signal };
    await retryWithBackoff(() => this.deps.publishModel(model, correlationId), logger, retry);
    await retryWithBackoff(() => this.deps.publishAssignments(assignments.map((a) => ({ ...a, previousCluster: null })), 'training', correlationId), logger, retry);
    await repository.markModelPublished(model.version);
  }

  stop(): void {
    this.stopped.abort();
    if (this.timer) clearTimeout(this.timer);
    if (this.deferred) clearTimeout(this.deferred);
    if (this.schedule) clearInterval(this.schedule);
  }
}

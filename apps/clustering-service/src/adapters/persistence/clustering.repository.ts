import type { DataSource, EntityManager } from 'typeorm';
import type { CustomerMetricsData, ImportMetricsEnded } from '@seg/contracts-events';
import type { CustomerMetrics } from '@seg/domain-rfm';
import type { FittedScaler } from '@seg/domain-clustering';
import { chunk, deleteCustomerRows, erasedAmong, inList, placeholders, rememberErased, toIsoSeconds, toSqlDateTime } from '@seg/platform-persistence';
import type { ModelMetrics, TrainedModel } from '../../application/train-model';

export interface StoredModel {
  readonly version: number;
  readonly trainedAt: string;
  readonly asOf: string;
  readonly k: number;
  readonly seed: number;
  readonly customers: number;
  readonly inertia: number;
  readonly features: readonly string[];
  readonly scaler: FittedScaler;
  readonly centroids: readonly (readonly number[])[];
  readonly summary: Pick<TrainedModel, 'clusters' | 'population'>;
  /** Null for models trained before metrics were stored. */
  readonly metrics: ModelMetrics | null;
}

export interface Assignment {
  readonly customerId: string;
  readonly modelVersion: number;
  readonly cluster: number;
  readonly distance: number;
}

interface FeatureRow {
  customer_id: string;
  country: string;
  first_purchase_at: Date;
  last_purchase_at: Date;
  frequency: number;
  monetary_milli: string;
  cancelled_milli: string;
}

interface ModelRow {
  version: number;
  trained_at: Date;
  as_of: Date;
  k: number;
  seed: number;
  customers: number;
  inertia: number;
  features: string;
  scaler: string;
  centroids: string;
  summary: string;
  metrics: string | null;
}

const FEATURE_COLUMNS = 'customer_id, country, first_purchase_at, last_purchase_at, frequency, monetary_milli, cancelled_milli';

/** An event's revision as stored: 0 for an event published before rfm had revisions. */
const revisionOf = (m: CustomerMetricsData): number => m.revision ?? 0;

const toCustomerMetrics = (row: FeatureRow): CustomerMetrics => ({
  customerId: row.customer_id,
  country: row.country,
  firstPurchaseAt: toIsoSeconds(row.first_purchase_at),
  lastPurchaseAt: toIsoSeconds(row.last_purchase_at),
  frequency: row.frequency,
  monetaryMilli: Number(row.monetary_milli),
  cancelledMilli: Number(row.cancelled_milli),
});

const json = <T>(value: unknown): T => (typeof value === 'string' ? (JSON.parse(value) as T) : (value as T));

/** A model's metrics without the projection points of these customers. */
function withoutPoints(metrics: ModelMetrics, customerIds: ReadonlySet<string>): ModelMetrics {
  if (!metrics.projection) return metrics;
  return { ...metrics, projection: { ...metrics.projection, points: metrics.projection.points.filter((p) => !customerIds.has(p.customerId)) } };
}

/** `LIKE` pattern text matching `text` literally (JSON_SEARCH takes LIKE patterns; backslash escapes). */
const likeLiteral = (text: string): string => text.replace(/[\\%_]/g, (c) => `\\${c}`);

const toModel = (row: ModelRow): StoredModel => ({
  version: row.version,
  trainedAt: row.trained_at.toISOString(),
  asOf: toIsoSeconds(row.as_of),
  k: row.k,
  seed: row.seed,
  customers: row.customers,
  inertia: row.inertia,
  features: json(row.features),
  scaler: json(row.scaler),
  centroids: json(row.centroids),
  summary: json(row.summary),
  metrics: row.metrics === null || row.metrics === undefined ? null : json<ModelMetrics>(row.metrics),
});

/** The feature table, model versions and current assignments. */
export class ClusteringRepository {
  constructor(private readonly db: DataSource) {}

  /**
   * Upserts the newest metrics of each customer and returns the customers whose event was applied,
   * with their features as stored: those are the ones to place. Erased customers are skipped (their
   * metrics can arrive after the erasure) and not returned.
   *
   * Newest means the highest revision (CustomerMetricsChanged.revision, stored as 0 when absent).
   * rfm publishes from two lanes, so an older snapshot of a customer can arrive after a newer one:
   * an event is applied only if its revision is at least the stored one (equal: a replay of the
   * same snapshot, harmless). An event without a revision was published before rfm had revisions,
   * so it is older than any event with one: it is applied to a new customer or to a row without a
   * revision (as before revisions existed), and dropped on a row with one (0 < any revision, so
   * one comparison covers all three cases). Within a batch the highest revision of a customer
   * wins, on a tie the later event. A dropped event is not returned: its customer was placed with
   * the newer features when they were stored, and placing it again now would use stale data.
   */
  async upsertFeatures(metrics: readonly CustomerMetricsData[]): Promise<CustomerMetrics[]> {
    const newest = new Map<string, CustomerMetricsData>();
    for (const m of metrics) {
      const seen = newest.get(m.customerId);
      if (!seen || revisionOf(m) >= revisionOf(seen)) newest.set(m.customerId, m);
    }
    return this.db.transaction(async (tx) => {
      for (const id of await erasedAmong(tx, [...newest.keys()])) newest.delete(id);
      const applied: CustomerMetrics[] = [];
      for (const part of chunk([...newest.values()], 1_000)) {
        // MariaDB evaluates the assignments left to right, so revision comes last: the conditions
        // before it compare with the stored revision. A dropped event sets every column to its own
        // value, which leaves updated_at (ON UPDATE) alone: it does not count as a change.
        await tx.query(
          `INSERT INTO customer_features (customer_id, country, first_purchase_at, last_purchase_at, frequency, monetary_milli, cancelled_milli, revision)
           VALUES ${placeholders(part.length, 8)}
           ON DUPLICATE KEY UPDATE
             country = IF(VALUES(revision) >= revision, VALUES(country), country),
             first_purchase_at = IF(VALUES(revision) >= revision, VALUES(first_purchase_at), first_purchase_at),
             last_purchase_at = IF(VALUES(revision) >= revision, VALUES(last_purchase_at), last_purchase_at),
             frequency = IF(VALUES(revision) >= revision, VALUES(frequency), frequency),
             monetary_milli = IF(VALUES(revision) >= revision, VALUES(monetary_milli), monetary_milli),
             cancelled_milli = IF(VALUES(revision) >= revision, VALUES(cancelled_milli), cancelled_milli),
             revision = GREATEST(revision, VALUES(revision))`,
          part.flatMap((m) => [m.customerId, m.country, toSqlDateTime(m.firstPurchaseAt), toSqlDateTime(m.lastPurchaseAt), m.frequency, m.monetaryMilli, m.cancelledMilli, revisionOf(m)]),
        );
        // What is stored now (a locking read: the rows this upsert locked, not an older snapshot).
        // The event was applied where the stored revision is its own.
        const rows: (FeatureRow & { revision: number | string })[] = await tx.query(
          `SELECT ${FEATURE_COLUMNS}, revision FROM customer_features WHERE customer_id IN (${inList(part.length)}) LOCK IN SHARE MODE`,
          part.map((m) => m.customerId),
        );
        const stored = new Map(rows.map((row) => [row.customer_id, row]));
        for (const m of part) {
          const row = stored.get(m.customerId);
          if (row && Number(row.revision) === revisionOf(m)) applied.push(toCustomerMetrics(row));
        }
      }
      return applied;
    });
  }

  /** Every customer's features, by customer id (the order a training run reads them in). */
  async allFeatures(): Promise<CustomerMetrics[]> {
    const rows: FeatureRow[] = await this.db.query(`SELECT ${FEATURE_COLUMNS} FROM customer_features ORDER BY customer_id`);
    return rows.map(toCustomerMetrics);
  }

  /**
   * The current features of the customers whose assignment is under this model version, by
   * customer id as in {@link allFeatures}. Only the latest features of a customer are kept, so
   * these are not necessarily the ones the model was trained on.
   */
  async featuresUnder(version: number): Promise<CustomerMetrics[]> {
    const rows: FeatureRow[] = await this.db.query(
      `SELECT ${FEATURE_COLUMNS} FROM customer_features
        WHERE customer_id IN (SELECT customer_id FROM customer_assignments WHERE model_version = ?)
        ORDER BY customer_id`,
      [version],
    );
    return rows.map(toCustomerMetrics);
  }

  async latestPurchase(): Promise<string | null> {
    const rows: { latest: Date | null }[] = await this.db.query('SELECT MAX(last_purchase_at) AS latest FROM customer_features');
    return rows[0]?.latest ? toIsoSeconds(rows[0].latest) : null;
  }

  /** How many model versions are stored. */
  /**
   * Stores the ends of imports met in the metric stream (a replayed one changes nothing) and
   * returns the imports whose ends are now all stored (one per line partition in each metrics
   * partition) and were not before, each with whether any end said it changed something: each is
   * returned once, ever, whichever replica stores its last end. The import's row in import_progress, written first, makes transactions about the same
   * import take turns, and the count is a locking read: it sees the ends the other committed.
   */
  async recordImportEnds(ends: readonly ImportMetricsEnded['data'][]): Promise<{ readonly importJobId: string; readonly changed: boolean }[]> {
    if (ends.length === 0) return [];
    const jobs = [...new Set(ends.map((end) => end.importJobId))].sort();
    return this.db.transaction(async (tx) => {
      await tx.query(`INSERT INTO import_progress (import_job_id) VALUES ${placeholders(jobs.length, 1)} ON DUPLICATE KEY UPDATE import_job_id = import_job_id`, jobs);
      await tx.query(
        `INSERT IGNORE INTO import_metric_ends (import_job_id, line_partition, metrics_partition, line_partitions, metrics_partitions, changed) VALUES ${placeholders(ends.length, 6)}`,
        ends.flatMap((end) => [end.importJobId, end.linePartition, end.partition, end.linePartitions, end.partitions, end.changed]),
      );
      const counts: { import_job_id: string; n: string | number; expected: string | number; changed: string | number }[] = await tx.query(
        `SELECT import_job_id, COUNT(*) AS n, MAX(line_partitions * metrics_partitions) AS expected, MAX(changed) AS changed
           FROM import_metric_ends WHERE import_job_id IN (${inList(jobs.length)}) GROUP BY import_job_id LOCK IN SHARE MODE`,
        jobs,
      );
      const applied: { importJobId: string; changed: boolean }[] = [];
      for (const row of counts.filter(({ n, expected }) => Number(n) >= Number(expected))) {
        const changed = Number(row.changed) === 1;
        const result: { affectedRows?: number } = await tx.query('UPDATE import_progress SET applied_at = CURRENT_TIMESTAMP(3), changed = ? WHERE import_job_id = ? AND applied_at IS NULL', [changed, row.import_job_id]);
        if (result.affectedRows === 1) applied.push({ importJobId: row.import_job_id, changed });
      }
      return applied;
    });
  }

  /** Imports that changed something and were applied after `since` (a model's trainedAt; null: ever). */
  async changedImportsAppliedSince(since: string | null): Promise<number> {
    const rows: { n: number | string }[] = await this.db.query(
      `SELECT COUNT(*) AS n FROM import_progress WHERE changed = 1 AND applied_at IS NOT NULL${since === null ? '' : ' AND applied_at > ?'}`,
      since === null ? [] : [toSqlDateTime(since)],
    );
    return Number(rows[0]?.n ?? 0);
  }

  async countModels(): Promise<number> {
    const rows: { n: number | string }[] = await this.db.query('SELECT COUNT(*) AS n FROM segmentation_models');
    return Number(rows[0]?.n ?? 0);
  }

  async countFeatures(): Promise<number> {
    const rows: { n: number | string }[] = await this.db.query('SELECT COUNT(*) AS n FROM customer_features');
    return Number(rows[0]?.n ?? 0);
  }

  /**
   * Customers whose features changed after the given model was trained, erased customers included:
   * the model's aggregates still count them, so an erasure is a reason to retrain.
   */
  async countChangedSince(trainedAt: string): Promise<number> {
    const rows: { n: number | string }[] = await this.db.query(
      'SELECT (SELECT COUNT(*) FROM customer_features WHERE updated_at > ?) + (SELECT COUNT(*) FROM erased_customers WHERE erased_at > ?) AS n',
      [toSqlDateTime(trainedAt), toSqlDateTime(trainedAt)],
    );
    return Number(rows[0]?.n ?? 0);
  }

  /**
   * Stores a model version and its assignments in one transaction; returns the new version.
   * Customers erased while the model trained get no assignment and no point on its projection.
   */
  async saveModel(model: TrainedModel, features: readonly string[], trainedAt: string): Promise<StoredModel> {
    const version = await this.db.transaction(async (tx) => {
      const erased = await erasedAmong(tx, model.assignments.map((a) => a.customerId));
      const result: { insertId: number } = await tx.query(
        `INSERT INTO segmentation_models (trained_at, as_of, k, seed, customers, inertia, features, scaler, centroids, summary, metrics)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [
          toSqlDateTime(trainedAt),
          toSqlDateTime(model.asOf),
          model.k,
          model.seed,
          model.population.customers,
          model.inertia,
          JSON.stringify(features),
          JSON.stringify(model.scaler),
          JSON.stringify(model.centroids),
          JSON.stringify({ clusters: model.clusters, population: model.population }),
          model.metrics === null ? null : JSON.stringify(withoutPoints(model.metrics, erased)),
        ],
      );
      const modelVersion = result.insertId;
      for (const part of chunk(model.assignments.filter((a) => !erased.has(a.customerId)), 2_000)) {
        await tx.query(
          `INSERT INTO customer_assignments (customer_id, model_version, cluster, distance) VALUES ${placeholders(part.length, 4)}
           ON DUPLICATE KEY UPDATE model_version = VALUES(model_version), cluster = VALUES(cluster), distance = VALUES(distance)`,
          part.flatMap((a) => [a.customerId, modelVersion, a.cluster, a.distance]),
        );
      }
      return modelVersion;
    });
    const stored = await this.model(version);
    if (!stored) throw new Error(`model ${version} vanished right after it was stored`);
    return stored;
  }

  /**
   * Stores placements; customers erased meanwhile are skipped. A placement under an older model than the stored one is ignored: a batch
   * placed on model N while model N+1 was being trained and saved must not move the customer back
   * to N, where no current segment would count it (model_version is assigned last on purpose: the
   * IFs compare against the stored version).
   */
  async saveAssignments(assignments: readonly Assignment[]): Promise<void> {
    await this.db.transaction(async (tx) => {
      const erased = await erasedAmong(tx, assignments.map((a) => a.customerId));
      for (const part of chunk(assignments.filter((a) => !erased.has(a.customerId)), 2_000)) {
        await tx.query(
          `INSERT INTO customer_assignments (customer_id, model_version, cluster, distance) VALUES ${placeholders(part.length, 4)}
           ON DUPLICATE KEY UPDATE
             cluster = IF(VALUES(model_version) >= model_version, VALUES(cluster), cluster),
             distance = IF(VALUES(model_version) >= model_version, VALUES(distance), distance),
             model_version = GREATEST(model_version, VALUES(model_version))`,
          part.flatMap((a) => [a.customerId, a.modelVersion, a.cluster, a.distance]),
        );
      }
    });
  }

  /**
   * Erases customers (GDPR art. 17): their features and assignments go, their points leave the
   * stored models' projections, and they are remembered as erased so that later metric events
   * are dropped. One statement per table per batch (plus one update per model that showed them);
   * erasing again is harmless. Centroids, cluster sizes and summaries of models trained before
   * are aggregates and stay until the next training.
   */
  async eraseCustomers(customerIds: readonly string[]): Promise<{ features: number; assignments: number; models: number }> {
    if (customerIds.length === 0) return { features: 0, assignments: 0, models: 0 };
    return this.db.transaction(async (tx) => {
      await rememberErased(tx, customerIds);
      const features = await deleteCustomerRows(tx, 'customer_features', 'customer_id', customerIds);
      const assignments = await deleteCustomerRows(tx, 'customer_assignments', 'customer_id', customerIds);
      const models = await this.removeFromProjections(tx, customerIds);
      return { features, assignments, models };
    });
  }

  /**
   * Stores the quality metrics of a model saved without them. Customers erased meanwhile get no
   * point on its projection (the locking read of the erased customers waits for an erasure in
   * progress).
   */
  async saveModelMetrics(version: number, metrics: ModelMetrics): Promise<void> {
    await this.db.transaction(async (tx) => {
      const erased = await erasedAmong(tx, (metrics.projection?.points ?? []).map((p) => p.customerId));
      await tx.query('UPDATE segmentation_models SET metrics = ? WHERE version = ?', [JSON.stringify(withoutPoints(metrics, erased)), version]);
    });
  }

  private async removeFromProjections(tx: EntityManager, customerIds: readonly string[]): Promise<number> {
    const erased = new Set(customerIds);
    const versions = new Set<number>();
    for (const part of chunk([...erased], 200)) {
      const found = part.map(() => `JSON_SEARCH(metrics, 'one', ?, NULL, '$.projection.points[*].customerId') IS NOT NULL`).join(' OR ');
      const rows: { version: number }[] = await tx.query(`SELECT version FROM segmentation_models WHERE metrics IS NOT NULL AND (${found})`, part.map(likeLiteral));
      for (const row of rows) versions.add(row.version);
    }
    for (const version of versions) {
      const rows: { metrics: string | ModelMetrics }[] = await tx.query('SELECT metrics FROM segmentation_models WHERE version = ? FOR UPDATE', [version]);
      const metrics = rows[0] ? json<ModelMetrics>(rows[0].metrics) : null;
      if (metrics) await tx.query('UPDATE segmentation_models SET metrics = ? WHERE version = ?', [JSON.stringify(withoutPoints(metrics, erased)), version]);
    }
    return versions.size;
  }

  async assignmentsOf(customerIds: readonly string[]): Promise<Map<string, Assignment>> {
    const result = new Map<string, Assignment>();
    for (const part of chunk(customerIds, 1_000)) {
      const rows: { customer_id: string; model_version: number; cluster: number; distance: number }[] = await this.db.query(
        `SELECT customer_id, model_version, cluster, distance FROM customer_assignments WHERE customer_id IN (${inList(part.length)})`,
        part,
      );
      for (const r of rows) result.set(r.customer_id, { customerId: r.customer_id, modelVersion: r.model_version, cluster: r.cluster, distance: r.distance });
    }
    return result;
  }

  async model(version: number): Promise<StoredModel | null> {
    const rows: ModelRow[] = await this.db.query('SELECT * FROM segmentation_models WHERE version = ?', [version]);
    return rows[0] ? toModel(rows[0]) : null;
  }

  /**
   * The newest model without its quality metrics (the k sweep and a projection of up to 2,000
   * customers): what placing customers needs, read on every metrics batch.
   */
  async latestModelForPlacement(): Promise<Omit<StoredModel, 'metrics'> | null> {
    const rows: ModelRow[] = await this.db.query(
      `SELECT version, trained_at, as_of, k, seed, customers, inertia, features, scaler, centroids, summary, NULL AS metrics
         FROM segmentation_models ORDER BY version DESC LIMIT 1`,
    );
    if (!rows[0]) return null;
    const { metrics: _metrics, ...model } = toModel(rows[0]);
    return model;
  }

  async latestModel(): Promise<StoredModel | null> {
    const rows: ModelRow[] = await this.db.query('SELECT * FROM segmentation_models ORDER BY version DESC LIMIT 1');
    return rows[0] ? toModel(rows[0]) : null;
  }

  /** Versions stored but whose events have not all reached the broker, oldest first. */
  async unpublishedModelVersions(): Promise<number[]> {
    const rows: { version: number }[] = await this.db.query('SELECT version FROM segmentation_models WHERE published_at IS NULL ORDER BY version');
    return rows.map((r) => r.version);
  }

  /**
   * Versions stored without their quality metrics, oldest first: a crash between a model and its
   * metrics (they are computed after it is published), or a model trained before they were kept.
   */
  async modelVersionsWithoutMetrics(): Promise<number[]> {
    const rows: { version: number }[] = await this.db.query('SELECT version FROM segmentation_models WHERE metrics IS NULL ORDER BY version');
    return rows.map((r) => r.version);
  }

  async markModelPublished(version: number): Promise<void> {
    await this.db.query('UPDATE segmentation_models SET published_at = CURRENT_TIMESTAMP(3) WHERE version = ? AND published_at IS NULL', [version]);
  }

  /** The stored assignments that are still under this model version (later placements may have moved others on). */
  async assignmentsUnder(version: number): Promise<Assignment[]> {
    const rows: { customer_id: string; cluster: number; distance: number }[] = await this.db.query(
      'SELECT customer_id, cluster, distance FROM customer_assignments WHERE model_version = ? ORDER BY customer_id',
      [version],
    );
    return rows.map((r) => ({ customerId: r.customer_id, modelVersion: version, cluster: r.cluster, distance: r.distance }));
  }

  async models(limit: number): Promise<StoredModel[]> {
    const rows: ModelRow[] = await this.db.query('SELECT * FROM segmentation_models ORDER BY version DESC LIMIT ?', [limit]);
    return rows.map(toModel);
  }
}

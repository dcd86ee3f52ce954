import type { DataSource } from 'typeorm';
import type { CouponRule, PreviousSegment } from '@seg/domain-profiling';
import type { ProfiledSegment } from '../../application/profile-models';
import type { CustomerSegmentAssignedData, SegmentationModelData } from '@seg/contracts-events';
import { chunk, deleteCustomerRows, erasedAmong, placeholders, rememberErased, toSqlDateTime } from '@seg/platform-persistence';

type Triple = SegmentationModelData['clusters'][number]['centroid'];

export interface SegmentRecord {
  readonly modelVersion: number;
  readonly cluster: number;
  /** Stable across model versions while the segment's centroid barely moves. */
  readonly key: string;
  readonly inheritedFrom: string | null;
  readonly name: string;
  readonly rfmSegment: string;
  readonly description: string;
  readonly reasons: readonly string[];
  readonly size: number;
  readonly revenueMilli: number;
  readonly modelCustomers: number;
  readonly modelRevenueMilli: number;
  readonly centroid: Triple;
  readonly medians: Triple;
  readonly topCountries: readonly { readonly country: string; readonly customers: number }[];
}

interface SegmentRow {
  model_version: number;
  cluster: number;
  segment_key: string;
  inherited_from: string | null;
  name: string;
  rfm_segment: string;
  description: string;
  reasons: string | string[];
  size: number;
  revenue_milli: string;
  model_customers: number;
  model_revenue_milli: string;
  centroid: string | Triple;
  medians: string | Triple;
  top_countries: string | SegmentRecord['topCountries'];
}

const json = <T>(value: unknown): T => (typeof value === 'string' ? (JSON.parse(value) as T) : (value as T));

const toSegment = (row: SegmentRow): SegmentRecord => ({
  modelVersion: row.model_version,
  cluster: row.cluster,
  key: row.segment_key,
  inheritedFrom: row.inherited_from,
  name: row.name,
  rfmSegment: row.rfm_segment,
  description: row.description,
  reasons: json(row.reasons),
  size: row.size,
  revenueMilli: Number(row.revenue_milli),
  modelCustomers: row.model_customers,
  modelRevenueMilli: Number(row.model_revenue_milli),
  centroid: json(row.centroid),
  medians: json(row.medians),
  topCountries: json(row.top_countries),
});

/** Segments per model version, coupon rules and each customer's current cluster. */
export class ProfilingRepository {
  constructor(private readonly db: DataSource) {}

  /** Stores a model's named segments; storing the same model version again changes nothing. */
  async saveSegments(model: SegmentationModelData, segments: readonly ProfiledSegment[]): Promise<void> {
    const byCluster = new Map(segments.map((n) => [n.cluster, n]));
    const rows = model.clusters.map((c) => {
      const name = byCluster.get(c.cluster);
      if (!name) throw new Error(`no name for cluster ${c.cluster} of model ${model.modelVersion}`);
      return [
        model.modelVersion,
        c.cluster,
        name.key,
        name.inheritedFrom,
        name.matchDistance,
        name.name,
        name.rfmSegment,
        name.description.slice(0, 512),
        JSON.stringify(name.reasons),
        c.size,
        c.revenueMilli,
        model.population.customers,
        model.population.revenueMilli,
        JSON.stringify(c.centroid),
        JSON.stringify(c.medians),
        JSON.stringify(c.topCountries),
        toSqlDateTime(model.trainedAt),
      ];
    });
    if (rows.length === 0) return;
    await this.db.query(
      `INSERT IGNORE INTO segments (model_version, cluster, segment_key, inherited_from, match_distance, name, rfm_segment, description,
         reasons, size, revenue_milli, model_customers, model_revenue_milli, centroid, medians, top_countries, trained_at)
       VALUES ${placeholders(rows.length, 17)}`,
      rows.flat(),
    );
  }

  /** The segments of the newest model older than `modelVersion`, which a new model may continue. */
  async previousSegments(modelVersion: number): Promise<PreviousSegment[]> {
    const rows: SegmentRow[] = await this.db.query(
      'SELECT * FROM segments WHERE model_version = (SELECT MAX(model_version) FROM segments WHERE model_version < ?) ORDER BY cluster',
      [modelVersion],
    );
    return rows.map(toSegment).map((s) => ({ key: s.key, name: s.name, centroid: s.centroid }));
  }

  async latestSegments(): Promise<SegmentRecord[]> {
    const rows: SegmentRow[] = await this.db.query(
      'SELECT * FROM segments WHERE model_version = (SELECT MAX(model_version) FROM segments) ORDER BY size DESC, cluster',
    );
    return rows.map(toSegment);
  }

  async segment(modelVersion: number, cluster: number): Promise<SegmentRecord | null> {
    const rows: SegmentRow[] = await this.db.query('SELECT * FROM segments WHERE model_version = ? AND cluster = ?', [modelVersion, cluster]);
    return rows[0] ? toSegment(rows[0]) : null;
  }

  /**
   * Records customers' clusters. An assignment from an older model version than the stored one is
   * ignored, so a late or replayed event cannot move a customer back to an outdated model. An
   * erased customer's assignment (arriving after the erasure) is dropped.
   */
  async saveAssignments(assignments: readonly CustomerSegmentAssignedData[]): Promise<void> {
    const latest = new Map<string, CustomerSegmentAssignedData>();
    for (const a of assignments) {
      const seen = latest.get(a.customerId);
      if (!seen || a.modelVersion >= seen.modelVersion) latest.set(a.customerId, a);
    }
    await this.db.transaction(async (tx) => {
      for (const id of await erasedAmong(tx, [...latest.keys()])) latest.delete(id);
      for (const part of chunk([...latest.values()], 2_000)) {
        await tx.query(
          `INSERT INTO customer_segments (customer_id, model_version, cluster) VALUES ${placeholders(part.length, 3)}
           ON DUPLICATE KEY UPDATE
             cluster = IF(VALUES(model_version) >= model_version, VALUES(cluster), cluster),
             model_version = GREATEST(model_version, VALUES(model_version))`,
          part.flatMap((a) => [a.customerId, a.modelVersion, a.cluster]),
        );
      }
    });
  }

  /**
   * Erases customers (GDPR art. 17) in one transaction: their segment rows go, and they are
   * remembered as erased so that events about them arriving later are dropped (the customer
   * directory checks the same table). One statement per table per batch; erasing again is
   * harmless. Segment sizes and profiles of models trained before are aggregates and stay.
   */
  async eraseCustomers(customerIds: readonly string[]): Promise<{ segments: number }> {
    if (customerIds.length === 0) return { segments: 0 };
    return this.db.transaction(async (tx) => {
      await rememberErased(tx, customerIds);
      const segments = await deleteCustomerRows(tx, 'customer_segments', 'customer_id', customerIds);
      return { segments };
    });
  }

  async customerSegment(customerId: string): Promise<SegmentRecord | null> {
    const rows: SegmentRow[] = await this.db.query(
      `SELECT s.* FROM customer_segments c JOIN segments s ON s.model_version = c.model_version AND s.cluster = c.cluster
        WHERE c.customer_id = ?`,
      [customerId],
    );
    return rows[0] ? toSegment(rows[0]) : null;
  }

  /** Inserts the default rules for segments that have none; edited rules are kept. */
  async seedCouponRules(rules: readonly CouponRule[]): Promise<void> {
    await this.db.query(
      `INSERT IGNORE INTO coupon_rules (segment, rule) VALUES ${placeholders(rules.length, 2)}`,
      rules.flatMap((r) => [r.segment, JSON.stringify(r)]),
    );
  }

  async couponRules(): Promise<CouponRule[]> {
    const rows: { rule: string | CouponRule }[] = await this.db.query('SELECT rule FROM coupon_rules ORDER BY segment');
    return rows.map((r) => json<CouponRule>(r.rule));
  }
}

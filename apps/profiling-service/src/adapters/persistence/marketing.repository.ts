import type { DataSource } from 'typeorm';
import type { ComputedSegmentName, CouponCampaign, CouponRule, CouponTerms } from '@seg/domain-profiling';
import type { Result } from '@seg/domain-transactions';
import { inList, toIsoSeconds, toSqlDateTime } from '@seg/platform-persistence';

/** Marketing's edits of one segment, kept under its stable key; null: the computed name or default rule applies. */
export interface SegmentOverride {
  readonly key: string;
  readonly name: string | null;
  readonly coupon: CouponTerms | null;
  readonly updatedBy: string;
  readonly updatedAt: string;
}

/** Where a segment key lives now: the newest model version holding it and its cluster there. */
export interface SegmentLocation {
  readonly modelVersion: number;
  readonly cluster: number;
}

/** What an override change sees: the segment, the other segments of its model and their overrides. */
export interface OverrideChangeContext {
  readonly target: SegmentLocation & ComputedSegmentName & { readonly rfmSegment: string };
  readonly segments: readonly ComputedSegmentName[];
  readonly overrides: ReadonlyMap<string, SegmentOverride>;
}

interface OverrideRow {
  segment_key: string;
  name: string | null;
  coupon_rule: string | CouponTerms | null;
  updated_by: string;
  updated_at: Date;
}

interface CampaignRow {
  id: string;
  name: string;
  segment_ids: string | string[];
  holdout_share: number;
  starts_at: Date;
  ends_at: Date | null;
  created_at: Date;
  created_by: string;
}

const json = <T>(value: unknown): T => (typeof value === 'string' ? (JSON.parse(value) as T) : (value as T));

const toOverride = (row: OverrideRow): SegmentOverride => ({
  key: row.segment_key,
  name: row.name,
  coupon: row.coupon_rule === null ? null : json<CouponTerms>(row.coupon_rule),
  updatedBy: row.updated_by,
  updatedAt: toIsoSeconds(row.updated_at),
});

const toCampaign = (row: CampaignRow): CouponCampaign => ({
  id: row.id,
  name: row.name,
  segmentIds: json<string[]>(row.segment_ids),
  holdoutShare: Number(row.holdout_share),
  startsAt: toIsoSeconds(row.starts_at),
  endsAt: row.ends_at === null ? null : toIsoSeconds(row.ends_at),
  createdAt: toIsoSeconds(row.created_at),
  createdBy: row.created_by,
});

/** Segment overrides (names, coupons), the default coupon strategy and coupon campaigns. */
export class MarketingRepository {
  constructor(private readonly db: DataSource) {}

  /** Every segment override by key: one row per segment marketing edited, a small table. */
  async overrides(): Promise<Map<string, SegmentOverride>> {
    const rows: OverrideRow[] = await this.db.query('SELECT * FROM segment_overrides');
    return new Map(rows.map((row) => [row.segment_key, toOverride(row)]));
  }

  /** The segments of a model version with their computed names, by cluster. */
  async modelSegmentNames(modelVersion: number): Promise<ComputedSegmentName[]> {
    const rows: { segment_key: string; name: string }[] = await this.db.query('SELECT segment_key, name FROM segments WHERE model_version = ? ORDER BY cluster', [modelVersion]);
    return rows.map((r) => ({ key: r.segment_key, name: r.name }));
  }

  /** The newest model version holding a segment key, with the segment's cluster there; null for an unknown key. */
  async locateSegment(key: string): Promise<SegmentLocation | null> {
    const rows: { model_version: number; cluster: number }[] = await this.db.query(
      'SELECT model_version, cluster FROM segments WHERE segment_key = ? ORDER BY model_version DESC LIMIT 1',
      [key],
    );
    return rows[0] ? { modelVersion: rows[0].model_version, cluster: rows[0].cluster } : null;
  }

  /**
   * Changes the override of segment `key` (in the newest model holding it) to what `change` decides,
   * in one transaction that locks that model's segments: two renames in one model are serialised, so
   * they cannot both take a free name. An override with neither a name nor a coupon is deleted.
   * Null when no model holds the key.
   */
  async changeOverride<E>(
    key: string,
    role: string,
    change: (context: OverrideChangeContext) => Result<{ name: string | null; coupon: CouponTerms | null }, E>,
  ): Promise<Result<SegmentLocation, E> | null> {
    return this.db.transaction(async (tx) => {
      const located: { v: number | null }[] = await tx.query('SELECT MAX(model_version) AS v FROM segments WHERE segment_key = ?', [key]);
      const modelVersion = located[0]?.v ?? null;
      if (modelVersion === null) return null;
      const rows: { segment_key: string; cluster: number; name: string; rfm_segment: string }[] = await tx.query(
        'SELECT segment_key, cluster, name, rfm_segment FROM segments WHERE model_version = ? ORDER BY cluster FOR UPDATE',
        [modelVersion],
      );
      const target = rows.find((r) => r.segment_key === key);
      if (!target) return null;
      const overrideRows: OverrideRow[] = await tx.query(`SELECT * FROM segment_overrides WHERE segment_key IN (${inList(rows.length)}) FOR UPDATE`, rows.map((r) => r.segment_key));
      const decided = change({
        target: { key, name: target.name, rfmSegment: target.rfm_segment, modelVersion, cluster: target.cluster },
        segments: rows.map((r) => ({ key: r.segment_key, name: r.name })),
        overrides: new Map(overrideRows.map((r) => [r.segment_key, toOverride(r)])),
      });
      if (!decided.ok) return decided;
      const { name, coupon } = decided.value;
      if (name === null && coupon === null) {
        await tx.query('DELETE FROM segment_overrides WHERE segment_key = ?', [key]);
      } else {
        await tx.query(
          `INSERT INTO segment_overrides (segment_key, name, coupon_rule, updated_by) VALUES (?, ?, ?, ?)
           ON DUPLICATE KEY UPDATE name = VALUES(name), coupon_rule = VALUES(coupon_rule), updated_by = VALUES(updated_by)`,
          [key, name, coupon === null ? null : JSON.stringify(coupon), role],
        );
      }
      return { ok: true as const, value: { modelVersion, cluster: target.cluster } };
    });
  }

  /** Replaces the default rule of a named RFM segment (the strategy every segment of it follows without an override). */
  async setCouponRule(rule: CouponRule): Promise<void> {
    await this.db.query('INSERT INTO coupon_rules (segment, rule) VALUES (?, ?) ON DUPLICATE KEY UPDATE rule = VALUES(rule)', [rule.segment, JSON.stringify(rule)]);
  }

  async createCampaign(campaign: CouponCampaign): Promise<void> {
    await this.db.query(
      `INSERT INTO coupon_campaigns (id, name, segment_ids, holdout_share, starts_at, ends_at, created_at, created_by)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        campaign.id,
        campaign.name,
        JSON.stringify(campaign.segmentIds),
        campaign.holdoutShare,
        toSqlDateTime(campaign.startsAt),
        campaign.endsAt === null ? null : toSqlDateTime(campaign.endsAt),
        toSqlDateTime(campaign.createdAt),
        campaign.createdBy,
      ],
    );
  }

  /** Every campaign, the newest (last created) first. */
  async campaigns(): Promise<CouponCampaign[]> {
    const rows: CampaignRow[] = await this.db.query('SELECT * FROM coupon_campaigns ORDER BY seq DESC');
    return rows.map(toCampaign);
  }

  /** The segment keys of the latest model. */
  async latestSegmentKeys(): Promise<Set<string>> {
    const rows: { segment_key: string }[] = await this.db.query('SELECT segment_key FROM segments WHERE model_version = (SELECT MAX(model_version) FROM segments)');
    return new Set(rows.map((r) => r.segment_key));
  }

  /** The ids of the customers assigned to the latest model, by segment key (customers not yet moved to it are left out). */
  async latestCustomersBySegment(): Promise<Map<string, string[]>> {
    const rows: { customer_id: string; segment_key: string }[] = await this.db.query(
      `SELECT c.customer_id, s.segment_key
         FROM customer_segments c JOIN segments s ON s.model_version = c.model_version AND s.cluster = c.cluster
        WHERE c.model_version = (SELECT MAX(model_version) FROM segments)`,
    );
    const bySegment = new Map<string, string[]>();
    for (const row of rows) {
      const ids = bySegment.get(row.segment_key);
      if (ids) ids.push(row.customer_id);
      else bySegment.set(row.segment_key, [row.customer_id]);
    }
    return bySegment;
  }
}

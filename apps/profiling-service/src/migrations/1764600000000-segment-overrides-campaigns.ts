import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Marketing's edits: per-segment overrides of the name and the coupon, keyed by the segment's stable
 * key so that they survive retrains that keep the segment; and coupon campaigns with their holdout.
 */
export class SegmentOverridesCampaigns1764600000000 implements MigrationInterface {
  readonly name = 'SegmentOverridesCampaigns1764600000000';

  async up(runner: QueryRunner): Promise<void> {
    // A NULL name or coupon_rule: the computed name or the default rule of the segment applies.
    await runner.query(`
      CREATE TABLE segment_overrides (
        segment_key VARCHAR(64) NOT NULL PRIMARY KEY,
        name VARCHAR(64) NULL,
        coupon_rule JSON NULL,
        updated_by VARCHAR(16) NOT NULL,
        updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3)
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
    // segment_ids: a JSON array of segment keys, empty for every segment; ends_at NULL: open-ended;
    // seq: the order of creation (created_at is kept to the second, several may share it).
    await runner.query(`
      CREATE TABLE coupon_campaigns (
        id CHAR(36) NOT NULL PRIMARY KEY,
        seq BIGINT NOT NULL AUTO_INCREMENT,
        name VARCHAR(100) NOT NULL,
        segment_ids JSON NOT NULL,
        holdout_share DOUBLE NOT NULL,
        starts_at DATETIME NOT NULL,
        ends_at DATETIME NULL,
        created_at DATETIME(3) NOT NULL,
        created_by VARCHAR(16) NOT NULL,
        UNIQUE KEY ux_coupon_campaigns_seq (seq)
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE coupon_campaigns');
    await runner.query('DROP TABLE segment_overrides');
  }
}

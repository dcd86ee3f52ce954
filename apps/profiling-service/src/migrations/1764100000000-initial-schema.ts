import type { MigrationInterface, QueryRunner } from 'typeorm';

export class InitialSchema1764100000000 implements MigrationInterface {
  readonly name = 'InitialSchema1764100000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE segments (
        model_version INT NOT NULL,
        cluster INT NOT NULL,
        name VARCHAR(64) NOT NULL,
        rfm_segment VARCHAR(32) NOT NULL,
        description VARCHAR(512) NOT NULL,
        reasons JSON NOT NULL,
        size INT NOT NULL,
        revenue_milli BIGINT NOT NULL,
        model_customers INT NOT NULL,
        model_revenue_milli BIGINT NOT NULL,
        centroid JSON NOT NULL,
        medians JSON NOT NULL,
        trained_at DATETIME(3) NOT NULL,
        PRIMARY KEY (model_version, cluster)
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
    // Coupon rules per named RFM segment; seeded with the default strategy, editable later.
    await runner.query(`
      CREATE TABLE coupon_rules (
        segment VARCHAR(32) NOT NULL PRIMARY KEY,
        rule JSON NOT NULL,
        updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3)
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
    await runner.query(`
      CREATE TABLE customer_segments (
        customer_id VARCHAR(64) NOT NULL PRIMARY KEY,
        model_version INT NOT NULL,
        cluster INT NOT NULL,
        updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
        KEY ix_customer_segments_model (model_version, cluster)
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE customer_segments');
    await runner.query('DROP TABLE coupon_rules');
    await runner.query('DROP TABLE segments');
  }
}

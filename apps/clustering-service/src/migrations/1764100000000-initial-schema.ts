import type { MigrationInterface, QueryRunner } from 'typeorm';

export class InitialSchema1764100000000 implements MigrationInterface {
  readonly name = 'InitialSchema1764100000000';

  async up(runner: QueryRunner): Promise<void> {
    // The feature table: the latest metrics of every customer, kept from metric events.
    await runner.query(`
      CREATE TABLE customer_features (
        customer_id VARCHAR(64) NOT NULL PRIMARY KEY,
        first_purchase_at DATETIME NOT NULL,
        last_purchase_at DATETIME NOT NULL,
        frequency INT NOT NULL,
        monetary_milli BIGINT NOT NULL,
        cancelled_milli BIGINT NOT NULL,
        updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
        KEY ix_features_updated (updated_at)
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
    // Every model version with what is needed to explain it and to place new customers.
    await runner.query(`
      CREATE TABLE segmentation_models (
        version INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
        trained_at DATETIME(3) NOT NULL,
        as_of DATETIME NOT NULL,
        k INT NOT NULL,
        seed INT NOT NULL,
        customers INT NOT NULL,
        inertia DOUBLE NOT NULL,
        features JSON NOT NULL,
        scaler JSON NOT NULL,
        centroids JSON NOT NULL,
        summary JSON NOT NULL
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
    await runner.query(`
      CREATE TABLE customer_assignments (
        customer_id VARCHAR(64) NOT NULL PRIMARY KEY,
        model_version INT NOT NULL,
        cluster INT NOT NULL,
        distance DOUBLE NOT NULL,
        assigned_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
        KEY ix_assignments_model (model_version, cluster)
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE customer_assignments');
    await runner.query('DROP TABLE segmentation_models');
    await runner.query('DROP TABLE customer_features');
  }
}

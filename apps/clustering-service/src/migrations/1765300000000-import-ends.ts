import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The ends of imports as the metric stream announces them (ImportMetricsEnded: one per line
 * partition of the import in each metrics partition), and per import whether its ends have all
 * been met (applied_at): every metric change of such an import is then in customer_features. Kept
 * in the database, not in memory, so that the count survives a restart (the offsets of the markers
 * met are committed) and replicas of the service, each reading some partitions, count together:
 * `changed` says whether the import stored new lines in that line partition (false for a file
 * imported again), so that an import that changed nothing trains nothing, and import_progress
 * keeps it with the time the import was applied, so that a restart right after still trains;
 * the import's row in import_progress is the lock that makes them take turns. Job ids compare
 * exactly.
 */
export class ImportEnds1765300000000 implements MigrationInterface {
  readonly name = 'ImportEnds1765300000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE import_metric_ends (
        import_job_id VARCHAR(64) NOT NULL,
        line_partition INT UNSIGNED NOT NULL,
        metrics_partition INT UNSIGNED NOT NULL,
        line_partitions INT UNSIGNED NOT NULL,
        metrics_partitions INT UNSIGNED NOT NULL,
        changed BOOLEAN NOT NULL,
        received_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
        PRIMARY KEY (import_job_id, line_partition, metrics_partition)
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`);
    await runner.query(`
      CREATE TABLE import_progress (
        import_job_id VARCHAR(64) NOT NULL PRIMARY KEY,
        applied_at DATETIME(3) NULL,
        changed BOOLEAN NULL,
        KEY ix_import_progress_applied (applied_at)
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE import_progress');
    await runner.query('DROP TABLE import_metric_ends');
  }
}

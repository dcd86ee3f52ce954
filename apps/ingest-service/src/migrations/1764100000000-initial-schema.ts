import type { MigrationInterface, QueryRunner } from 'typeorm';

export class InitialSchema1764100000000 implements MigrationInterface {
  readonly name = 'InitialSchema1764100000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE import_jobs (
        id CHAR(36) NOT NULL PRIMARY KEY,
        source VARCHAR(1024) NOT NULL,
        status ENUM('RUNNING','COMPLETED','FAILED') NOT NULL,
        lines_read INT NOT NULL DEFAULT 0,
        accepted INT NOT NULL DEFAULT 0,
        rejected INT NOT NULL DEFAULT 0,
        without_customer INT NOT NULL DEFAULT 0,
        bytes_read BIGINT NOT NULL DEFAULT 0,
        error TEXT NULL,
        started_at DATETIME(3) NOT NULL,
        finished_at DATETIME(3) NULL,
        KEY ix_import_jobs_started (started_at)
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
    await runner.query(`
      CREATE TABLE rejected_rows (
        id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
        job_id CHAR(36) NOT NULL,
        line_number INT NOT NULL,
        code VARCHAR(32) NOT NULL,
        reason VARCHAR(512) NOT NULL,
        raw TEXT NULL,
        KEY ix_rejected_rows_job (job_id, line_number),
        CONSTRAINT fk_rejected_rows_job FOREIGN KEY (job_id) REFERENCES import_jobs (id) ON DELETE CASCADE
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
    await runner.query(`
      CREATE TABLE customers (
        customer_id VARCHAR(64) NOT NULL PRIMARY KEY,
        country VARCHAR(64) NOT NULL,
        first_seen_at DATETIME NOT NULL,
        last_seen_at DATETIME NOT NULL
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE customers');
    await runner.query('DROP TABLE rejected_rows');
    await runner.query('DROP TABLE import_jobs');
  }
}

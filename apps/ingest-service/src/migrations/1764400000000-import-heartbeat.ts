import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Every progress update touches updated_at: a running import that stopped moving was interrupted. */
export class ImportHeartbeat1764400000000 implements MigrationInterface {
  readonly name = 'ImportHeartbeat1764400000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(
      `ALTER TABLE import_jobs ADD COLUMN updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3), ADD KEY ix_import_jobs_status (status, updated_at)`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE import_jobs DROP KEY ix_import_jobs_status, DROP COLUMN updated_at');
  }
}

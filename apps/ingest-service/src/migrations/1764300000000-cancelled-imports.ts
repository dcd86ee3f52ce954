import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Imports can be cancelled by an admin. */
export class CancelledImports1764300000000 implements MigrationInterface {
  readonly name = 'CancelledImports1764300000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE import_jobs MODIFY status ENUM('RUNNING','COMPLETED','FAILED','CANCELLED') NOT NULL`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`UPDATE import_jobs SET status = 'FAILED', error = 'cancelled' WHERE status = 'CANCELLED'`);
    await runner.query(`ALTER TABLE import_jobs MODIFY status ENUM('RUNNING','COMPLETED','FAILED') NOT NULL`);
  }
}

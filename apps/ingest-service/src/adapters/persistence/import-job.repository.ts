import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { repeatRow } from '@seg/platform-persistence';
import { customerDigest } from '../../application/customer-erasure';
import type { ImportCounters, KeptRejection } from '../../application/import-lines';

export type ImportStatus = 'RUNNING' | 'COMPLETED' | 'FAILED' | 'CANCELLED';

export interface ImportJobRecord {
  readonly id: string;
  readonly source: string;
  readonly status: ImportStatus;
  readonly linesRead: number;
  readonly accepted: number;
  readonly rejected: number;
  readonly withoutCustomer: number;
  readonly erased: number;
  readonly bytesRead: number;
  readonly error: string | null;
  readonly startedAt: Date;
  readonly finishedAt: Date | null;
}

export interface RejectedRowRecord {
  readonly lineNumber: number;
  readonly code: string;
  readonly reason: string;
  readonly raw: string | null;
}

interface JobRow {
  id: string;
  source: string;
  status: ImportStatus;
  lines_read: number;
  accepted: number;
  rejected: number;
  without_customer: number;
  erased: number;
  bytes_read: string;
  error: string | null;
  started_at: Date;
  finished_at: Date | null;
}

const toJob = (row: JobRow): ImportJobRecord => ({
  id: row.id,
  source: row.source,
  status: row.status,
  linesRead: row.lines_read,
  accepted: row.accepted,
  rejected: row.rejected,
  withoutCustomer: row.without_customer,
  erased: row.erased,
  bytesRead: Number(row.bytes_read),
  error: row.error,
  startedAt: row.started_at,
  finishedAt: row.finished_at,
});

/** Import jobs and their rejected rows. */
export class ImportJobRepository {
  constructor(private readonly db: DataSource) {}

  async create(source: string): Promise<ImportJobRecord> {
    const id = randomUUID();
    await this.db.query(`INSERT INTO import_jobs (id, source, status, started_at) VALUES (?, ?, 'RUNNING', NOW(3))`, [id, source]);
    const job = await this.get(id);
    if (!job) throw new Error(`import job ${id} vanished right after it was created`);
    return job;
  }

  async get(id: string): Promise<ImportJobRecord | null> {
    const rows: JobRow[] = await this.db.query('SELECT * FROM import_jobs WHERE id = ?', [id]);
    return rows[0] ? toJob(rows[0]) : null;
  }

  async list(limit: number): Promise<ImportJobRecord[]> {
    const rows: JobRow[] = await this.db.query('SELECT * FROM import_jobs ORDER BY started_at DESC LIMIT ?', [limit]);
    return rows.map(toJob);
  }

  /**
   * Stores a batch of rejected rows and the new counters in one transaction. A row whose customer
   * cell is known keeps that customer's digest, so that an erasure finds it.
   */
  async recordProgress(jobId: string, rejections: readonly KeptRejection[], counters: Readonly<ImportCounters>): Promise<void> {
    await this.db.transaction(async (tx) => {
      if (rejections.length > 0) {
        const values = rejections.flatMap((r) => [jobId, r.lineNumber, r.code.slice(0, 32), r.reason.slice(0, 512), r.raw ?? null, r.customerId === null ? null : customerDigest(r.customerId)]);
        await tx.query(`INSERT INTO rejected_rows (job_id, line_number, code, reason, raw, customer_digest) VALUES ${repeatRow(rejections.length, '(?,?,?,?,?,UNHEX(?))')}`, values);
      }
      await tx.query(
        'UPDATE import_jobs SET lines_read = ?, accepted = ?, rejected = ?, without_customer = ?, erased = ?, bytes_read = ? WHERE id = ?',
        [counters.linesRead, counters.accepted, counters.rejected, counters.withoutCustomer, counters.erased, counters.bytesRead, jobId],
      );
    });
  }

  async finish(jobId: string, status: Exclude<ImportStatus, 'RUNNING'>, error: string | null): Promise<void> {
    await this.db.query('UPDATE import_jobs SET status = ?, error = ?, finished_at = NOW(3) WHERE id = ?', [status, error, jobId]);
  }

  /**
   * Fails imports still marked RUNNING whose progress has not moved for `staleMs`: the process
   * running them stopped (a crash, a kill). Their published lines stay; importing the file again
   * completes them without counting anything twice. Returns how many were failed.
   */
  async failInterrupted(staleMs: number): Promise<number> {
    const result: { affectedRows?: number } = await this.db.query(
      `UPDATE import_jobs SET status = 'FAILED', finished_at = NOW(3),
         error = 'interrupted: the import stopped making progress (its ingest process stopped); import the file again to complete it, nothing is counted twice'
       WHERE status = 'RUNNING' AND updated_at < NOW(3) - INTERVAL ? MICROSECOND`,
      [staleMs * 1000],
    );
    return result.affectedRows ?? 0;
  }

  /**
   * A page of a job's rejected rows in line order, after line `afterLine` when given: a range of
   * the (job_id, line_number) index, so every page costs the same however deep it is. A job has
   * at most one row per line, so the line number is a complete cursor.
   */
  async rejectedRows(jobId: string, limit: number, afterLine: number | null = null): Promise<RejectedRowRecord[]> {
    const rows: { line_number: number; code: string; reason: string; raw: string | null }[] = await this.db.query(
      `SELECT line_number, code, reason, raw FROM rejected_rows WHERE job_id = ?${afterLine === null ? '' : ' AND line_number > ?'} ORDER BY line_number LIMIT ?`,
      afterLine === null ? [jobId, limit] : [jobId, afterLine, limit],
    );
    return rows.map((row) => ({ lineNumber: row.line_number, code: row.code, reason: row.reason, raw: row.raw }));
  }
}

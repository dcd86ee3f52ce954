import type { Logger } from 'pino';
import { resolveHeader } from '@seg/domain-transactions';
import { describeError, retryWithBackoff } from '@seg/platform-observability';
import { importLines, type ImportPorts, type SourceRecord } from './import-lines';

export interface UserError {
  readonly field: readonly string[] | null;
  readonly code: string;
  readonly message: string;
}

export interface JobStore<TJob> {
  create(source: string): Promise<TJob & { readonly id: string }>;
  get(id: string): Promise<TJob | null>;
  finish(id: string, status: 'COMPLETED' | 'FAILED' | 'CANCELLED', error: string | null): Promise<void>;
}

export interface ImportJobsDeps<TJob> {
  readonly jobs: JobStore<TJob>;
  /** Checks that a server-side path may be imported; returns a user error when not. */
  readonly checkPath: (path: string) => Promise<UserError | null>;
  readonly open: (path: string) => { readonly records: AsyncIterable<SourceRecord>; bytesRead(): number };
  readonly ports: Omit<ImportPorts, 'bytesRead'>;
  /**
   * Says that the job's lines end here (ImportLinesEnded in every partition of the import lane),
   * once a completed or cancelled import has published its last line: the services downstream
   * then know when everything of the import has reached them (clustering trains at once instead of
   * waiting for the metric stream to be quiet). Retried with backoff until it succeeds or the
   * service stops.
   */
  readonly endLines: (jobId: string) => Promise<void>;
  readonly batchSize: number;
  readonly logger: Logger;
  /** Aborted at shutdown: stops waiting for the database to record a failed import. */
  readonly signal?: AbortSignal;
}

/** The file an import reads, how it is named to people, and what to do once the import is over. */
interface ImportFile {
  readonly path: string;
  /** The job's source: the path itself, or the name of an uploaded file. */
  readonly source: string;
  /** The field user errors point at: the mutation's `path`, or none (an upload's body). */
  readonly field: readonly string[] | null;
  readonly release?: () => Promise<void>;
}

/**
 * Starts imports and runs them in the background. The header is checked before the mutation
 * returns, so a file without a required column fails at once with the column's name.
 */
export class ImportJobs<TJob> {
  private readonly running = new Set<Promise<void>>();
  private readonly cancels = new Map<string, AbortController>();

  constructor(private readonly deps: ImportJobsDeps<TJob>) {}

  async start(path: string): Promise<{ job: TJob | null; userErrors: UserError[] }> {
    const problem = await this.deps.checkPath(path);
    if (problem) return { job: null, userErrors: [problem] };
    return this.launch({ path, source: path, field: ['path'] });
  }

  /**
   * Imports a file this service stored itself (an upload), like {@link start} but without the
   * path check: the job's source is `source` (the file's own path is never shown), and `release`
   * (which deletes the file) runs once the job is over, whatever its outcome, or at once when the
   * import cannot start.
   */
  async startStored(path: string, source: string, release: () => Promise<void>): Promise<{ job: TJob | null; userErrors: UserError[] }> {
    return this.launch({ path, source, field: null, release });
  }

  private async launch(file: ImportFile): Promise<{ job: TJob | null; userErrors: UserError[] }> {
    const release = () => (file.release ? file.release().catch(() => undefined) : Promise.resolve());
    let handedOver = false;
    try {
      const job = await this.deps.jobs.create(file.source);
      const source = this.deps.open(file.path);
      const iterator = source.records[Symbol.asyncIterator]();
      const failed = async (code: string, message: string) => {
        await this.deps.jobs.finish(job.id, 'FAILED', message);
        return { job: await this.deps.jobs.get(job.id), userErrors: [{ field: file.field, code, message }] };
      };
      // Read the header now: a missing column is the caller's mistake and is answered right away.
      let first: IteratorResult<SourceRecord>;
      try {
        first = await iterator.next();
      } catch (error) {
        // Not a CSV the reader can open (a broken gzip stream): said in the caller's terms.
        return await failed('UNREADABLE_FILE', describeError(error).message.split(file.path).join(file.source));
      }
      const header = first.done ? undefined : first.value;
      const rest: AsyncIterable<SourceRecord> = { [Symbol.asyncIterator]: () => iterator };
      const records = (async function* () {
        if (header) yield header;
        yield* rest;
      })();
      const ports: ImportPorts = { ...this.deps.ports, bytesRead: () => source.bytesRead() };
      const log = this.deps.logger.child({ importJobId: job.id });

      if (!header || header.kind !== 'header') return await failed('EMPTY_FILE', 'the file is empty: no header line');
      const checked = resolveHeader(header.fields);
      if (!checked.ok) {
        await iterator.return?.();
        return await failed(checked.error.code, checked.error.message);
      }

      log.info(file.source === file.path ? { path: file.path } : { path: file.path, source: file.source }, 'import started');
      const cancel = new AbortController();
      this.cancels.set(job.id, cancel);
      const run = importLines(job.id, records, ports, this.deps.batchSize, cancel.signal)
        .then(async (outcome) => {
          if (outcome.ok && outcome.cancelled) {
            await iterator.return?.();
            await this.announceEnd(job.id, log);
            await this.deps.jobs.finish(job.id, 'CANCELLED', null);
            log.info(outcome.counters, 'import cancelled');
          } else if (outcome.ok) {
            await this.announceEnd(job.id, log);
            await this.deps.jobs.finish(job.id, 'COMPLETED', null);
            log.info(outcome.counters, 'import completed');
          } else {
            await this.deps.jobs.finish(job.id, 'FAILED', outcome.error.message);
            log.warn({ code: outcome.error.code }, `import failed: ${outcome.error.message}`);
          }
        })
        .catch(async (error: unknown) => {
          const { message } = describeError(error);
          log.error(`import failed: ${message}`);
          // The failure may be the database itself (a restart): keep trying to record it, or the
          // job would stay RUNNING for ever.
          const signal = this.deps.signal;
          await retryWithBackoff(() => this.deps.jobs.finish(job.id, 'FAILED', message), log, { what: `database (to record import ${job.id} as failed)`, ...(signal ? { signal } : {}) }).catch(() => undefined);
        })
        .then(release);
      const tracked = run.finally(() => {
        this.running.delete(tracked);
        this.cancels.delete(job.id);
      });
      this.running.add(tracked);
      handedOver = true;
      return { job, userErrors: [] };
    } finally {
      if (!handedOver) await release();
    }
  }

  /** Publishes the end of the job's lines, waiting out a broker that is briefly away. */
  private async announceEnd(jobId: string, log: Logger): Promise<void> {
    const signal = this.deps.signal;
    await retryWithBackoff(() => this.deps.endLines(jobId), log, { what: `Kafka broker (to mark the end of import ${jobId})`, ...(signal ? { signal } : {}) });
  }

  /**
   * Asks a running import to stop after its current batch. Returns a user error when this process
   * runs no import with that id (unknown, finished, or started by another replica).
   */
  async cancel(id: string): Promise<{ job: TJob | null; userErrors: UserError[] }> {
    const running = this.cancels.get(id);
    if (!running) {
      const job = await this.deps.jobs.get(id);
      return { job, userErrors: [{ field: ['id'], code: job ? 'NOT_RUNNING' : 'NOT_FOUND', message: job ? `import ${id} is not running here` : `no import ${id}` }] };
    }
    running.abort();
    const tracked = [...this.running];
    await Promise.all(tracked);
    return { job: await this.deps.jobs.get(id), userErrors: [] };
  }

  /** Waits for running imports (used at shutdown and in tests). */
  async drain(): Promise<void> {
    await Promise.all([...this.running]);
  }
}

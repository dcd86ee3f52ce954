import pino from 'pino';
import { ImportJobs, type JobStore } from './import-jobs';
import type { SourceRecord } from './import-lines';

const HEADER = ['InvoiceNo', 'StockCode', 'Description', 'Quantity', 'InvoiceDate', 'UnitPrice', 'CustomerID', 'Country'];
const LINE_2 = ['536365', '85123A', 'WHITE HANGING HEART T-LIGHT HOLDER', '6', '2010-12-01 08:26:00', '2.55', '17850', 'United Kingdom'];
const BAD_QUANTITY = ['536365', '71053', 'WHITE METAL LANTERN', 'six', '2010-12-01 08:26:00', '3.39', '17850', 'United Kingdom'];

interface Job {
  id: string;
  source: string;
  status: 'RUNNING' | 'COMPLETED' | 'FAILED' | 'CANCELLED';
  error: string | null;
}

function memoryJobs(options: { failCreate?: boolean } = {}) {
  const jobs = new Map<string, Job>();
  const store: JobStore<Job> = {
    create: async (source) => {
      if (options.failCreate) throw new Error('database unavailable');
      const job: Job = { id: `job-${jobs.size + 1}`, source, status: 'RUNNING', error: null };
      jobs.set(job.id, job);
      return { ...job };
    },
    get: async (id) => {
      const job = jobs.get(id);
      return job ? { ...job } : null;
    },
    finish: async (id, status, error) => {
      const job = jobs.get(id);
      if (job) Object.assign(job, { status, error });
    },
  };
  return { store, jobs };
}

type Opened = { readonly records: AsyncIterable<SourceRecord>; bytesRead(): number };

const source = (records: readonly SourceRecord[], failAtStart?: string): Opened => ({
  records: (async function* () {
    if (failAtStart) throw new Error(failAtStart);
    yield* records;
  })(),
  bytesRead: () => 0,
});

function setup(open: (path: string) => Opened, options: { failCreate?: boolean; endFailures?: number } = {}) {
  const { store, jobs } = memoryJobs(options);
  const published: string[] = [];
  /** What happened, in order: each line's customer, each end of a job's lines with the job's status then. */
  const events: string[] = [];
  let endFailures = options.endFailures ?? 0;
  const rejected: number[] = [];
  const imports = new ImportJobs<Job>({
    jobs: store,
    checkPath: async (path) => (path.startsWith('/allowed/') ? null : { field: ['path'], code: 'PATH_NOT_ALLOWED', message: `${path} is outside the import folders` }),
    open,
    ports: {
      publishLines: async (_jobId, lines) => {
        published.push(...lines.map((l) => l.customerId));
        events.push(...lines.map((l) => `line ${l.customerId}`));
      },
      recordProgress: async (_jobId, rejections) => void rejected.push(...rejections.map((r) => r.lineNumber)),
      upsertCustomers: async () => undefined,
    },
    endLines: async (jobId) => {
      if (endFailures-- > 0) throw new Error('broker unavailable');
      events.push(`end ${jobId} (${jobs.get(jobId)?.status})`);
    },
    batchSize: 100,
    logger: pino({ level: 'silent' }),
  });
  return { imports, jobs, published, rejected, events };
}

describe('ImportJobs.startStored (uploads)', () => {
  const good: SourceRecord[] = [
    { kind: 'header', fields: HEADER },
    { kind: 'row', fields: LINE_2, lineNumber: 2, raw: LINE_2.join(',') },
    { kind: 'row', fields: BAD_QUANTITY, lineNumber: 3, raw: BAD_QUANTITY.join(',') },
  ];

  it('imports the stored file like a path, under its upload name, and releases the file once the job is over', async () => {
    const opened: string[] = [];
    const { imports, jobs, published, rejected } = setup((path) => {
      opened.push(path);
      return source(good);
    });
    const released: string[] = [];
    const started = await imports.startStored('/uploads/4b1c.upload', 'upload:december.csv', async () => void released.push(jobs.get('job-1')?.status ?? 'none'));
    expect(started.userErrors).toEqual([]);
    expect(started.job).toMatchObject({ id: 'job-1', source: 'upload:december.csv', status: 'RUNNING' });
    await imports.drain();
    expect(opened).toEqual(['/uploads/4b1c.upload']);
    expect(published).toEqual(['17850']);
    expect(rejected).toEqual([3]);
    // Released after the job was recorded as finished, exactly once.
    expect(released).toEqual(['COMPLETED']);
  });

  it('fails the job naming the missing column, and releases the file at once', async () => {
    const { imports } = setup(() => source([{ kind: 'header', fields: HEADER.filter((c) => c !== 'UnitPrice') }]));
    let released = 0;
    const started = await imports.startStored('/uploads/a.upload', 'upload:no-price.csv', async () => void released++);
    expect(started.job).toMatchObject({ status: 'FAILED', error: expect.stringMatching(/UnitPrice/) });
    expect(started.userErrors).toEqual([{ field: null, code: 'MISSING_COLUMN', message: expect.stringMatching(/UnitPrice/) }]);
    expect(released).toBe(1);
    await imports.drain();
    expect(released).toBe(1);
  });

  it('fails an empty file and an unreadable one (a broken gzip stream) without naming the stored path', async () => {
    const { imports } = setup((path) => (path.includes('empty') ? source([]) : source([], `cannot read "${path}": gzip data: unexpected end of file`)));
    let released = 0;
    const empty = await imports.startStored('/uploads/empty.upload', 'upload:empty.csv', async () => void released++);
    expect(empty.userErrors).toEqual([{ field: null, code: 'EMPTY_FILE', message: 'the file is empty: no header line' }]);
    const broken = await imports.startStored('/uploads/broken.upload', 'upload:broken.csv.gz', async () => void released++);
    expect(broken.job).toMatchObject({ status: 'FAILED', error: 'cannot read "upload:broken.csv.gz": gzip data: unexpected end of file' });
    expect(broken.userErrors[0]?.code).toBe('UNREADABLE_FILE');
    expect(released).toBe(2);
  });

  it('releases the file when the job cannot even be created', async () => {
    const { imports } = setup(() => source(good), { failCreate: true });
    let released = 0;
    await expect(imports.startStored('/uploads/a.upload', 'upload:a.csv', async () => void released++)).rejects.toThrow('database unavailable');
    expect(released).toBe(1);
  });

  it('leaves path imports as they were: checked, and named by their path', async () => {
    const { imports } = setup(() => source(good));
    expect(await imports.start('/etc/passwd')).toEqual({ job: null, userErrors: [{ field: ['path'], code: 'PATH_NOT_ALLOWED', message: '/etc/passwd is outside the import folders' }] });
    const started = await imports.start('/allowed/december.csv');
    expect(started.job).toMatchObject({ source: '/allowed/december.csv' });
    await imports.drain();
  });
});

describe('ImportJobs: the end of an import\'s lines', () => {
  const rows: SourceRecord[] = [
    { kind: 'header', fields: HEADER },
    { kind: 'row', fields: LINE_2, lineNumber: 2, raw: LINE_2.join(',') },
    { kind: 'row', fields: [...LINE_2.slice(0, 6), '13047', 'France'], lineNumber: 3, raw: '' },
  ];

  it('is announced once, after the last line and before the job is recorded as completed', async () => {
    const { imports, events, jobs } = setup(() => source(rows));
    await imports.start('/allowed/a.csv');
    await imports.drain();
    expect(events).toEqual(['line 17850', 'line 13047', 'end job-1 (RUNNING)']);
    expect(jobs.get('job-1')?.status).toBe('COMPLETED');
  });

  it('is announced for a cancelled import too (the lines it published are in), not for one that failed', async () => {
    // A slow file: cancelled long before its last row.
    const slow: Opened = {
      records: (async function* () {
        yield rows[0]!;
        for (let lineNumber = 2; lineNumber < 10_000; lineNumber++) {
          await new Promise((resolve) => setTimeout(resolve, 1));
          yield { kind: 'row', fields: LINE_2, lineNumber, raw: '' } satisfies SourceRecord;
        }
      })(),
      bytesRead: () => 0,
    };
    const { imports, events } = setup((path) => (path.includes('bad') ? source([{ kind: 'header', fields: ['Nothing'] }]) : slow));
    const bad = await imports.start('/allowed/bad.csv');
    expect(bad.job).toMatchObject({ status: 'FAILED' });
    const started = await imports.start('/allowed/a.csv');
    const cancelled = await imports.cancel(started.job!.id);
    expect(cancelled.job).toMatchObject({ status: 'CANCELLED' });
    expect(events.filter((event) => event.startsWith('end'))).toEqual([`end ${started.job!.id} (RUNNING)`]);
  });

  it('is tried again while the broker is away, and the job then completes', async () => {
    const { imports, events, jobs } = setup(() => source(rows), { endFailures: 1 });
    await imports.start('/allowed/a.csv');
    await imports.drain();
    expect(events.at(-1)).toBe('end job-1 (RUNNING)');
    expect(jobs.get('job-1')?.status).toBe('COMPLETED');
  }, 20_000);
});

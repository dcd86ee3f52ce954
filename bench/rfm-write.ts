// The rfm service's write path alone: the Online Retail file's accepted lines through
// RfmRepository.recordLines in consumer-sized batches against a throwaway database, next to the
// previous write paths (kept as anchors), in one run.
//
//   npx tsx bench/rfm-write.ts [file.csv[.gz]] [--batch 1400[,5000,...]] [--paths old,insert,new]
//                              [--rounds 1] [--partitions 6] [--limit N] [--statements]
//                              [--concurrency 1]
//
// 1. Reads the file as the ingest service does (@seg/platform-csv, resolveHeader, normaliseRow from
//    @seg/domain-transactions) and keeps the accepted lines with a customer, as published events.
// 2. Splits them by customer over --partitions partitions with kafkajs' default partitioner (the
//    ingest producer's), keeping the file's order in each, and cuts them into batches of --batch
//    lines taken from the partitions in turn: what the rfm consumer's handler gets while it drains
//    a backlog (one partition's batch at a time).
// 3. For each --rounds, each batch size and each path (in reverse order every other round, so
//    that none always runs first): a fresh database seg_rfm_test_<suffix> (as the seg_rfm user,
//    dropped after), the path's migrations, then per batch what the handler does with the
//    database: recordLines, then latestPurchase. Reports lines/s, ms per batch (p50, p99), the
//    CPU seconds of MariaDB (the shared server's process: other work on it counts too) and of this
//    Node process, and the load average before and after; then checks the stored aggregates
//    against aggregateCustomers (@seg/domain-rfm) computed in memory on the same lines.
//
// --concurrency N runs N batches at once, of different partitions (kafkajs'
// partitionsConsumedConcurrently; the service consumes one partition's batch at a time).
// --statements also prints, per path, the time spent in each kind of SQL statement (client side:
// round trip included), from a wrapper around TypeORM's MySQL query runner.
//
// Paths: "old" is the write path before incremental aggregates (INSERT IGNORE of the lines, then
// every touched customer's aggregates recomputed from all of their lines, one GROUP BY per 1,000
// customers), on the schema of its time (the first two migrations); "new" is the service's
// RfmRepository on every migration, lines stored by LOAD DATA LOCAL INFILE from memory; "insert"
// is the same RfmRepository on connections that do not offer the server LOCAL_FILES, so that the
// server refuses LOAD DATA and the repository stores lines by multi-row INSERT IGNORE, its
// fallback and the write path before LOAD DATA. The script fails if "new" was refused or "insert"
// was not.
//
// Needs MariaDB up with the services' users (bash tools/infra/up.sh) and .local/secrets.env.
import { cpus, loadavg } from 'node:os';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Partitioners } from 'kafkajs';
import { MysqlQueryRunner } from 'typeorm/driver/mysql/MysqlQueryRunner.js';
import type { DataSource, EntityManager } from 'typeorm';
import type { TransactionLineData } from '@seg/contracts-events';
import { aggregateCustomers, type CustomerMetrics } from '@seg/domain-rfm';
import { classifyLine, lineAmountMilli, normaliseRow, resolveHeader, type ColumnMap } from '@seg/domain-transactions';
import { openCsvSource } from '@seg/platform-csv';
import { createLogger } from '@seg/platform-observability';
import { chunk, connectAndMigrate, createDataSource, erasedAmong, inList, repeatRow, toIsoSeconds, toSqlDateTime } from '@seg/platform-persistence';
import { createTestDatabase } from '@seg/testing';
import { migrations } from '../apps/rfm-service/src/migrations';
import { RfmRepository } from '../apps/rfm-service/src/adapters/persistence/rfm.repository';
import { cpuSeconds, listenerPid, log, table } from './pipeline';

const ROOT = resolve(__dirname, '..');
const FULL = resolve(ROOT, '..', 'shared', 'data', 'online_retail', 'online_retail.csv.gz');
const SAMPLE = join(ROOT, 'data', 'sample', 'online_retail_2010-12_2011-02.csv.gz');

type Path = 'old' | 'insert' | 'new';
const PATHS: readonly Path[] = ['old', 'insert', 'new'];

interface Options {
  readonly file: string;
  readonly batches: readonly number[];
  readonly paths: readonly Path[];
  readonly rounds: number;
  readonly partitions: number;
  readonly limit: number;
  readonly statements: boolean;
  readonly concurrency: number;
}

function parseOptions(argv: readonly string[]): Options {
  let file: string | undefined;
  const opts = { batches: [1_400], paths: [...PATHS], rounds: 1, partitions: 6, limit: Infinity, statements: false, concurrency: 1 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--batch') opts.batches = value().split(',').map(Number);
    else if (a === '--paths') opts.paths = value().split(',') as Path[];
    else if (a === '--rounds') opts.rounds = Number(value());
    else if (a === '--partitions') opts.partitions = Number(value());
    else if (a === '--limit') opts.limit = Number(value());
    else if (a === '--statements') opts.statements = true;
    else if (a === '--concurrency') opts.concurrency = Number(value());
    else if (a.startsWith('--')) throw new Error(`unknown option ${a}`);
    else file = a;
  }
  if (opts.batches.some((b) => !Number.isInteger(b) || b < 1)) throw new Error('--batch takes positive integers');
  if (opts.paths.some((p) => !PATHS.includes(p))) throw new Error(`--paths takes some of ${PATHS.join(', ')}`);
  return { file: file ?? (existsSync(FULL) ? FULL : SAMPLE), ...opts };
}

/** The file's accepted lines with a customer, as the ingest service publishes them. */
async function readLines(file: string, limit: number): Promise<TransactionLineData[]> {
  const lines: TransactionLineData[] = [];
  let columns: ColumnMap | undefined;
  for await (const record of openCsvSource(file).records) {
    if (record.kind === 'header') {
      const header = resolveHeader(record.fields);
      if (!header.ok) throw new Error(header.error.message);
      columns = header.value;
    } else if (record.kind === 'row' && columns) {
      const result = normaliseRow(record.fields, columns, record.lineNumber);
      if (!result.ok || result.value.customerId === null) continue;
      lines.push({ ...result.value, customerId: result.value.customerId, source: { kind: 'csv', importJobId: null, lineNumber: record.lineNumber } });
      if (lines.length >= limit) break;
    }
  }
  return lines;
}

interface Batch {
  readonly partition: number;
  readonly lines: TransactionLineData[];
}

/** Batches as the consumer gets them from a backlog: by partition (kafkajs' default partitioner on the customer key), in turn. */
function consumerBatches(lines: readonly TransactionLineData[], partitions: number, size: number): Batch[] {
  const partitioner = Partitioners.DefaultPartitioner();
  const partitionMetadata = Array.from({ length: partitions }, (_, partitionId) => ({ partitionId, leader: 1, partitionErrorCode: 0, replicas: [1], isr: [1] }));
  const queues: TransactionLineData[][] = Array.from({ length: partitions }, () => []);
  for (const line of lines) queues[partitioner({ topic: 'lines', partitionMetadata, message: { key: line.customerId, value: null } })]?.push(line);
  const batches: Batch[] = [];
  const longest = Math.max(...queues.map((queue) => queue.length));
  for (let start = 0; start < longest; start += size) {
    queues.forEach((queue, partition) => {
      if (start < queue.length) batches.push({ partition, lines: queue.slice(start, start + size) });
    });
  }
  return batches;
}

// ---- the anchor: the write path before incremental aggregates, SQL as it was ----------------------

async function oldRecordLines(db: DataSource, batch: readonly TransactionLineData[]): Promise<CustomerMetrics[]> {
  return db.transaction(async (tx) => {
    const erased = await erasedAmong(tx, batch.map((line) => line.customerId));
    const lines = erased.size === 0 ? batch : batch.filter((line) => !erased.has(line.customerId));
    const customers = [...new Set(lines.map((line) => line.customerId))];
    for (const part of chunk(lines, 2_000)) {
      await tx.query(
        `INSERT IGNORE INTO transaction_lines (line_id, customer_id, invoice_no, kind, invoice_date, amount_milli, country)
         VALUES ${repeatRow(part.length, '(UNHEX(?),?,?,?,?,?,?)')}`,
        part.flatMap((line) => [line.lineId, line.customerId, line.invoiceNo, classifyLine(line), toSqlDateTime(line.invoiceDate), lineAmountMilli(line), line.country]),
      );
    }
    for (const part of chunk(customers, 1_000)) {
      await tx.query(
        `INSERT INTO customer_metrics (customer_id, country, first_purchase_at, last_purchase_at, frequency, monetary_milli, cancelled_milli)
         SELECT l.customer_id,
                (SELECT p.country FROM transaction_lines p
                  WHERE p.customer_id = l.customer_id AND p.kind = 'purchase'
                  ORDER BY p.invoice_date DESC, p.country ASC LIMIT 1),
                MIN(CASE WHEN l.kind = 'purchase' THEN l.invoice_date END),
                MAX(CASE WHEN l.kind = 'purchase' THEN l.invoice_date END),
                COUNT(DISTINCT CASE WHEN l.kind = 'purchase' THEN l.invoice_no END),
                COALESCE(SUM(CASE WHEN l.kind = 'purchase' THEN l.amount_milli END), 0),
                COALESCE(-SUM(CASE WHEN l.kind = 'cancellation' THEN l.amount_milli END), 0)
           FROM transaction_lines l
          WHERE l.customer_id IN (${inList(part.length)})
          GROUP BY l.customer_id
         HAVING COUNT(CASE WHEN l.kind = 'purchase' THEN 1 END) > 0
         ON DUPLICATE KEY UPDATE
           country = VALUES(country), first_purchase_at = VALUES(first_purchase_at), last_purchase_at = VALUES(last_purchase_at),
           frequency = VALUES(frequency), monetary_milli = VALUES(monetary_milli), cancelled_milli = VALUES(cancelled_milli)`,
        part,
      );
    }
    return metricsOf(tx, customers);
  });
}

interface MetricsRow {
  customer_id: string;
  country: string;
  first_purchase_at: Date;
  last_purchase_at: Date;
  frequency: number;
  monetary_milli: string;
  cancelled_milli: string;
}

const toMetrics = (row: MetricsRow): CustomerMetrics => ({
  customerId: row.customer_id,
  country: row.country,
  firstPurchaseAt: toIsoSeconds(row.first_purchase_at),
  lastPurchaseAt: toIsoSeconds(row.last_purchase_at),
  frequency: Number(row.frequency),
  monetaryMilli: Number(row.monetary_milli),
  cancelledMilli: Number(row.cancelled_milli),
});

async function metricsOf(tx: EntityManager, customers: readonly string[]): Promise<CustomerMetrics[]> {
  const result: CustomerMetrics[] = [];
  for (const part of chunk(customers, 1_000)) {
    const rows: MetricsRow[] = await tx.query(
      `SELECT customer_id, country, first_purchase_at, last_purchase_at, frequency, monetary_milli, cancelled_milli FROM customer_metrics WHERE customer_id IN (${inList(part.length)})`,
      part,
    );
    result.push(...rows.map(toMetrics));
  }
  return result;
}

// ---- statement timing (--statements) ------------------------------------------------------------

/** Time per statement kind: its first words, with IN lists, placeholders and numbers folded. */
const statementTimes = new Map<string, { count: number; ms: number }>();
function timeStatements(): void {
  const proto = MysqlQueryRunner.prototype as unknown as { query: (this: unknown, sql: string, ...rest: unknown[]) => Promise<unknown> };
  const query = proto.query;
  proto.query = async function (this: unknown, sql: string, ...rest: unknown[]) {
    const started = performance.now();
    try {
      return await query.call(this, sql, ...rest);
    } finally {
      const key = sql.replace(/\s+/g, ' ').replace(/'seg-infile-[0-9a-f-]+'/, "'seg-infile-...'").replace(/\((UNHEX\(\?\)|\?)(,\s*(UNHEX\(\?\)|\?))*\)/g, '(...)').replace(/(\(\.\.\.\)|\([^()]*\?[^()]*\))(,\s*\([^()]*\?[^()]*\))+/g, '$1, ...').trim().slice(0, 90);
      const entry = statementTimes.get(key) ?? { count: 0, ms: 0 };
      entry.count++;
      entry.ms += performance.now() - started;
      statementTimes.set(key, entry);
    }
  };
}

// ---- measuring ------------------------------------------------------------------------------------

interface Run {
  readonly path: Path;
  readonly batch: number;
  readonly round: number;
  readonly lines: number;
  readonly batches: number;
  readonly seconds: number;
  readonly batchMs: readonly number[];
  readonly mariadbCpu: number | null;
  readonly nodeCpu: number;
  readonly loadBefore: string;
  readonly loadAfter: string;
  readonly differences: number;
  readonly storedLines: number;
  readonly customers: number;
  readonly megabytes: number;
  readonly retries: number;
  /** Whether the server refused LOAD DATA LOCAL (the repository then inserts). */
  readonly refused: boolean;
  readonly statements: readonly [string, { count: number; ms: number }][];
}

const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');
const quantile = (xs: readonly number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? 0;
};
const byId = (a: CustomerMetrics, b: CustomerMetrics) => (a.customerId < b.customerId ? -1 : a.customerId > b.customerId ? 1 : 0);

async function runPath(path: Path, batches: readonly Batch[], options: Options, reference: readonly CustomerMetrics[], round: number, size: number, mariadbPid: number | undefined): Promise<Run> {
  const logger = createLogger('bench-rfm-write', 'silent');
  const database = await createTestDatabase('rfm');
  const db = await connectAndMigrate(
    createDataSource({ settings: database.settings, entities: [], migrations: path === 'old' ? migrations.slice(0, 2) : migrations, localInfile: path !== 'insert' }),
    logger,
  );
  try {
    let retries = 0;
    let refused = false;
    const repository = new RfmRepository(
      db,
      () => retries++,
      () => (refused = true),
    );
    const record = path === 'old' ? (batch: readonly TransactionLineData[]) => oldRecordLines(db, batch) : (batch: readonly TransactionLineData[]) => repository.recordLines(batch);
    const lines = batches.reduce((n, b) => n + b.lines.length, 0);
    log(`${path}, batches of ${size}, round ${round}: ${batches.length} batches ...`);
    const loadBefore = load();
    const dbBefore = cpuSeconds(mariadbPid);
    const nodeBefore = process.cpuUsage();
    const batchMs: number[] = [];
    statementTimes.clear();
    const started = performance.now();
    // One worker per --concurrency, each with its share of the partitions, in order within a
    // partition (kafkajs' partitionsConsumedConcurrently).
    const worker = async (w: number) => {
      for (const batch of batches) {
        if (batch.partition % options.concurrency !== w) continue;
        const t = performance.now();
        await record(batch.lines);
        await repository.latestPurchase();
        batchMs.push(performance.now() - t);
      }
    };
    await Promise.all(Array.from({ length: options.concurrency }, (_, w) => worker(w)));
    const seconds = (performance.now() - started) / 1000;
    const statements = [...statementTimes].sort((a, b) => b[1].ms - a[1].ms);
    const node = process.cpuUsage(nodeBefore);
    const dbAfter = cpuSeconds(mariadbPid);
    const loadAfter = load();
    const stored = (await repository.allMetrics()).sort(byId);
    const expected = new Map(reference.map((c) => [c.customerId, JSON.stringify(c)]));
    let differences = Math.abs(stored.length - reference.length);
    for (const c of stored) if (expected.get(c.customerId) !== JSON.stringify(c)) differences++;
    const [{ n }] = (await db.query('SELECT COUNT(*) AS n FROM transaction_lines')) as [{ n: string }];
    // Table and index sizes (InnoDB's estimates, after ANALYZE TABLE), MB.
    await db.query('ANALYZE TABLE transaction_lines, customer_metrics');
    const [{ mb }] = (await db.query('SELECT SUM(data_length + index_length) / 1e6 AS mb FROM information_schema.tables WHERE table_schema = DATABASE()')) as [{ mb: string }];
    return {
      path,
      batch: size,
      round,
      lines,
      batches: batches.length,
      seconds,
      batchMs,
      mariadbCpu: dbBefore !== null && dbAfter !== null ? dbAfter - dbBefore : null,
      nodeCpu: (node.user + node.system) / 1e6,
      loadBefore,
      loadAfter,
      differences,
      storedLines: Number(n),
      customers: stored.length,
      megabytes: Number(mb),
      retries,
      refused,
      statements,
    };
  } finally {
    await db.destroy();
    await database.drop();
  }
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  log(`reading ${options.file} ...`);
  const readStarted = performance.now();
  const lines = await readLines(options.file, options.limit);
  const reference = aggregateCustomers(lines).customers;
  log(`${lines.length} accepted lines with a customer, ${reference.length} customers with a purchase (${((performance.now() - readStarted) / 1000).toFixed(1)} s)`);
  if (options.statements) timeStatements();
  const mariadbPid = listenerPid(Number(process.env['SEG_DB_PORT'] ?? 3306));
  if (mariadbPid === undefined) log('MariaDB process not found (ss -ltnp): its CPU is not reported');

  const runs: Run[] = [];
  for (let round = 1; round <= options.rounds; round++) {
    for (const size of options.batches) {
      const batches = consumerBatches(lines, options.partitions, size);
      const paths = round % 2 === 1 ? options.paths : [...options.paths].reverse();
      for (const path of paths) runs.push(await runPath(path, batches, options, reference, round, size, mariadbPid));
    }
  }

  console.log('== rfm write path: lines through recordLines + latestPurchase, per consumer batch ==');
  console.log(`file: ${options.file}; ${lines.length.toLocaleString('en-US')} accepted lines with a customer, ${reference.length.toLocaleString('en-US')} customers with a purchase`);
  console.log(`batches: by customer over ${options.partitions} partitions (kafkajs default partitioner), taken in turn${options.concurrency > 1 ? `, ${options.concurrency} at once` : ''}; ${cpus().length} CPUs; node ${process.version}`);
  console.log();
  const fmt = (x: number | null, digits = 1) => (x === null ? '-' : x.toFixed(digits));
  console.log(
    table(
      ['path', 'batch', 'round', 'batches', 'time (s)', 'lines/s', 'ms/batch p50', 'p99', 'MariaDB CPU (s)', 'node CPU (s)', 'load before', 'load after', 'tables (MB)', 'retries', 'vs reference', 'lines by'],
      runs.map((r) => [
        r.path,
        String(r.batch),
        String(r.round),
        String(r.batches),
        fmt(r.seconds),
        Math.round(r.lines / r.seconds).toLocaleString('en-US'),
        fmt(quantile(r.batchMs, 0.5)),
        fmt(quantile(r.batchMs, 0.99)),
        fmt(r.mariadbCpu),
        fmt(r.nodeCpu),
        r.loadBefore,
        r.loadAfter,
        fmt(r.megabytes, 0),
        r.path === 'old' ? '-' : String(r.retries),
        r.differences === 0 ? `same (${r.customers})` : `${r.differences} DIFFER`,
        r.path === 'old' ? '-' : r.refused ? 'INSERT' : 'LOAD DATA',
      ]),
      (i) => (i > 0 && i < 10) || i === 12 || i === 13,
    ),
  );
  const best = (path: Path, size: number) => {
    const rates = runs.filter((r) => r.path === path && r.batch === size).map((r) => r.lines / r.seconds);
    return rates.length > 0 ? Math.max(...rates) : null;
  };
  const cpu = (path: Path, size: number, of: (r: Run) => number | null) => {
    const xs = runs.filter((r) => r.path === path && r.batch === size).map(of);
    return xs.length > 0 && xs.every((x) => x !== null) ? Math.min(...(xs as number[])) : null;
  };
  for (const size of options.batches) {
    for (const [a, b] of [['new', 'old'], ['new', 'insert']] as const) {
      const x = best(a, size);
      const y = best(b, size);
      if (x === null || y === null) continue;
      const [dbA, dbB, nodeA, nodeB] = [cpu(a, size, (r) => r.mariadbCpu), cpu(b, size, (r) => r.mariadbCpu), cpu(a, size, (r) => r.nodeCpu), cpu(b, size, (r) => r.nodeCpu)];
      console.log(
        `batches of ${size}: ${a}/${b} = ${(x / y).toFixed(2)}x lines/s (best of ${options.rounds} round(s) each); least CPU over the rounds: MariaDB ${fmt(dbA)} vs ${fmt(dbB)} s, node ${fmt(nodeA)} vs ${fmt(nodeB)} s`,
      );
    }
  }
  if (options.statements) {
    for (const r of runs) {
      console.log();
      console.log(`statements, ${r.path}, batches of ${r.batch}, round ${r.round} (client-side time, round trip included):`);
      console.log(table(['statement', 'count', 'ms', 'share'], r.statements.map(([key, { count, ms }]) => [key, String(count), ms.toFixed(0), `${((100 * ms) / (r.seconds * 1000)).toFixed(1)}%`]), (i) => i > 0));
    }
  }
  console.log(`stored lines: ${[...new Set(runs.map((r) => r.storedLines))].join(', ')} (distinct lines of the file with a customer)`);
  if (runs.some((r) => r.differences > 0)) process.exitCode = 1;
  const wrongWay = runs.filter((r) => (r.path === 'new' && r.refused) || (r.path === 'insert' && !r.refused));
  if (wrongWay.length > 0) {
    log(`${wrongWay.map((r) => `${r.path} (batch ${r.batch}, round ${r.round})`).join(', ')} stored lines the other way than the path says (LOAD DATA refused or not)`);
    process.exitCode = 1;
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    log(`error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  });
}

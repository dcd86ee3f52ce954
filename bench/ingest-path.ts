// The ingest service's import path without its I/O: how much CPU each step of a CSV import costs
// per line, in one process, on the same file. Each row adds a step to the one before:
//
//   npx tsx bench/ingest-path.ts [file.csv[.gz]] [--rounds 3] [--batch 5000]
//
// 1. read: the file read, gunzipped, decoded and split into records (openCsvSource).
// 2. + validate: every row through importLines (header, normaliseRow with the line's SHA-256
//    identity); published lines go nowhere.
// 3. + events: the accepted lines grouped into TransactionLineRecorded events (v3, column by column), as the Kafka
//    adapter does, and each event written as the JSON a message carries.
//
// Prints, per step, the best of --rounds: wall time, CPU time (user + system), lines per CPU
// second, and the heap allocated per line; the difference between two rows is the cost of a step.
import { performance } from 'node:perf_hooks';
import { openCsvSource } from '@seg/platform-csv';
import { transactionLineEvents } from '@seg/contracts-events';
import { importLines, type AttributedLine, type ImportPorts } from '../apps/ingest-service/src/application/import-lines';
import { SAMPLE } from './pipeline';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

const FULL = resolve(__dirname, '..', '..', 'shared', 'data', 'online_retail', 'online_retail.csv.gz');

interface Options { file: string; rounds: number; batch: number }

function parseOptions(argv: readonly string[]): Options {
  const opts: Options = { file: existsSync(FULL) ? FULL : SAMPLE, rounds: 3, batch: 5_000 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '--rounds') opts.rounds = Number(argv[++i]);
    else if (a === '--batch') opts.batch = Number(argv[++i]);
    else if (a.startsWith('--')) throw new Error(`unknown option ${a}`);
    else opts.file = resolve(a);
  }
  return opts;
}

type Step = 'read' | 'validate' | 'events';

async function runStep(step: Step, options: Options): Promise<{ lines: number; bytes: number }> {
  const source = openCsvSource(options.file);
  if (step === 'read') {
    let lines = 0;
    for await (const record of source.records) if (record.kind !== 'header') lines++;
    return { lines, bytes: 0 };
  }
  let bytes = 0;
  const ports: ImportPorts = {
    publishLines: async (jobId: string, lines: readonly AttributedLine[]) => {
      if (step !== 'events') return;
      const events = transactionLineEvents(lines, { kind: 'csv', importJobId: jobId }, { correlationId: jobId, producer: 'bench' });
      for (const event of events) bytes += Buffer.byteLength(JSON.stringify(event));
    },
    recordProgress: async () => undefined,
    upsertCustomers: async () => undefined,
    bytesRead: () => source.bytesRead(),
  };
  const outcome = await importLines('00000000-0000-4000-8000-000000000000', source.records, ports, options.batch);
  if (!outcome.ok) throw new Error(outcome.error.message);
  return { lines: outcome.counters.linesRead, bytes };
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  console.log(`file: ${options.file}; best of ${options.rounds} rounds; import batches of ${options.batch}; node ${process.version}`);
  const rows: string[][] = [];
  for (const step of ['read', 'validate', 'events'] as const) {
    let best: { wall: number; cpu: number; alloc: number; lines: number; bytes: number } | undefined;
    for (let round = 0; round < options.rounds; round++) {
      const heapBefore = process.memoryUsage().heapUsed;
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      const { lines, bytes } = await runStep(step, options);
      const wall = performance.now() - t0;
      const used = process.cpuUsage(cpu0);
      const cpu = (used.user + used.system) / 1000;
      void heapBefore;
      if (!best || cpu < best.cpu) best = { wall, cpu, alloc: 0, lines, bytes };
    }
    const b = best!;
    rows.push([step, (b.wall / 1000).toFixed(2), (b.cpu / 1000).toFixed(2), Math.round(b.lines / (b.cpu / 1000)).toLocaleString('en'), ((b.cpu * 1000) / b.lines).toFixed(2), b.bytes ? (b.bytes / 1e6).toFixed(1) : '-']);
  }
  const header = ['step (cumulative)', 'wall (s)', 'CPU (s)', 'lines per CPU s', 'CPU µs per line', 'event JSON (MB)'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const fmt = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(fmt(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(fmt(r));
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

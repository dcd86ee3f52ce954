// The import path without its I/O: how much CPU each step of a CSV import costs per line, in one
// process, on the same file, from the CSV to the lines as the rfm service stores them. Each row
// adds a step to the one before:
//
//   node --max-semi-space-size=32 --import tsx bench/ingest-path.ts [file.csv[.gz]] [--rounds 3] [--batch 5000]
//
// 1. read: the file read, gunzipped, decoded and split into records (openCsvSource).
// 2. + validate: every row through importLines (header, normaliseRow with the line's SHA-256
//    identity); published lines go nowhere.
// 3. + events: the accepted lines grouped into TransactionLineRecorded events as the Kafka adapter
//    does (transactionLineEvents: v3, column by column), and each event written as the JSON a
//    message carries.
// 4. + decode: each message's bytes decoded and checked as the rfm service does
//    (TransactionLineRecordedV3.decode), and its lines taken out as rfm stores them
//    (recordableLinesOf).
// Steps 3 and 4 also run with v2 events (one object per line, as published before v3) built from
// the same lines, decoded with TransactionLineRecordedV2.decode and upcast: the anchor, in the
// same run.
//
// Prints, per step, the best of --rounds: wall time, CPU time (user + system), lines per CPU
// second and CPU µs per line, and the events' JSON in MB; the difference between two rows is the
// cost of a step.
import { performance } from 'node:perf_hooks';
import { openCsvSource } from '@seg/platform-csv';
import {
  TransactionLineRecordedV2,
  TransactionLineRecordedV3,
  transactionLineEvents,
  upcastTransactionLinesV2,
  type CustomerLine,
  type TransactionLinesRecorded,
} from '@seg/contracts-events';
import { recordableLinesOf } from '../apps/rfm-service/src/application/record-lines';
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

type Step = 'read' | 'validate' | 'events' | 'decode';
type Version = 2 | 3;

/** The v2 events of a batch (one customer's lines per event, one object per line), as ingest published them before v3. */
function v2Events(lines: readonly CustomerLine[], importJobId: string) {
  const byCustomer = new Map<string, Omit<CustomerLine, 'customerId'>[]>();
  for (const { customerId, ...line } of lines) {
    const own = byCustomer.get(customerId);
    if (own) own.push(line);
    else byCustomer.set(customerId, [line]);
  }
  return [...byCustomer].map(([customerId, own]) => TransactionLineRecordedV2.create({ customerId, source: { kind: 'csv', importJobId }, lines: own }, { correlationId: importJobId, producer: 'bench' }));
}

/** Decodes a message as the rfm service does and takes its lines out; returns how many. */
function decodeAsRfm(version: Version, bytes: Buffer): number {
  let event: TransactionLinesRecorded;
  if (version === 3) {
    const decoded = TransactionLineRecordedV3.decode(bytes);
    if (!decoded.ok) throw new Error(decoded.error.reason);
    event = decoded.value;
  } else {
    const decoded = TransactionLineRecordedV2.decode(bytes);
    if (!decoded.ok) throw new Error(decoded.error.reason);
    event = upcastTransactionLinesV2(decoded.value);
  }
  return recordableLinesOf([event]).length;
}

async function runStep(step: Step, version: Version, options: Options): Promise<{ lines: number; bytes: number }> {
  const source = openCsvSource(options.file);
  if (step === 'read') {
    let lines = 0;
    for await (const record of source.records) if (record.kind !== 'header') lines++;
    return { lines, bytes: 0 };
  }
  let bytes = 0;
  let decoded = 0;
  const ports: ImportPorts = {
    publishLines: async (jobId: string, lines: readonly AttributedLine[]) => {
      if (step === 'validate') return;
      const events = version === 3 ? transactionLineEvents(lines, { kind: 'csv', importJobId: jobId }, { correlationId: jobId, producer: 'bench' }) : v2Events(lines, jobId);
      for (const event of events) {
        const message = Buffer.from(JSON.stringify(event));
        bytes += message.length;
        if (step === 'decode') decoded += decodeAsRfm(version, message);
      }
    },
    recordProgress: async () => undefined,
    upsertCustomers: async () => undefined,
    bytesRead: () => source.bytesRead(),
  };
  const outcome = await importLines('00000000-0000-4000-8000-000000000000', source.records, ports, options.batch);
  if (!outcome.ok) throw new Error(outcome.error.message);
  if (step === 'decode' && decoded !== outcome.counters.accepted) throw new Error(`decoded ${decoded} lines of ${outcome.counters.accepted} accepted`);
  return { lines: outcome.counters.linesRead, bytes };
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  console.log(`file: ${options.file}; best of ${options.rounds} rounds; import batches of ${options.batch}; node ${process.version}`);
  const rows: string[][] = [];
  const steps: [Step, Version, string][] = [
    ['read', 3, 'read'],
    ['validate', 3, '+ validate'],
    ['events', 2, '+ events (v2, before)'],
    ['events', 3, '+ events (v3)'],
    ['decode', 2, '+ decode as rfm (v2, before)'],
    ['decode', 3, '+ decode as rfm (v3)'],
  ];
  for (const [step, version, label] of steps) {
    let best: { wall: number; cpu: number; alloc: number; lines: number; bytes: number } | undefined;
    for (let round = 0; round < options.rounds; round++) {
      const heapBefore = process.memoryUsage().heapUsed;
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      const { lines, bytes } = await runStep(step, version, options);
      const wall = performance.now() - t0;
      const used = process.cpuUsage(cpu0);
      const cpu = (used.user + used.system) / 1000;
      void heapBefore;
      if (!best || cpu < best.cpu) best = { wall, cpu, alloc: 0, lines, bytes };
    }
    const b = best!;
    rows.push([label, (b.wall / 1000).toFixed(2), (b.cpu / 1000).toFixed(2), Math.round(b.lines / (b.cpu / 1000)).toLocaleString('en'), ((b.cpu * 1000) / b.lines).toFixed(2), b.bytes ? (b.bytes / 1e6).toFixed(1) : '-']);
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

// The whole platform as a pipeline: how fast a CSV backfill flows from the import to segments a
// client can query, stage by stage, next to the `segment` command and the pandas + scikit-learn
// script on the same file, in one run.
//
//   npx tsx bench/pipeline.ts [file.csv[.gz]] [--port-base 4950] [--poll-ms 1000] [--tail-poll-ms 100] [--runs 3]
//                             [--no-baselines] [--cpu-prof DIR] [--timeout-s 1800]
//                             [--env NAME=VALUE ...] [--staged] [--retrain-after-s 20]
//
// 1. Starts a fresh platform (apps/e2e/src/platform.ts: the five BUILT apps as real processes, on
//    throwaway databases and a topic prefix of their own), copies the file into its import folder
//    and starts the import through the gateway with the admin key.
// 2. Polls, every --poll-ms: the import job at the gateway (linesRead, status), the rfm service's
//    count of lines stored (seg_rfm_lines_stored_total at its /metrics: COUNT(*) of its growing
//    transaction_lines table cost MariaDB a third of its CPU in the run; one COUNT(*) at the end
//    checks the counter), and the services' databases directly with mysql2 as each service's own
//    user (rfm: COUNT(*) of customer_metrics; clustering: customer_features and
//    customer_assignments). Once the import has finished, it polls all of that every
//    --tail-poll-ms instead (100), so that the last stages' times are not rounded up to the next
//    second. Once the clustering service has assigned as many customers as the rfm service has
//    metrics (it stores a model with its assignments in one transaction, before any segment of
//    the model can be read; a model committed during the poll itself is seen one poll later), it
//    also checks each time whether segments are queryable for every customer (the rule of
//    tools/demo.ts: the newest model's customers == rfmSummary.customers, the segments' sizes sum
//    to it and are all of that model, the same state twice in a row); that query makes rfm score
//    every customer again while its aggregates move, so it is not asked on every poll of a
//    drain. It also notes when every customer first had a segment (sizes sum to the customers)
//    even if the newest model was trained on fewer of them: customers that arrive after a
//    training run are placed on the nearest centroid, and a new run starts only once enough
//    customers changed. If that state lasts --retrain-after-s (20) with nothing moving, it asks
//    for a training run (trainSegmentation, admin) so the demo rule can complete, and says so.
// 3. Reads the CPU time each app used (/proc/<pid>/stat), and that of the shared MariaDB and
//    Kafka broker processes when it can find them (they may serve other work too).
// 4. Stops the platform (its databases are dropped), then times the `segment` command (bundled,
//    dist/apps/segment-cli/main.js) and bench/segment_sklearn.py (/usr/bin/python3, one thread)
//    on the same file, --runs times each (median), one after the other.
// 5. Prints the tables: each stage's time and rate next to the two baselines, with ratios to
//    pandas + scikit-learn; CPU time per process; each consumer's batches (from /metrics); then
//    the targets (met or not). bench/PIPELINE.md explains the columns.
//
// --staged runs the first two stages one after the other instead of overlapped: the rfm service
// is stopped while the file is imported (ingest alone, into Kafka), then started again and drains
// the topic (rfm alone; clustering and profiling follow it as usual). Each stage's rate is then
// measured from its own start, which shows what each can do without the other competing for the
// CPUs; the end-to-end row includes the gap.
// --env NAME=VALUE (repeatable) adds to the apps' environment, e.g. --env SEG_INGEST_BATCH_SIZE=1000.
// The apps run with the clustering service's shipped quiet period before automatic training
// (SEG_TRAIN_QUIET_MS=3000), not the end-to-end tests' 500 ms; --env SEG_TRAIN_QUIET_MS=500 for that.
// --cpu-prof DIR profiles the apps (a preloaded node:inspector script, since Node refuses
// --cpu-prof in NODE_OPTIONS; one DIR/<pid>.cpuprofile per app, written when the platform stops)
// and prints each app's self time by origin and its top functions. Profiling slows the apps
// down: take the rates from a run without it.
//
// Needs: the apps built (bash -c 'source tools/lib/common.sh; build_apps'), MariaDB and the
// Kafka broker up (bash tools/infra/up.sh), .local/secrets.env. The default file is
// ../shared/data/online_retail/online_retail.csv.gz next to the repository, else the bundled
// sample data/sample/online_retail_2010-12_2011-02.csv.gz.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { gunzipSync } from 'node:zlib';
import { createConnection, type Connection } from 'mysql2/promise';
import { loadLocalSecrets } from '@seg/testing';
import { graphql, startPlatform, type AppName, type RunningPlatform } from '../apps/e2e/src/platform';

export const ROOT = resolve(__dirname, '..');
export const SAMPLE = join(ROOT, 'data', 'sample', 'online_retail_2010-12_2011-02.csv.gz');
const FULL = resolve(ROOT, '..', 'shared', 'data', 'online_retail', 'online_retail.csv.gz');
/** The clustering service's default SEG_TRAIN_QUIET_MS (apps/clustering-service/src/config.ts). */
const SHIPPED_TRAIN_QUIET_MS = 3_000;
export const APPS: readonly AppName[] = ['ingest-service', 'rfm-service', 'clustering-service', 'profiling-service', 'gateway'];

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
export const log = (message: string) => process.stderr.write(`[bench] ${message}\n`);
export const machine = () => `${cpus().length} CPUs, load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`;

/** A GraphQL call that throws on errors. */
export async function query<T>(platform: RunningPlatform, key: string, text: string, variables: Record<string, unknown> = {}): Promise<T> {
  const r = await graphql<T>(platform.gatewayUrl, key, text, variables);
  if (r.errors?.length) throw new Error(r.errors.map((e) => e.message).join('; '));
  if (!r.data) throw new Error(`no data (HTTP ${r.status})`);
  return r.data;
}

/** Checks that the built apps exist before starting anything. */
export function requireBuiltApps(): void {
  const missing = APPS.filter((app) => !existsSync(join(ROOT, 'dist', 'apps', app, 'main.js')));
  if (missing.length > 0) throw new Error(`not built: ${missing.join(', ')} (run: bash -c 'source tools/lib/common.sh; build_apps')`);
}

/** Starts an import of `file` (copied into the platform's import folder as `name`); returns the job id. */
export async function startImport(platform: RunningPlatform, file: string, name = basename(file)): Promise<string> {
  const target = join(platform.importDir, name);
  copyFileSync(file, target);
  const r = await query<{ startImport: { job: { id: string } | null; userErrors: { code: string; message: string }[] } }>(
    platform,
    platform.keys.admin,
    'mutation($p: String!) { startImport(path: $p) { job { id } userErrors { code message } } }',
    { p: target },
  );
  if (!r.startImport.job || r.startImport.userErrors.length > 0) throw new Error(`import refused: ${JSON.stringify(r.startImport.userErrors)}`);
  return r.startImport.job.id;
}

export interface ImportJob {
  readonly status: string;
  readonly linesRead: number;
  readonly accepted: number;
  readonly rejected: number;
  readonly withoutCustomer: number;
  readonly startedAt: string;
  readonly finishedAt: string | null;
  readonly error: string | null;
}

export const importJob = async (platform: RunningPlatform, id: string): Promise<ImportJob> =>
  (
    await query<{ importJob: ImportJob }>(
      platform,
      platform.keys.viewer,
      'query($id: ID!) { importJob(id: $id) { status linesRead accepted rejected withoutCustomer startedAt finishedAt error } }',
      { id },
    )
  ).importJob;

export interface SegmentState {
  readonly customers: number;
  readonly modelVersion: number | null;
  readonly modelCustomers: number;
  readonly segmented: number;
  /** tools/demo.ts's rule: the newest model was trained on every customer, and its segments hold them all. */
  readonly complete: boolean;
  /** Every customer is in a segment of the newest model (some may have been placed, not trained on). */
  readonly covered: boolean;
}

/** The settle rule of tools/demo.ts, one observation. */
export async function segmentState(platform: RunningPlatform): Promise<SegmentState> {
  const r = await query<{ rfmSummary: { customers: number }; segmentationModels: { version: number; customers: number }[]; segments: { size: number; modelVersion: number }[] }>(
    platform,
    platform.keys.viewer,
    '{ rfmSummary { customers } segmentationModels { version customers } segments { size modelVersion } }',
  );
  const latest = r.segmentationModels[0];
  const segmented = r.segments.reduce((sum, s) => sum + s.size, 0);
  const customers = r.rfmSummary.customers;
  const covered = latest !== undefined && customers > 0 && segmented === customers && r.segments.every((s) => s.modelVersion === latest.version);
  const complete = covered && latest?.customers === customers;
  return { customers, modelVersion: latest?.version ?? null, modelCustomers: latest?.customers ?? 0, segmented, complete, covered };
}

/** Waits until segments cover every customer (same complete state twice, `intervalMs` apart). */
export async function waitForSegments(platform: RunningPlatform, timeoutMs: number, intervalMs = 1_000): Promise<SegmentState> {
  const deadline = Date.now() + timeoutMs;
  let previous = '';
  for (;;) {
    const state = await segmentState(platform);
    const key = `${state.customers}/${state.modelVersion}/${state.modelCustomers}/${state.segmented}`;
    if (state.complete && key === previous) return state;
    previous = state.complete ? key : '';
    if (Date.now() > deadline) throw new Error(`segments did not settle within ${timeoutMs / 1000} s (last: ${key})`);
    await sleep(intervalMs);
  }
}

/** CPU seconds (user + system) a process has used so far, from /proc; null when unreadable. */
export function cpuSeconds(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 14 and 15 of stat (utime, stime); the slice starts at field 3.
    return (Number(fields[11]) + Number(fields[12])) / clockTicks;
  } catch {
    return null;
  }
}
const clockTicks = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

/** The pid listening on a local TCP port (the shared MariaDB and Kafka broker), via ss; undefined when not found. */
export function listenerPid(port: number): number | undefined {
  const out = spawnSync('ss', ['-ltnpH', `sport = :${port}`], { encoding: 'utf8' }).stdout ?? '';
  const match = /pid=(\d+)/.exec(out);
  return match ? Number(match[1]) : undefined;
}

/** A process's peak resident memory so far (VmHWM), in MiB; null when unreadable. */
export function peakRssMiB(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const kb = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb === undefined ? null : Number(kb) / 1024;
  } catch {
    return null;
  }
}

/** CPU-time and peak-memory meters for the apps and the shared infrastructure. */
export function cpuMeters(platform: RunningPlatform): { name: string; shared: boolean; read: () => number | null; peakRss: () => number | null }[] {
  const meters = APPS.map((app) => ({ name: app, shared: false, read: () => cpuSeconds(platform.app(app).child.pid), peakRss: () => peakRssMiB(platform.app(app).child.pid) }));
  const mariadb = listenerPid(platform.databases.rfm.port);
  const kafka = listenerPid(9092);
  return [
    ...meters,
    { name: 'MariaDB (shared)', shared: true, read: () => cpuSeconds(mariadb), peakRss: () => peakRssMiB(mariadb) },
    { name: 'Kafka broker (shared)', shared: true, read: () => cpuSeconds(kafka), peakRss: () => peakRssMiB(kafka) },
    { name: 'this bench process', shared: false, read: () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; }, peakRss: () => peakRssMiB(process.pid) },
  ];
}

export interface ConsumerStats {
  readonly service: string;
  readonly topic: string;
  readonly batches: number;
  readonly events: number;
  readonly handledSeconds: number;
}

/** Per-topic consumer batches from each service's Prometheus /metrics (count, events, time in batches). */
export async function consumerStats(platform: RunningPlatform): Promise<ConsumerStats[]> {
  const stats: ConsumerStats[] = [];
  for (const [service, url] of Object.entries(platform.subgraphUrls)) {
    const text = await fetch(url.replace(/\/graphql$/, '/metrics')).then((r) => r.text(), () => '');
    const series = (name: string) => {
      const out = new Map<string, number>();
      for (const line of text.split('\n')) {
        if (!line.startsWith(`${name}{`)) continue;
        const topic = /topic="([^"]*)"/.exec(line)?.[1];
        if (topic) out.set(topic, (out.get(topic) ?? 0) + Number(line.slice(line.lastIndexOf(' ') + 1)));
      }
      return out;
    };
    const count = series('seg_kafka_batch_duration_seconds_count');
    const seconds = series('seg_kafka_batch_duration_seconds_sum');
    const events = series('seg_kafka_batch_size_sum');
    for (const [topic, batches] of count) {
      stats.push({ service, topic: topic.replace(/^.*?(seg\.)/, '$1'), batches, events: events.get(topic) ?? 0, handledSeconds: seconds.get(topic) ?? 0 });
    }
  }
  return stats;
}

/** A mysql2 connection to one service's database, as that service's own user. */
export async function connectAs(platform: RunningPlatform, service: 'rfm' | 'clustering'): Promise<Connection> {
  const s = platform.databases[service];
  return createConnection({ host: s.host, port: s.port, user: s.user, password: s.password, database: s.database });
}

/**
 * The sum of a metric's series in a service's Prometheus /metrics (0 while the service is down,
 * e.g. the rfm service during a staged import).
 */
export async function metricTotal(platform: RunningPlatform, service: keyof RunningPlatform['subgraphUrls'], name: string): Promise<number> {
  const text = await fetch(platform.subgraphUrls[service].replace(/\/graphql$/, '/metrics')).then((r) => r.text(), () => '');
  let sum = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith(`${name}{`) || line.startsWith(`${name} `)) sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

export const countRows = async (c: Connection, table: string): Promise<number> => {
  const [rows] = await c.query(`SELECT COUNT(*) AS n FROM ${table}`);
  return Number((rows as { n: number | string }[])[0]?.n ?? 0);
};

/** Runs a command once under /usr/bin/time (when present): wall, CPU and peak RSS. */
function timeCommand(command: string[], env: Record<string, string> = {}): { wall: number; cpu: number | null; rssMb: number | null; ok: boolean; stderr: string } {
  const gnuTime = existsSync('/usr/bin/time') && spawnSync('/usr/bin/time', ['-f', '%e', 'true']).status === 0;
  const timeFile = join(tmpdir(), `seg-bench-time-${process.pid}.txt`);
  const argv = gnuTime ? ['/usr/bin/time', '-o', timeFile, '-f', '%e %U %S %M', ...command] : command;
  const started = performance.now();
  const r = spawnSync(argv[0] as string, argv.slice(1), { cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const wall = (performance.now() - started) / 1000;
  let cpu: number | null = null;
  let rssMb: number | null = null;
  if (gnuTime && existsSync(timeFile)) {
    const parts = readFileSync(timeFile, 'utf8').trim().split('\n').pop()?.split(' ').map(Number) ?? [];
    cpu = (parts[1] ?? 0) + (parts[2] ?? 0);
    rssMb = (parts[3] ?? 0) / 1024;
    rmSync(timeFile, { force: true });
  }
  return { wall, cpu, rssMb, ok: r.status === 0, stderr: r.stderr ?? '' };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

/** Times a baseline `runs` times; median wall, CPU and RSS of the last run. */
function baseline(name: string, command: string[], runs: number, env: Record<string, string> = {}): Baseline {
  const walls: number[] = [];
  let last: ReturnType<typeof timeCommand> | undefined;
  for (let i = 0; i < runs; i++) {
    log(`running ${name} (${i + 1}/${runs}) ...`);
    last = timeCommand(command, env);
    if (!last.ok) {
      log(`${name} failed: ${last.stderr.split('\n').slice(-5).join(' | ')}`);
      return { name, wall: null, cpu: null, rssMb: null };
    }
    walls.push(last.wall);
  }
  return { name, wall: median(walls), cpu: last?.cpu ?? null, rssMb: last?.rssMb ?? null };
}

interface Baseline {
  readonly name: string;
  readonly wall: number | null;
  readonly cpu: number | null;
  readonly rssMb: number | null;
}

interface Sample {
  readonly t: number;
  readonly linesRead: number;
  readonly rfmLines: number;
  readonly rfmCustomers: number;
  readonly features: number;
  readonly assignments: number;
}

/** Time (s since start) at which `pick` first reached `value`, from the samples; null if never. */
const reachedAt = (samples: readonly Sample[], pick: (s: Sample) => number, value: number): number | null => samples.find((s) => pick(s) >= value)?.t ?? null;

/** The highest rate of `pick` over any window of at least `windowS` seconds. */
function peakRate(samples: readonly Sample[], pick: (s: Sample) => number, windowS = 5): number {
  let best = 0;
  let j = 0;
  for (let i = 0; i < samples.length; i++) {
    const end = samples[i] as Sample;
    while (j < i && end.t - (samples[j + 1] as Sample).t >= windowS) j++;
    const start = samples[j] as Sample;
    if (end.t - start.t >= windowS) best = Math.max(best, (pick(end) - pick(start)) / (end.t - start.t));
  }
  return best;
}

export function table(header: readonly string[], rows: readonly (readonly string[])[], rightAligned: (i: number) => boolean = (i) => i > 0): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (rightAligned(i) ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

const fmt = (x: number | null | undefined, digits = 1) => (x === null || x === undefined || !Number.isFinite(x) ? '-' : x.toFixed(digits));
const int = (x: number | null | undefined) => (x === null || x === undefined || !Number.isFinite(x) ? '-' : Math.round(x).toLocaleString('en-US'));

/**
 * A script for `node --require` that samples the process's CPU (V8 profiler, 1 ms) from start and
 * writes <dir>/<pid>.cpuprofile when the process is told to stop (SIGTERM or SIGINT) or exits.
 */
function cpuProfilePreload(dir: string): string {
  return `'use strict';
const inspector = require('node:inspector');
const fs = require('node:fs');
const session = new inspector.Session();
session.connect();
session.post('Profiler.enable');
session.post('Profiler.setSamplingInterval', { interval: 1000 });
session.post('Profiler.start');
let written = false;
const write = () => {
  if (written) return;
  written = true;
  session.post('Profiler.stop', (error, result) => {
    if (!error) fs.writeFileSync(${JSON.stringify(dir)} + '/' + process.pid + '.cpuprofile', JSON.stringify(result.profile));
  });
};
process.once('SIGTERM', write);
process.once('SIGINT', write);
process.once('exit', write);
`;
}

/** The top functions by self time of one .cpuprofile (V8 format). */
export function topFunctions(file: string, limit = 15): { name: string; selfMs: number; share: number }[] {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as {
    nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
    samples: number[];
    timeDeltas: number[];
  };
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const dt = (profile.timeDeltas[i] ?? 0) / 1000;
    const frame = byId.get(id)?.callFrame;
    if (!frame) return;
    const where = frame.url ? `${frame.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/dist\//, 'dist/')}:${frame.lineNumber + 1}` : '';
    const name = `${frame.functionName || '(anonymous)'}${where ? ` ${where}` : ''}`;
    self.set(name, (self.get(name) ?? 0) + dt);
    total += dt;
  });
  return [...self]
    .map(([name, selfMs]) => ({ name, selfMs, share: total > 0 ? selfMs / total : 0 }))
    .sort((a, b) => b.selfMs - a.selfMs)
    .slice(0, limit);
}

/** Self time of one .cpuprofile by origin: npm package, the app's bundle, Node internals, GC, idle. */
export function selfTimeByOrigin(file: string): { origin: string; selfMs: number; share: number }[] {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as { nodes: { id: number; callFrame: { functionName: string; url: string } }[]; samples: number[]; timeDeltas: number[] };
  const byId = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const origins = new Map<string, number>();
  let total = 0;
  const originOf = (frame: { functionName: string; url: string } | undefined): string => {
    if (!frame) return '?';
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(frame.url)?.[1];
    if (pkg) return pkg;
    if (/\/dist\/apps\//.test(frame.url)) return 'app bundle (dist/apps, incl. @seg libs)';
    if (frame.url.startsWith('node:')) return 'node internals (JS)';
    if (frame.url === '') return frame.functionName.startsWith('(') ? frame.functionName : 'native (V8/Node builtins)';
    return frame.url;
  };
  profile.samples.forEach((id, i) => {
    const dt = (profile.timeDeltas[i] ?? 0) / 1000;
    const origin = originOf(byId.get(id));
    origins.set(origin, (origins.get(origin) ?? 0) + dt);
    total += dt;
  });
  return [...origins].map(([origin, selfMs]) => ({ origin, selfMs, share: total > 0 ? selfMs / total : 0 })).sort((a, b) => b.selfMs - a.selfMs);
}

/** Data lines of a CSV (plain or gzip): line breaks minus the header (the Online Retail files quote no line breaks). */
function countDataLines(file: string): number {
  const data = file.endsWith('.gz') ? gunzipSync(readFileSync(file)) : readFileSync(file);
  let n = 0;
  for (let i = data.indexOf(10); i !== -1; i = data.indexOf(10, i + 1)) n++;
  if (data.length > 0 && data[data.length - 1] !== 10) n++;
  return Math.max(0, n - 1);
}

interface Options {
  readonly file: string;
  readonly portBase: number;
  readonly pollMs: number;
  readonly tailPollMs: number;
  readonly runs: number;
  readonly baselines: boolean;
  readonly cpuProf: string | null;
  readonly timeoutS: number;
  readonly env: Record<string, string>;
  readonly staged: boolean;
  readonly retrainAfterS: number;
}

function parseOptions(argv: readonly string[]): Options {
  let file: string | undefined;
  const opts = { portBase: 4950, pollMs: 1_000, tailPollMs: 100, runs: 3, baselines: true, cpuProf: null as string | null, timeoutS: 1_800, env: {} as Record<string, string>, staged: false, retrainAfterS: 20 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--port-base') opts.portBase = Number(value());
    else if (a === '--poll-ms') opts.pollMs = Number(value());
    else if (a === '--tail-poll-ms') opts.tailPollMs = Number(value());
    else if (a === '--runs') opts.runs = Number(value());
    else if (a === '--no-baselines') opts.baselines = false;
    else if (a === '--staged') opts.staged = true;
    else if (a === '--retrain-after-s') opts.retrainAfterS = Number(value());
    else if (a === '--cpu-prof') opts.cpuProf = resolve(value());
    else if (a === '--timeout-s') opts.timeoutS = Number(value());
    else if (a === '--env') {
      const [name, ...rest] = value().split('=');
      if (!name || rest.length === 0) throw new Error('--env needs NAME=VALUE');
      opts.env[name] = rest.join('=');
    }
    else if (a.startsWith('--')) throw new Error(`unknown option ${a}`);
    else file = resolve(a);
  }
  file ??= existsSync(FULL) ? FULL : SAMPLE;
  if (!existsSync(file)) throw new Error(`cannot read ${file}`);
  return { file, ...opts };
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  requireBuiltApps();
  loadLocalSecrets();
  const machineBefore = machine();
  const fileLines = countDataLines(options.file);
  log(`file ${options.file} (${fileLines} data lines); ${machineBefore}`);

  // The platform as shipped: the clustering service's default quiet period before an automatic
  // training run (SEG_TRAIN_QUIET_MS in apps/clustering-service/src/config.ts), not the 500 ms the
  // end-to-end tests start it with. --env SEG_TRAIN_QUIET_MS=500 gives section 4's setting.
  const extraEnv: Record<string, string> = { SEG_TRAIN_QUIET_MS: String(SHIPPED_TRAIN_QUIET_MS), ...options.env };
  let preloadDir: string | undefined;
  if (options.cpuProf) {
    // Node refuses --cpu-prof in NODE_OPTIONS, and startPlatform starts the apps with its own
    // arguments: a preloaded script profiles each app through node:inspector instead.
    mkdirSync(options.cpuProf, { recursive: true });
    preloadDir = mkdtempSync(join(tmpdir(), 'seg-bench-prof-'));
    const preload = join(preloadDir, 'cpu-prof.cjs');
    writeFileSync(preload, cpuProfilePreload(options.cpuProf));
    extraEnv['NODE_OPTIONS'] = `${extraEnv['NODE_OPTIONS'] ?? process.env['NODE_OPTIONS'] ?? ''} --require ${preload}`.trim();
  }
  log(`starting a fresh platform on ports ${options.portBase}..${options.portBase + 4} ...`);
  const platform = await startPlatform(options.portBase, extraEnv);
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await platform.stop();
  };
  process.once('SIGINT', () => void stop().finally(() => process.exit(130)));

  const samples: Sample[] = [];
  let job: ImportJob | undefined;
  let settled: SegmentState | undefined;
  let segmentsAt: number | null = null;
  let coveredAt: number | null = null;
  let retrainAskedAt: number | null = null;
  let failure: unknown;
  const meters = cpuMeters(platform);
  const appsByPid = new Map(APPS.map((app) => [platform.app(app).child.pid, app]));
  const cpuBefore = meters.map((m) => m.read());
  let cpuAfter: (number | null)[] = [];
  let peakRss: (number | null)[] = [];
  let consumers: ConsumerStats[] = [];
  const rfmDb = await connectAs(platform, 'rfm');
  const clusteringDb = await connectAs(platform, 'clustering');
  // The observer's own cost: time spent in the COUNT(*) polls.
  let pollMs = 0;
  // COUNT(*) of the rfm service's lines once the segments are settled, against its counter.
  let linesInTable: number | null = null;
  let polls = 0;
  // Segments queries at the gateway (the tail's, once clustering has every customer's features).
  let segmentQueries = 0;
  // Staged: when the rfm service was ready again (its stage is measured from there).
  let rfmStart = 0;
  try {
    if (options.staged) {
      log('staged: stopping the rfm service for the import');
      await platform.app('rfm-service').stop();
    }
    const t0 = performance.now();
    const now = () => (performance.now() - t0) / 1000;
    const jobId = await startImport(platform, options.file);
    log(`import ${jobId} started`);
    let previousSettle = '';
    let lastProgress = 0;
    const deadline = options.timeoutS;
    for (;;) {
      const t = now();
      if (!job || job.status === 'RUNNING') job = await importJob(platform, jobId);
      if (options.staged && job.status === 'COMPLETED' && rfmStart === 0) {
        log(`staged: import done at ${t.toFixed(1)} s, starting the rfm service`);
        const index = meters.findIndex((m) => m.name === 'rfm-service');
        await platform.restartApp('rfm-service');
        appsByPid.set(platform.app('rfm-service').child.pid, 'rfm-service');
        cpuBefore[index] = meters[index]?.read() ?? null;
        rfmStart = now();
      }
      const pollStarted = performance.now();
      const [rfmLines, rfmCustomers, features, assignments] = await Promise.all([
        // The rfm service's count of lines stored, not COUNT(*) of its 400,000-row table: that
        // scan cost MariaDB about 150 ms a poll, a third of its CPU in the run. Checked against
        // COUNT(*) once at the end.
        metricTotal(platform, 'rfm', 'seg_rfm_lines_stored_total'),
        countRows(rfmDb, 'customer_metrics'),
        countRows(clusteringDb, 'customer_features'),
        countRows(clusteringDb, 'customer_assignments'),
      ]);
      pollMs += performance.now() - pollStarted;
      polls++;
      samples.push({ t, linesRead: job.linesRead, rfmLines, rfmCustomers, features, assignments });
      if (t - lastProgress >= 5) {
        lastProgress = t;
        log(`${t.toFixed(1)} s: ${job.status} ${job.linesRead} read; rfm ${rfmLines} lines, ${rfmCustomers} customers; clustering ${features} features, ${assignments} assigned`);
      }
      if (job.status !== 'RUNNING' && job.status !== 'COMPLETED') throw new Error(`import ${job.status}: ${job.error}`);
      // The import's end: every stage after it is polled every --tail-poll-ms (staged: once the rfm
      // service runs again).
      const tail = job.status === 'COMPLETED' && (!options.staged || rfmStart > 0);
      // The segments query only once clustering has assigned as many customers (see 2. above).
      if (tail && rfmCustomers > 0 && assignments >= rfmCustomers) {
        const state = await segmentState(platform);
        segmentQueries++;
        const key = `${state.customers}/${state.modelVersion}/${state.modelCustomers}/${state.segmented}/${rfmLines}`;
        if (state.complete && key === previousSettle) {
          settled = state;
          break;
        }
        if (state.complete && previousSettle === '') segmentsAt = t;
        if (!state.complete) segmentsAt = null;
        previousSettle = state.complete ? key : '';
        if (state.covered && coveredAt === null) coveredAt = t;
        if (!state.covered) coveredAt = null;
        const quiet = samples.length > 1 && samples[samples.length - 2]?.rfmLines === rfmLines;
        if (state.covered && !state.complete && quiet && coveredAt !== null && t - coveredAt >= options.retrainAfterS && retrainAskedAt === null) {
          retrainAskedAt = t;
          log(`every customer has a segment but model v${state.modelVersion} was trained on ${state.modelCustomers} of ${state.customers}: asking for a training run`);
          await query(platform, platform.keys.admin, 'mutation { trainSegmentation { model { version } userErrors { code message } } }');
        }
      }
      if (t > deadline) throw new Error(`segments did not settle within ${deadline} s`);
      await sleep(tail ? options.tailPollMs : options.pollMs);
    }
    cpuAfter = meters.map((m) => m.read());
    peakRss = meters.map((m) => m.peakRss());
    consumers = await consumerStats(platform);
    linesInTable = await countRows(rfmDb, 'transaction_lines');
  } catch (error) {
    failure = error;
    cpuAfter = meters.map((m) => m.read());
  } finally {
    await rfmDb.end().catch(() => undefined);
    await clusteringDb.end().catch(() => undefined);
    log('stopping the platform ...');
    await stop();
    if (preloadDir) rmSync(preloadDir, { recursive: true, force: true });
  }
  const machineAfterPipeline = machine();

  const baselines: Baseline[] = [];
  if (options.baselines) {
    const cli = join(ROOT, 'dist', 'apps', 'segment-cli', 'main.js');
    if (!existsSync(cli)) {
      log('building apps/segment-cli ...');
      spawnSync(process.execPath, ['tools/build/build-app.mjs', 'apps/segment-cli'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
    }
    const work = mkdtempSync(join(tmpdir(), 'seg-bench-pipeline-'));
    try {
      baselines.push(baseline('segment command (node, bundled)', [process.execPath, cli, '--input', options.file, '--out', join(work, 'segment')], options.runs));
      const python = process.env['PYTHON'] ?? '/usr/bin/python3';
      if (spawnSync(python, ['-c', 'import pandas, sklearn']).status === 0) {
        const threads = { OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };
        baselines.push(baseline('pandas + scikit-learn', [python, 'bench/segment_sklearn.py', options.file, join(work, 'sklearn'), '--restarts', '10', '--seed', '42'], options.runs, threads));
      } else {
        log(`${python} has no pandas or scikit-learn: that row is left out`);
      }
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }

  // ---- report --------------------------------------------------------------------------------
  console.log('== the platform as a pipeline: CSV backfill to queryable segments ==');
  console.log(`file: ${options.file}`);
  console.log(`machine: ${machineBefore} before, ${machineAfterPipeline} after the pipeline, ${machine()} at the end; node ${process.version}`);
  console.log(`apps' environment: SEG_TRAIN_QUIET_MS=${SHIPPED_TRAIN_QUIET_MS} (the shipped default)${Object.keys(options.env).length > 0 ? `, then ${Object.entries(options.env).map(([k, v]) => `${k}=${v}`).join(' ')}` : ''}`);
  console.log(`poll: every ${options.pollMs} ms, every ${options.tailPollMs} ms once the import has finished (the rfm service's lines-stored counter and COUNT(*) of the customer tables; segments after the import, once clustering has assigned every customer)${options.cpuProf ? '; apps under --cpu-prof (slower)' : ''}`);
  if (failure) {
    const message = failure instanceof Error ? failure.message : String(failure);
    console.log(`PIPELINE FAILED: ${message}`);
    if (/larger than the max message size/.test(message)) {
      console.log('  (one producer request put more than the broker\'s message.max.bytes, 1 MB by default, into one partition; smaller import batches avoid it: --env SEG_INGEST_BATCH_SIZE=1000)');
    }
  }
  const last = samples[samples.length - 1];
  if (job && last) {
    const importS = job.finishedAt ? (Date.parse(job.finishedAt) - Date.parse(job.startedAt)) / 1000 : null;
    const linesAt = reachedAt(samples, (s) => s.rfmLines, last.rfmLines);
    const customersAt = reachedAt(samples, (s) => s.rfmCustomers, last.rfmCustomers);
    const featuresAt = reachedAt(samples, (s) => s.features, last.features);
    const assignedAt = reachedAt(samples, (s) => s.assignments, last.assignments);
    const endS = settled ? (segmentsAt ?? last.t) : null;
    const elapsed = endS ?? last.t;
    const sklearn = baselines.find((b) => b.name.startsWith('pandas'))?.wall ?? null;
    const ratio = (s: number | null) => (s !== null && sklearn ? `${(s / sklearn).toFixed(2)}x` : '-');
    const rate = (n: number, s: number | null) => (s && s > 0 ? n / s : null);
    // Staged: the rfm-driven stages are rated from the moment the rfm service was ready again.
    const since = (s: number | null) => (s === null ? null : s - rfmStart);
    console.log(
      `import: ${job.status}, ${int(job.linesRead)} lines read, ${int(job.accepted)} accepted, ${int(job.withoutCustomer)} without customer, ${int(job.rejected)} rejected; ` +
        `stored: ${int(last.rfmLines)} distinct lines (COUNT(*) at the end: ${linesInTable === null ? '-' : int(linesInTable)}), ${int(last.rfmCustomers)} customers with a purchase; model v${settled?.modelVersion ?? '-'}`,
    );
    if (options.staged) console.log(`staged: the rfm service was stopped during the import and ready again at ${rfmStart.toFixed(2)} s; the rfm, customer and clustering rates count from there`);
    if (linesInTable !== null && linesInTable !== last.rfmLines) console.log(`WARNING: the rfm service counted ${int(last.rfmLines)} lines stored, its table holds ${int(linesInTable)}`);
    console.log(`poll cost: ${polls} polls (rfm's lines-stored counter, three COUNT(*) of the customer tables), ${(pollMs / 1000).toFixed(1)} s in all (${(pollMs / Math.max(1, polls)).toFixed(0)} ms each; they run on the same MariaDB); ${segmentQueries} segments queries at the gateway`);
    console.log();
    const rows: string[][] = [
      ['ingest: CSV read, validated, published', fmt(importS, 2), `${int(job.linesRead)} lines read`, int(rate(job.linesRead, importS)), int(peakRate(samples, (s) => s.linesRead)), ratio(importS)],
      ['rfm: lines stored in MariaDB', fmt(linesAt, 2), `${int(last.rfmLines)} lines`, int(rate(last.rfmLines, since(linesAt))), int(peakRate(samples, (s) => s.rfmLines)), ratio(linesAt)],
      ['rfm: customers with metrics', fmt(customersAt, 2), `${int(last.rfmCustomers)} customers`, int(rate(last.rfmCustomers, since(customersAt))), int(peakRate(samples, (s) => s.rfmCustomers)), ratio(customersAt)],
      ['clustering: customers with features', fmt(featuresAt, 2), `${int(last.features)} customers`, int(rate(last.features, since(featuresAt))), int(peakRate(samples, (s) => s.features)), ratio(featuresAt)],
      ['clustering: customers assigned', fmt(assignedAt, 2), `${int(last.assignments)} customers`, int(rate(last.assignments, since(assignedAt))), '-', ratio(assignedAt)],
      ['every customer in a segment (sizes sum)', fmt(coveredAt, 2), `${int(job.linesRead)} lines read`, int(rate(job.linesRead, coveredAt)), '-', ratio(coveredAt)],
      [
        `segments queryable, demo rule${retrainAskedAt !== null ? ' (*)' : ''}`,
        fmt(endS, 2),
        `${int(job.linesRead)} lines read`,
        int(rate(job.linesRead, endS)),
        '-',
        ratio(endS),
      ],
    ];
    for (const b of baselines) rows.push([b.name, fmt(b.wall, 2), `${int(fileLines)} lines read`, int(rate(fileLines, b.wall)), '-', ratio(b.wall)]);
    console.log(
      table(['stage (time from the startImport request)', 'time (s)', 'count', 'avg per s', 'peak per s (5 s)', 'vs pandas+sklearn'], rows, (i) => i === 1 || i === 3 || i === 4 || i === 5),
    );
    if (retrainAskedAt !== null) console.log(`(*) the newest model had been trained on fewer customers than exist; the bench asked for a training run at ${retrainAskedAt.toFixed(1)} s`);
    console.log();
    const cpuRows = meters.map((m, i) => {
      const before = cpuBefore[i];
      const after = cpuAfter[i];
      const used = before !== null && before !== undefined && after !== null && after !== undefined ? after - before : null;
      return [m.name, fmt(used, 1), used !== null && elapsed > 0 ? `${((100 * used) / elapsed).toFixed(0)}%` : '-', fmt(peakRss[i] ?? null, 0)];
    });
    for (const b of baselines) cpuRows.push([`${b.name} (separate run)`, fmt(b.cpu, 1), b.wall && b.cpu !== null ? `${((100 * b.cpu) / b.wall).toFixed(0)}%` : '-', '-']);
    console.log(table([`process (CPU over the ${elapsed.toFixed(1)} s measured)`, 'CPU (s)', 'of one core', 'peak RSS (MiB)'], cpuRows));
    console.log('(peak RSS: the most resident memory since the process started, the shared MariaDB and broker included)');
    console.log();
    if (consumers.length > 0) {
      const consumerRows = consumers
        .filter((c) => c.batches > 0)
        .map((c) => [
          `${c.service}: ${c.topic}`,
          int(c.batches),
          int(c.events),
          int(c.events / c.batches),
          fmt((1000 * c.handledSeconds) / c.batches, 0),
          fmt(c.handledSeconds, 1),
          elapsed > 0 ? `${((100 * c.handledSeconds) / elapsed).toFixed(0)}%` : '-',
          c.handledSeconds > 0 ? int(c.events / c.handledSeconds) : '-',
        ]);
      console.log(table(['consumer (Prometheus /metrics)', 'batches', 'events', 'per batch', 'ms per batch', 'busy (s)', 'busy share', 'events per busy s'], consumerRows));
      console.log();
    }
    const check = (what: string, ok: boolean | null, detail: string) => console.log(`target: ${what}: ${detail}, ${ok === null ? 'not measured' : ok ? 'met' : 'NOT met'}`);
    const storedRate = rate(last.rfmLines, since(linesAt));
    const endRate = rate(job.linesRead, endS);
    check('within 3x of pandas + scikit-learn (time to segments)', endS !== null && sklearn ? endS / sklearn <= 3 : null, ratio(endS));
    check(`>= 100,000 lines/s into MariaDB (rfm lines stored, average${options.staged ? ', rfm alone on the full topic' : ''})`, storedRate === null ? null : storedRate >= 100_000, `${int(storedRate)} lines/s`);
    if (!options.staged) console.log('        (overlapped with the import, rfm stores lines as they arrive, so this rate is bounded by the import\'s; --staged measures the rfm stage alone)');
    check('>= 50,000 lines/s end to end (lines read / time to segments)', endRate === null ? null : endRate >= 50_000, `${int(endRate)} lines/s`);
  }

  if (options.cpuProf) {
    console.log();
    console.log(`== CPU profiles (${options.cpuProf}): top functions by self time ==`);
    const pidOf = (f: string) => Number(/(\d+)\.cpuprofile$/.exec(f)?.[1]);
    const files = readdirSync(options.cpuProf).filter((f) => appsByPid.has(pidOf(f)));
    for (const f of files) {
      const path = join(options.cpuProf, f);
      console.log(`\n${appsByPid.get(pidOf(f)) ?? 'unknown process'}: ${path}`);
      console.log(table(['origin', 'self ms', 'share'], selfTimeByOrigin(path).slice(0, 10).map((o) => [o.origin, o.selfMs.toFixed(0), `${(100 * o.share).toFixed(1)}%`])));
      console.log();
      console.log(table(['function', 'self ms', 'share'], topFunctions(path).map((t) => [t.name, t.selfMs.toFixed(0), `${(100 * t.share).toFixed(1)}%`]), (i) => i > 0));
    }
  }
  if (failure) process.exitCode = 1;
}

if (require.main === module) {
  main().catch((error: unknown) => {
    log(`error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  });
}

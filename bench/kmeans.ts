// k-means side by side: our fitKMeans (libs/domain/clustering) against scikit-learn's KMeans on
// exactly the same points, k = 2..10, plus ml-kmeans with its own built-in k-means++ seeding.
//
//   npx tsx bench/kmeans.ts [file.csv.gz] [--restarts 10] [--seed 42] [--repeat 5] [--k-min 2]
//                           [--k-max 10] [--python /usr/bin/python3] [--matrix-out points.json]
//                           [--json results.json] [--scale 1]
//
// 1. Builds the feature matrix the `segment` command clusters, once, with the domain libraries:
//    CSV -> normaliseRow -> aggregateCustomers -> RFM values -> log1p + z-score (fitScaler).
// 2. Writes it to a temporary JSON file; bench/kmeans_sklearn.py fits the very same points.
// 3. Times (after one warm-up fit per k) the median of --repeat fits of:
//      fitKMeans       {k, seed, restarts}: seeded greedy k-means++ + Lloyd iterations, in this
//                      process
//      ml-kmeans ++    kmeans(points, k, {initialization: 'kmeans++', seed}), ONE start, same
//                      tolerance and iteration cap: ml-kmeans' own seeding, in a fresh process
//                      (ml-kmeans with its default distance and fitKMeans with its own in one
//                      process would make V8's shared call site in ml-nearest-vector
//                      megamorphic and slow both down; a service only ever runs fitKMeans)
//    and scikit-learn KMeans(n_init=restarts, algorithm='lloyd', init='k-means++'), one thread.
// 4. Measures the memory of one start (seeding + Lloyd) per k, fitKMeans with restarts = 1 against
//    ml-kmeans '++', each in a fresh process: RSS high-water mark minus the RSS before the fit.
//    With --scale S > 1, also one start of each per k on the matrix repeated S times (time and
//    memory in a fresh process), where ml-kmeans' seeding shows its cost.
//
// The default file is ../shared/data/online_retail/online_retail.csv.gz next to the repository.
import { spawnSync } from 'node:child_process';
import { createReadStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createGunzip } from 'node:zlib';
import { parse } from 'csv-parse';
import { kmeans } from 'ml-kmeans';
import { fitKMeans, fitScaler, nearestCentroid, transform } from '@seg/domain-clustering';
import { aggregateCustomers, analysisDate, toRfmValues } from '@seg/domain-rfm';
import { normaliseRow, resolveHeader, type TransactionLine } from '@seg/domain-transactions';

const ROOT = resolve(__dirname, '..');
const DEFAULT_DATA = resolve(ROOT, '../shared/data/online_retail/online_retail.csv.gz');
const FEATURES = ['recency_days', 'frequency', 'monetary'];

interface Matrix {
  readonly source: string;
  readonly features: readonly string[];
  readonly points: number[][];
}

interface Options {
  readonly data: string;
  readonly kMin: number;
  readonly kMax: number;
  readonly restarts: number;
  readonly seed: number;
  readonly repeat: number;
  readonly python: string;
  readonly matrixOut: string | null;
  readonly json: string | null;
  /** > 1: also one start per k on the matrix repeated this many times, in fresh processes. */
  readonly scale: number;
}

function parseOptions(argv: readonly string[]): Options {
  const values: Record<string, string> = {};
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg.startsWith('--')) {
      const value = argv[++i];
      if (value === undefined) throw new Error(`${arg} needs a value`);
      values[arg.slice(2)] = value;
    } else positional.push(arg);
  }
  const int = (name: string, fallback: number): number => {
    const raw = values[name];
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a non-negative integer, got ${raw}`);
    return n;
  };
  return {
    data: resolve(positional[0] ?? DEFAULT_DATA),
    kMin: int('k-min', 2),
    kMax: int('k-max', 10),
    restarts: int('restarts', 10),
    seed: int('seed', 42),
    repeat: Math.max(1, int('repeat', 5)),
    python: values['python'] ?? process.env['PYTHON'] ?? '/usr/bin/python3',
    matrixOut: values['matrix-out'] ?? null,
    json: values['json'] ?? null,
    scale: Math.max(1, int('scale', 1)),
  };
}

/** The segment command's default features for every customer with a purchase, scaled as it does. */
async function featureMatrix(path: string): Promise<Matrix> {
  const input = createReadStream(path);
  const records = (path.endsWith('.gz') ? input.pipe(createGunzip()) : input).pipe(parse({ relax_column_count: true, bom: true }));
  let columns: ReturnType<typeof resolveHeader> | undefined;
  const lines: TransactionLine[] = [];
  let rejected = 0;
  let lineNumber = 0;
  for await (const fields of records as AsyncIterable<string[]>) {
    lineNumber++;
    if (columns === undefined) {
      columns = resolveHeader(fields);
      if (!columns.ok) throw new Error(`${path}: ${columns.error.message}`);
      continue;
    }
    if (!columns.ok) break;
    const line = normaliseRow(fields, columns.value, lineNumber);
    if (line.ok) lines.push(line.value);
    else rejected++;
  }
  const { customers } = aggregateCustomers(lines);
  const asOf = analysisDate(customers.map((c) => c.lastPurchaseAt));
  const rows = customers.map((c) => {
    const v = toRfmValues(c, asOf);
    return [v.recencyDays, v.frequency, v.monetary];
  });
  const scaler = fitScaler(rows, FEATURES, { scaling: 'zscore' });
  console.error(`matrix: ${lineNumber - 1} rows read (${rejected} rejected), ${customers.length} customers x ${FEATURES.length} features`);
  return { source: path, features: FEATURES, points: rows.map((row) => transform(scaler, row)) };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function meanVariance(points: readonly (readonly number[])[]): number {
  const width = points[0]!.length;
  let total = 0;
  for (let j = 0; j < width; j++) {
    let sum = 0;
    for (const p of points) sum += p[j]!;
    const mean = sum / points.length;
    let squares = 0;
    for (const p of points) squares += (p[j]! - mean) ** 2;
    total += squares / points.length;
  }
  return total / width;
}

function inertiaOf(points: readonly (readonly number[])[], centroids: readonly (readonly number[])[]): number {
  let inertia = 0;
  for (const p of points) inertia += nearestCentroid(p, centroids).distance ** 2;
  return inertia;
}

interface Fit {
  readonly inertia: number;
  readonly iterations: number;
}

type Contender = 'ours' | 'ml-kmeans++';

/** One fit; ml-kmeans gets the same tolerance (scikit-learn's relative tol = 1e-4) and iteration cap as ours. */
function fitOnce(contender: Contender, points: number[][], k: number, options: Pick<Options, 'seed' | 'restarts'>): Fit {
  if (contender === 'ours') {
    const model = fitKMeans(points, { k, seed: options.seed, restarts: options.restarts });
    return { inertia: model.inertia, iterations: model.iterations };
  }
  const result = kmeans(points, k, { initialization: 'kmeans++', seed: options.seed, maxIterations: 300, tolerance: 1e-4 * meanVariance(points) });
  return { inertia: inertiaOf(points, result.centroids), iterations: result.iterations };
}

interface Timed extends Fit {
  readonly ms: number;
  readonly runs: readonly number[];
}

function timeFits(contender: Contender, points: number[][], k: number, options: Options): Timed {
  const fit = fitOnce(contender, points, k, options); // warm-up (and the result: fits are deterministic)
  const runs: number[] = [];
  for (let r = 0; r < options.repeat; r++) {
    const started = performance.now();
    fitOnce(contender, points, k, options);
    runs.push(performance.now() - started);
  }
  return { ...fit, ms: median(runs), runs };
}

interface Memory {
  readonly baselineMb: number;
  readonly peakMb: number;
  /** The fit's time in that process (one run, no warm-up). */
  readonly ms: number;
}

/** Child mode: timeFits of one contender for every k of the sweep, in a fresh process; prints them as JSON. */
function timingChild(argv: readonly string[]): void {
  const [matrixPath, contender, kMin, kMax, seed, restarts, repeat] = argv.map((a, i) => (i < 2 ? a : Number(a))) as [string, Contender, number, number, number, number, number];
  const { points } = JSON.parse(readFileSync(matrixPath, 'utf8')) as Matrix;
  const options = { seed, restarts, repeat } as Options;
  const timed: Record<number, Timed> = {};
  for (let k = kMin; k <= kMax; k++) timed[k] = timeFits(contender, points, k, options);
  process.stdout.write(JSON.stringify(timed));
}

function timeInChild(matrixPath: string, contender: Contender, options: Options): Map<number, Timed> {
  const args = [matrixPath, contender, ...[options.kMin, options.kMax, options.seed, options.restarts, options.repeat].map(String)];
  const run = spawnSync(process.execPath, ['--import', 'tsx', __filename, '--child-time', ...args], { cwd: ROOT, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`timing ${contender} failed: ${run.stderr.trim().split('\n').pop()}`);
  return new Map(Object.entries(JSON.parse(run.stdout) as Record<string, Timed>).map(([k, t]) => [Number(k), t]));
}

/**
 * Child mode: one fit in a fresh process, on the matrix repeated `scale` times; prints the RSS
 * before the fit, its high-water mark and the fit's time.
 */
function child(argv: readonly string[]): void {
  const [matrixPath, contender, k, seed, restarts, scale] = argv;
  const { points: once } = JSON.parse(readFileSync(matrixPath!, 'utf8')) as Matrix;
  const points: number[][] = [];
  for (let copy = 0; copy < Number(scale); copy++) for (const p of once) points.push([...p]);
  const before = process.memoryUsage().rss;
  const started = performance.now();
  fitOnce(contender as Contender, points, Number(k), { seed: Number(seed), restarts: Number(restarts) });
  const ms = performance.now() - started;
  const peak = process.resourceUsage().maxRSS * 1024;
  process.stdout.write(JSON.stringify({ baselineMb: before / 2 ** 20, peakMb: peak / 2 ** 20, ms }));
}

function measureMemory(matrixPath: string, contender: Contender, k: number, options: Options, scale = 1): Memory | null {
  const args = [matrixPath, contender, String(k), String(options.seed), String(options.restarts), String(scale)];
  const run = spawnSync(process.execPath, ['--import', 'tsx', __filename, '--child', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  if (run.status !== 0) {
    console.error(`memory of ${contender} k=${k} not measured: ${run.stderr.trim().split('\n').pop()}`);
    return null;
  }
  return JSON.parse(run.stdout) as Memory;
}

interface SklearnResult {
  readonly versions: Record<string, string>;
  readonly threads: string;
  readonly points: number;
  readonly checksum: number;
  readonly peakMb: number;
  readonly baselineMb: number;
  readonly entries: readonly { k: number; ms: number; runs: number[]; inertia: number; iterations: number }[];
}

function runSklearn(matrixPath: string, out: string, options: Options): SklearnResult | null {
  const run = spawnSync(
    options.python,
    [
      join(ROOT, 'bench/kmeans_sklearn.py'),
      matrixPath,
      out,
      ...['--k-min', String(options.kMin), '--k-max', String(options.kMax), '--n-init', String(options.restarts)],
      ...['--seed', String(options.seed), '--repeat', String(options.repeat)],
    ],
    { encoding: 'utf8', stdio: ['ignore', 'inherit', 'pipe'], env: { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: '1' } },
  );
  if (run.status !== 0) {
    console.error(`scikit-learn side failed (${options.python}): ${(run.stderr ?? String(run.error)).trim().split('\n').slice(-3).join(' / ')}`);
    return null;
  }
  return JSON.parse(readFileSync(out, 'utf8')) as SklearnResult;
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const line = (cells: readonly string[]): string => cells.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

const fixed = (value: number, digits: number): string => value.toFixed(digits);
const ratio = (a: number, b: number): string => `${(a / b).toFixed(2)}x`;
const percent = (value: number): string => `${value >= 0 ? '+' : ''}${(value * 100).toFixed(3)}%`;
const mb = (m: Memory | null): string => (m === null ? 'n/a' : fixed(m.peakMb - m.baselineMb, 1));

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const matrix = await featureMatrix(options.data);
  const { points } = matrix;
  const n = points.length;
  if (n <= options.kMax) throw new Error(`k up to ${options.kMax} needs more than ${options.kMax} points, got ${n}`);
  const work = mkdtempSync(join(tmpdir(), 'seg-kmeans-bench-'));
  try {
    const matrixPath = options.matrixOut === null ? join(work, 'points.json') : resolve(options.matrixOut);
    writeFileSync(matrixPath, JSON.stringify(matrix));
    const checksum = points.reduce((sum, p) => p.reduce((s, v) => s + Math.abs(v), sum), 0);

    console.error(`scikit-learn: ${options.python} bench/kmeans_sklearn.py ...`);
    const sklearn = runSklearn(matrixPath, join(work, 'sklearn.json'), options);
    if (sklearn !== null && (sklearn.points !== n || Math.abs(sklearn.checksum - checksum) > 1e-9 * checksum)) {
      throw new Error(`scikit-learn read other points: ${sklearn.points} points, checksum ${sklearn.checksum} (ours ${n}, ${checksum})`);
    }

    const ks: number[] = [];
    for (let k = options.kMin; k <= options.kMax; k++) ks.push(k);
    const ours = new Map<number, Timed>();
    for (const k of ks) {
      console.error(`fitKMeans, k=${k} ...`);
      ours.set(k, timeFits('ours', points, k, options));
    }
    console.error(`ml-kmeans ++, k=${options.kMin}..${options.kMax}, in a fresh process ...`);
    const builtIn = timeInChild(matrixPath, 'ml-kmeans++', options);
    const memory = new Map<string, Memory | null>();
    const scaled = new Map<string, Memory | null>();
    for (const k of ks) {
      console.error(`peak memory, k=${k} ...`);
      // One start each: the memory of a start, seeding included, side by side.
      for (const contender of ['ours', 'ml-kmeans++'] as const) {
        memory.set(`${contender}:${k}`, measureMemory(matrixPath, contender, k, { ...options, restarts: 1 }));
        if (options.scale > 1) scaled.set(`${contender}:${k}`, measureMemory(matrixPath, contender, k, { ...options, restarts: 1 }, options.scale));
      }
    }

    const sk = new Map((sklearn?.entries ?? []).map((e) => [e.k, e]));
    const total = (m: Map<number, { ms: number }>): number => ks.reduce((sum, k) => sum + (m.get(k)?.ms ?? NaN), 0);
    console.log(
      `\nk-means on the same ${n} x ${matrix.features.length} matrix (log1p + z-score of ${matrix.features.join(', ')}), ` +
        `${options.restarts} k-means++ starts per k, seed ${options.seed}; times: median of ${options.repeat} fits after a warm-up`,
    );
    if (sklearn !== null) {
      console.log(
        `scikit-learn ${sklearn.versions['sklearn']} (numpy ${sklearn.versions['numpy']}), KMeans(n_init=${options.restarts}, algorithm='lloyd'), threads: ${sklearn.threads}; ` +
          `node ${process.version}`,
      );
    }
    console.log('targets: time ratio <= 1.50x, inertia within 0.5% of scikit-learn\n');
    const rows1 = ks.map((k) => {
      const o = ours.get(k)!;
      const s = sk.get(k);
      return [
        String(k),
        fixed(o.ms, 1),
        s === undefined ? 'n/a' : fixed(s.ms, 1),
        s === undefined ? 'n/a' : ratio(o.ms, s.ms),
        fixed(o.inertia, 3),
        s === undefined ? 'n/a' : fixed(s.inertia, 3),
        s === undefined ? 'n/a' : percent((o.inertia - s.inertia) / s.inertia),
        `${o.iterations}/${s?.iterations ?? '-'}`,
      ];
    });
    const skTotal = total(sk);
    rows1.push(['all', fixed(total(ours), 1), sklearn === null ? 'n/a' : fixed(skTotal, 1), sklearn === null ? 'n/a' : ratio(total(ours), skTotal), '', '', '', '']);
    console.log(
      table(['k', 'fitKMeans ms', 'sklearn ms', 'time ratio', 'fitKMeans inertia', 'sklearn inertia', 'inertia diff', 'iter ours/sk'], rows1),
    );
    if (sklearn !== null) {
      const overall = total(ours) / skTotal;
      const worst = Math.max(...ks.map((k) => Math.abs(ours.get(k)!.inertia - sk.get(k)!.inertia) / sk.get(k)!.inertia));
      console.log(
        `\ntarget: fitKMeans within 1.5x of scikit-learn (all k): ${overall.toFixed(2)}x, ${overall <= 1.5 ? 'met' : 'NOT met'}; ` +
          `inertia within 0.5%: largest difference ${(worst * 100).toFixed(3)}%, ${worst <= 0.005 ? 'met' : 'NOT met'}`,
      );
    }

    console.log(
      `\nwhy our seeding: ml-kmeans with its built-in 'kmeans++' (seed ${options.seed}), one start (its seeding + its Lloyd iterations) ` +
        `against one start of fitKMeans (its time / ${options.restarts}); inertia compared with fitKMeans' best of ${options.restarts}; ` +
        'memory: peak RSS above the RSS before the fit, one start in a fresh process\n',
    );
    const rows2 = ks.map((k) => {
      const o = ours.get(k)!;
      const b = builtIn.get(k)!;
      const perStart = o.ms / options.restarts;
      return [
        String(k),
        fixed(b.ms, 2),
        fixed(perStart, 2),
        ratio(b.ms, perStart),
        fixed(b.inertia, 3),
        percent((b.inertia - o.inertia) / o.inertia),
        mb(memory.get(`ml-kmeans++:${k}`) ?? null),
        mb(memory.get(`ours:${k}`) ?? null),
      ];
    });
    console.log(
      table(
        ['k', "ml-kmeans '++' ms (1 start)", 'fitKMeans ms per start', 'ratio', "ml-kmeans '++' inertia", `vs best of ${options.restarts}`, "'++' 1 start MB", 'fitKMeans 1 start MB'],
        rows2,
      ),
    );
    if (options.scale > 1) {
      console.log(
        `\none start per k on the matrix repeated ${options.scale} times (n = ${n * options.scale}), each in a fresh process: ` +
          'time of that one fit (no warm-up) and peak RSS above the RSS before it\n',
      );
      const ms = (m: Memory | null | undefined): string => (m == null ? 'n/a' : fixed(m.ms, 0));
      const rows3 = ks.map((k) => {
        const b = scaled.get(`ml-kmeans++:${k}`);
        const o = scaled.get(`ours:${k}`);
        return [String(k), ms(b), ms(o), b == null || o == null ? 'n/a' : ratio(b.ms, o.ms), mb(b ?? null), mb(o ?? null)];
      });
      console.log(table(['k', "ml-kmeans '++' ms", 'fitKMeans 1 start ms', 'ratio', "ml-kmeans '++' MB", 'fitKMeans 1 start MB'], rows3));
    }
    const baseline = [...memory.values()].find((m) => m !== null);
    if (sklearn !== null) {
      console.log(
        `\nprocess RSS before fitting: node ${baseline === undefined ? 'n/a' : fixed(baseline!.baselineMb, 0)} MB, ` +
          `python ${fixed(sklearn.baselineMb, 0)} MB (peak over its whole sweep ${fixed(sklearn.peakMb, 0)} MB)`,
      );
    }
    if (options.json !== null) {
      writeFileSync(
        options.json,
        JSON.stringify({ options, points: n, ours: Object.fromEntries(ours), mlKmeansBuiltIn: Object.fromEntries(builtIn), memory: Object.fromEntries(memory), scaled: Object.fromEntries(scaled), sklearn }, null, 1),
      );
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--child') child(process.argv.slice(3));
else if (process.argv[2] === '--child-time') timingChild(process.argv.slice(3));
else
  main().catch((error: unknown) => {
    console.error(`bench/kmeans: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  });

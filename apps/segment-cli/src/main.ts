import { formatMoneyGrouped } from '@seg/domain-transactions';
import { CsvReadError, openCsvSource } from '@seg/platform-csv';
import { describeError } from '@seg/platform-observability';
import { segmentCustomers, type SegmentationResult } from './application/segment-customers';
import { checkOutputDir, writeOutputs, type WrittenFiles } from './adapters/output-files';
import { createProgressBar, NO_PROGRESS } from './adapters/progress-bar';
import { grouped, percent } from './adapters/report-markdown';
import { parseCliOptions, USAGE } from './cli-options';

/** Where the command writes; a terminal on stderr gets a progress bar. */
export interface CommandIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown; readonly isTTY?: boolean; readonly columns?: number };
}

const NAME = 'segment';

function summary(result: SegmentationResult, files: WrittenFiles): string {
  const rows = [...result.segments].sort((a, b) => b.revenueMilli - a.revenueMilli || a.cluster - b.cluster);
  const nameWidth = Math.max(7, ...rows.map((s) => s.name.length));
  const lines = [
    `${grouped(result.population.customers)} customers, ${formatMoneyGrouped(result.population.revenueMilli)} of purchases, ` +
      `${result.chosen.k} segments (${result.chosen.source === 'option' ? 'k as asked' : `k chosen from ${result.options.kMin}..${result.options.kMax}`}); ` +
      `${grouped(result.rejected.count)} rows rejected`,
    '',
    `${'segment'.padEnd(nameWidth)}  customers   share  revenue share  coupon`,
    `${'-'.repeat(nameWidth)}  ---------  ------  -------------  ------`,
    ...rows.map(
      (s) =>
        `${s.name.padEnd(nameWidth)}  ${grouped(s.size).padStart(9)}  ${percent(s.customerShare).padStart(6)}  ${percent(s.revenueShare).padStart(13)}  ${s.coupon.offer}`,
    ),
    '',
    `wrote ${files.customersCsv}, ${files.reportJson}, ${files.reportMd}`,
  ];
  return `${lines.join('\n')}\n`;
}

/**
 * The `segment` command: options -> input file -> CSV records -> analysis -> output files.
 * Returns the exit status; every expected failure is one line on stderr.
 */
export async function main(argv: readonly string[], io: CommandIo = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const fail = (status: number, message: string): number => {
    io.stderr.write(`${NAME}: ${message}\n`);
    return status;
  };
  const parsed = parseCliOptions(argv);
  if (!parsed.ok) return fail(2, `${parsed.error} (see ${NAME} --help)`);
  if (parsed.value === 'help') {
    io.stdout.write(USAGE);
    return 0;
  }
  const options = parsed.value;

  const source = openCsvSource(options.input, { encoding: options.encoding });
  const checked = await source.check();
  if (!checked.ok) return fail(1, checked.error.message);
  const file = checked.value;
  const unwritable = await checkOutputDir(options.out);
  if (unwritable !== null) return fail(1, `cannot write to "${options.out}": ${unwritable}`);
  const progress = io.stderr.isTTY === true ? createProgressBar(io.stderr, file.size, source.bytesRead) : NO_PROGRESS;

  let outcome;
  try {
    outcome = await segmentCustomers(source.records, options.segment, (event) => progress.update(event));
  } catch (error: unknown) {
    if (error instanceof CsvReadError) return fail(1, error.message);
    throw error;
  } finally {
    progress.done();
  }
  if (!outcome.ok) return fail(1, `"${options.input}": ${outcome.error.message}`);

  let files: WrittenFiles;
  try {
    files = await writeOutputs(options.out, outcome.value, { path: options.input, bytes: file.size, gzip: file.gzip, encoding: source.encoding() });
  } catch (error: unknown) {
    return fail(1, `cannot write to "${options.out}": ${describeError(error).message}`);
  }
  io.stdout.write(summary(outcome.value, files));
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (status) => {
      process.exitCode = status;
    },
    (error: unknown) => {
      const { code, message } = describeError(error);
      process.stderr.write(`${NAME}: unexpected error (${code}): ${message}\n`);
      process.exitCode = 1;
    },
  );
}

import { createWriteStream } from 'node:fs';
import { constants } from 'node:fs';
import { access, mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import type { SegmentationResult } from '../application/segment-customers';
import { customerCsvLine, customersCsvHeader } from './customers-csv';
import { buildJsonReport, type InputSummary } from './report-json';
import { buildMarkdownReport } from './report-markdown';

export interface WrittenFiles {
  readonly customersCsv: string;
  readonly reportJson: string;
  readonly reportMd: string;
}

// Each file is written next to its final name and renamed when complete, so an interrupted run
// never leaves a half-written file that looks finished.
async function writeAtomically(path: string, write: (temporary: string) => Promise<void>): Promise<void> {
  const temporary = `${path}.partial`;
  try {
    await write(temporary);
    await rename(temporary, path);
  } catch (error: unknown) {
    await rm(temporary, { force: true });
    throw error;
  }
}

async function writeCustomersCsv(path: string, result: SegmentationResult): Promise<void> {
  const stream = createWriteStream(path);
  const failed = once(stream, 'error').then(([error]) => Promise.reject(error as Error));
  failed.catch(() => undefined);
  const write = async (text: string): Promise<void> => {
    if (!stream.write(text)) await Promise.race([once(stream, 'drain'), failed]);
  };
  await write(customersCsvHeader());
  let batch = '';
  for (const customer of result.customers) {
    batch += customerCsvLine(customer);
    if (batch.length > 64 * 1024) {
      await write(batch);
      batch = '';
    }
  }
  stream.end(batch);
  await Promise.race([finished(stream), failed]);
}

/**
 * Checks, without creating anything, that `dir` is or can become a writable folder, so that a bad
 * --out fails before a long run rather than after it. Returns the reason when it cannot.
 */
export async function checkOutputDir(dir: string): Promise<string | null> {
  for (let path = resolve(dir); ; path = dirname(path)) {
    try {
      if (!(await stat(path)).isDirectory()) return `"${path}" is not a folder`;
      await access(path, constants.W_OK);
      return null;
    } catch (error: unknown) {
      const code = (error as { code?: unknown }).code;
      if ((code === 'ENOENT' || code === 'ENOTDIR') && dirname(path) !== path) continue;
      if (code === 'EACCES' || code === 'EPERM') return `"${path}" is not writable`;
      return error instanceof Error ? error.message : String(error);
    }
  }
}

/** Writes customers.csv, report.json and report.md into `dir` (created if missing). */
export async function writeOutputs(dir: string, result: SegmentationResult, input: InputSummary): Promise<WrittenFiles> {
  await mkdir(dir, { recursive: true });
  const files: WrittenFiles = {
    customersCsv: join(dir, 'customers.csv'),
    reportJson: join(dir, 'report.json'),
    reportMd: join(dir, 'report.md'),
  };
  await writeAtomically(files.customersCsv, (path) => writeCustomersCsv(path, result));
  await writeAtomically(files.reportJson, (path) => writeFile(path, `${JSON.stringify(buildJsonReport(result, input), null, 2)}\n`));
  await writeAtomically(files.reportMd, (path) => writeFile(path, buildMarkdownReport(result, input)));
  return files;
}

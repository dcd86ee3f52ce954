import { createReadStream, type ReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { readCsvRecords, type CsvRecord } from './csv-records';
import { createTextDecoder, type CsvEncoding, type EncodingReport } from './text-encoding';

/** What a check of the file found before reading it. */
export interface CsvFileInfo {
  /** Size on disk in bytes (compressed, for a gzip file). */
  readonly size: number;
  /** Recognised by the file's first bytes (1f 8b), whatever it is called. */
  readonly gzip: boolean;
}

export interface CsvOpenError {
  readonly code: 'CANNOT_READ';
  /** One line: `cannot read "<path>": <reason>`. */
  readonly message: string;
}

/** Reading failed: the file could not be opened, or broke off midway (a truncated gzip stream, an I/O error). */
export class CsvReadError extends Error {
  override readonly name = 'CsvReadError';
}

/** A CSV file read as a stream of records. */
export interface CsvSource {
  /** The header, then rows and unreadable rows in line order; throws a {@link CsvReadError} if reading fails. */
  readonly records: AsyncIterable<CsvRecord>;
  /**
   * Checks that the file can be read and tells its size and whether it is gzip, so that a caller
   * can fail early with a one-line reason. Reading the records does the same check.
   */
  check(): Promise<{ readonly ok: true; readonly value: CsvFileInfo } | { readonly ok: false; readonly error: CsvOpenError }>;
  /** Bytes read from disk so far (compressed, for a gzip file), for progress. */
  bytesRead(): number;
  /** How the bytes were decoded so far (final once the records are read). */
  encoding(): EncodingReport;
}

const REASONS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'it is a directory',
  ENOTDIR: 'a part of the path is not a directory',
  ELOOP: 'too many symbolic links',
  EMFILE: 'too many open files',
};

function reasonOf(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  const known = typeof code === 'string' ? REASONS[code] : undefined;
  if (known !== undefined) return known;
  return error instanceof Error ? error.message : String(error);
}

async function inspect(path: string): Promise<CsvFileInfo> {
  const handle = await open(path, 'r');
  try {
    const stat = await handle.stat();
    if (stat.isDirectory()) throw Object.assign(new Error('directory'), { code: 'EISDIR' });
    const magic = Buffer.alloc(2);
    const { bytesRead } = await handle.read(magic, 0, 2, 0);
    return { size: stat.size, gzip: bytesRead === 2 && magic[0] === 0x1f && magic[1] === 0x8b };
  } finally {
    await handle.close();
  }
}

/**
 * Opens a CSV file for streaming: plain or gzip (by content), UTF-8 with or without a byte-order
 * mark or ISO-8859-1 (`auto`, the default, tells them apart; see {@link createTextDecoder}).
 * Nothing is opened until `check()` is called or the records are read. Rows that cannot be split
 * come out as `unreadable` records and never stop the rows around them (see {@link readCsvRecords}).
 */
export function openCsvSource(path: string, options: { readonly encoding?: CsvEncoding } = {}): CsvSource {
  const decoder = createTextDecoder(options.encoding ?? 'auto');
  let checked: ReturnType<CsvSource['check']> | undefined;
  let file: ReadStream | undefined;

  const check: CsvSource['check'] = () =>
    (checked ??= inspect(path).then(
      (value) => ({ ok: true, value }) as const,
      (error: unknown) => ({ ok: false, error: { code: 'CANNOT_READ', message: `cannot read "${path}": ${reasonOf(error)}` } }) as const,
    ));

  async function* chunks(): AsyncGenerator<Buffer> {
    const info = await check();
    if (!info.ok) throw new CsvReadError(info.error.message);
    const { gzip } = info.value;
    const stream = createReadStream(path, { highWaterMark: 256 * 1024 });
    file = stream;
    const source = gzip ? pipeline(stream, createGunzip(), () => undefined) : stream;
    try {
      for await (const chunk of source as AsyncIterable<Buffer>) yield chunk;
    } catch (error: unknown) {
      throw new CsvReadError(`cannot read "${path}": ${gzip ? 'gzip data: ' : ''}${reasonOf(error)}`);
    } finally {
      stream.destroy();
    }
  }

  return {
    records: readCsvRecords(chunks(), decoder),
    check,
    bytesRead: () => file?.bytesRead ?? 0,
    encoding: () => decoder.report(),
  };
}

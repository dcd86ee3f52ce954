import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { parse, CsvError } from 'csv-parse';
import type { SourceRecord } from '../application/import-lines';

export interface CsvSource {
  readonly records: AsyncIterable<SourceRecord>;
  bytesRead(): number;
}

/**
 * Streams a CSV file (plain, or gzip when the name ends in .gz) as header and rows. Rows with a
 * broken quote or the wrong number of fields do not abort the stream: they come out as
 * `unreadable` records with their line number, so they can be kept and reported.
 */
export function openCsvSource(path: string): CsvSource {
  const file = createReadStream(path);
  let bytes = 0;
  file.on('data', (chunk) => {
    bytes += chunk.length;
  });
  const input = path.endsWith('.gz') ? file.pipe(createGunzip()) : file;
  type Unreadable = Extract<SourceRecord, { kind: 'unreadable' }>;
  const skipped: Unreadable[] = [];
  let lastSkippedLine = -1;
  const parser = parse({
    bom: true,
    relax_column_count: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    info: true,
    raw: true,
    encoding: 'utf8',
  });
  parser.on('skip', (error: CsvError & { lines?: number; raw?: string }) => {
    const lineNumber = error.lines ?? 0;
    // csv-parse reports every stray quote of a record: one rejected row per line is enough.
    if (lineNumber === lastSkippedLine) return;
    lastSkippedLine = lineNumber;
    skipped.push({ kind: 'unreadable', lineNumber, reason: error.message, raw: (error.raw ?? '').slice(0, 2_000) });
  });
  input.on('error', (error: Error) => parser.destroy(error));
  input.pipe(parser);

  async function* records(): AsyncGenerator<SourceRecord> {
    let first = true;
    for await (const item of parser as AsyncIterable<{ record: string[]; info: { lines: number }; raw: string }>) {
      // The parser skips bad rows of a whole chunk before the first record comes out: the header
      // still comes first, and skipped rows come out in line order among the others.
      if (first) {
        first = false;
        yield { kind: 'header', fields: item.record };
        continue;
      }
      while (skipped.length > 0 && (skipped[0] as Unreadable).lineNumber < item.info.lines) yield skipped.shift() as Unreadable;
      // Without the line ending (for CRLF files the parser's raw text keeps the '\r').
      yield { kind: 'row', fields: item.record, lineNumber: item.info.lines, raw: item.raw.replace(/\r?\n?$/, '') };
    }
    while (skipped.length > 0) yield skipped.shift() as Unreadable;
  }
  return { records: records(), bytesRead: () => bytes };
}

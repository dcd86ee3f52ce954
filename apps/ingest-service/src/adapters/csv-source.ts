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
  const skipped: SourceRecord[] = [];
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
    skipped.push({ kind: 'unreadable', lineNumber: error.lines ?? 0, reason: error.message, raw: (error.raw ?? '').slice(0, 2_000) });
  });
  input.on('error', (error: Error) => parser.destroy(error));
  input.pipe(parser);

  async function* records(): AsyncGenerator<SourceRecord> {
    let first = true;
    for await (const item of parser as AsyncIterable<{ record: string[]; info: { lines: number }; raw: string }>) {
      while (skipped.length > 0) yield skipped.shift() as SourceRecord;
      if (first) {
        first = false;
        yield { kind: 'header', fields: item.record };
        continue;
      }
      yield { kind: 'row', fields: item.record, lineNumber: item.info.lines, raw: item.raw.replace(/\r?\n$/, '') };
    }
    while (skipped.length > 0) yield skipped.shift() as SourceRecord;
  }
  return { records: records(), bytesRead: () => bytes };
}

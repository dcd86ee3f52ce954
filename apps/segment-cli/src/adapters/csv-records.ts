import type { SourceRecord } from '../application/read-transactions';
import type { TextDecoderState } from './text-encoding';

/**
 * A quoted field may hold line breaks, but an unclosed quote must not swallow the rest of the
 * file: after this many physical lines the record's first line is rejected and reading resumes
 * on the line after it, so no valid row is lost to one stray quote.
 */
export const MAX_LINES_PER_RECORD = 100;

const RAW_LIMIT = 2_000;

type Split =
  | { readonly kind: 'fields'; readonly fields: string[] }
  | { readonly kind: 'unclosed'; readonly field: number }
  | { readonly kind: 'bad'; readonly reason: string };

/**
 * Splits one CSV record (RFC 4180: comma-separated, a field in double quotes may hold commas,
 * line breaks and doubled quotes). A quote inside an unquoted field is kept as a character, as
 * pandas and spreadsheets read it; a closing quote followed by anything but a comma is an error.
 */
export function splitCsvRecord(text: string): Split {
  const fields: string[] = [];
  const n = text.length;
  let i = 0;
  for (;;) {
    if (text.charCodeAt(i) === 34) {
      let value = '';
      let start = i + 1;
      for (;;) {
        const quote = text.indexOf('"', start);
        if (quote < 0) return { kind: 'unclosed', field: fields.length + 1 };
        if (text.charCodeAt(quote + 1) === 34) {
          value += text.slice(start, quote + 1);
          start = quote + 2;
          continue;
        }
        value += text.slice(start, quote);
        i = quote + 1;
        break;
      }
      fields.push(value);
      if (i === n) return { kind: 'fields', fields };
      if (text.charCodeAt(i) !== 44) {
        return { kind: 'bad', reason: `field ${fields.length}: closing quote followed by "${text.charAt(i)}" instead of a comma` };
      }
      i++;
    } else {
      const comma = text.indexOf(',', i);
      if (comma < 0) {
        fields.push(text.slice(i));
        return { kind: 'fields', fields };
      }
      fields.push(text.slice(i, comma));
      i = comma + 1;
    }
  }
}

interface PhysicalLine {
  readonly text: string;
  readonly lineNumber: number;
}

/**
 * Reads CSV records from byte chunks: the first non-empty record is the header, then one item
 * per row with the number of its first physical line. Empty lines are skipped. A row that cannot
 * be split (a broken or unclosed quote) comes out as `unreadable` with the reason, and the rows
 * around it are read as usual. Accepts LF and CRLF line ends and strips a UTF-8 byte-order mark.
 */
export async function* readCsvRecords(chunks: AsyncIterable<Uint8Array>, decoder: TextDecoderState): AsyncGenerator<SourceRecord> {
  let headerSeen = false;
  let lineNumber = 0;
  let partial = '';
  // Lines of a record whose quoted field is still open.
  let open: PhysicalLine[] = [];

  function* emit(fields: string[], first: number): Generator<SourceRecord> {
    if (!headerSeen) {
      headerSeen = true;
      yield { kind: 'header', fields };
    } else {
      yield { kind: 'row', fields, lineNumber: first };
    }
  }

  // Feeds one physical line; yields what became complete.
  function* feed(line: PhysicalLine): Generator<SourceRecord> {
    const queue: PhysicalLine[] = [line];
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
      if (open.length === 0 && next.text === '') continue;
      open.push(next);
      const first = (open[0] ?? next).lineNumber;
      const text = open.length === 1 ? next.text : open.map((l) => l.text).join('\n');
      const split = splitCsvRecord(text);
      if (split.kind === 'fields') {
        open = [];
        yield* emit(split.fields, first);
      } else if (split.kind === 'bad') {
        open = [];
        yield { kind: 'unreadable', lineNumber: first, reason: split.reason, raw: text.slice(0, RAW_LIMIT) };
      } else if (open.length >= MAX_LINES_PER_RECORD) {
        yield* giveUp(split.field, `within ${MAX_LINES_PER_RECORD} lines`, queue);
      }
    }
  }

  // Rejects the first line of an unclosed record and reads the lines after it again.
  function* giveUp(field: number, where: string, queue: PhysicalLine[]): Generator<SourceRecord> {
    const [first, ...rest] = open;
    open = [];
    if (first === undefined) return;
    yield { kind: 'unreadable', lineNumber: first.lineNumber, reason: `field ${field}: quote not closed ${where}`, raw: first.text.slice(0, RAW_LIMIT) };
    queue.unshift(...rest);
  }

  function* lines(text: string, final: boolean): Generator<SourceRecord> {
    let data = partial + text;
    if (lineNumber === 0 && partial === '' && data.charCodeAt(0) === 0xfeff) data = data.slice(1);
    let start = 0;
    for (;;) {
      const end = data.indexOf('\n', start);
      if (end < 0) break;
      lineNumber++;
      const cut = end > start && data.charCodeAt(end - 1) === 13 ? end - 1 : end;
      yield* feed({ text: data.slice(start, cut), lineNumber });
      start = end + 1;
    }
    partial = data.slice(start);
    if (final) {
      if (partial !== '') {
        lineNumber++;
        const last = partial.endsWith('\r') ? partial.slice(0, -1) : partial;
        partial = '';
        yield* feed({ text: last, lineNumber });
      }
      // The file ended inside a quoted field: reject its first line, read the others again.
      while (open.length > 0) {
        const split = splitCsvRecord(open.map((l) => l.text).join('\n'));
        const field = split.kind === 'unclosed' ? split.field : 0;
        const queue: PhysicalLine[] = [];
        yield* giveUp(field, 'before the end of the file', queue);
        for (const line of queue) yield* feed(line);
      }
    }
  }

  for await (const chunk of chunks) yield* lines(decoder.write(chunk), false);
  yield* lines(decoder.end(), true);
}

import { createTextDecoder, type TextDecoderState } from './text-encoding';

/**
 * One item read from a CSV file: its header (the first non-empty record), a data row with the
 * number of its first physical line and its text as written (without the line end), or a row that
 * could not be split into fields, with the reason.
 */
export type CsvRecord =
  | { readonly kind: 'header'; readonly fields: readonly string[] }
  | { readonly kind: 'row'; readonly fields: readonly string[]; readonly lineNumber: number; readonly raw: string }
  | { readonly kind: 'unreadable'; readonly lineNumber: number; readonly reason: string; readonly raw: string };

/**
 * A quoted field may hold line breaks, but an unclosed quote must not swallow the rest of the
 * file: after this many physical lines the record's first line is rejected and reading resumes
 * on the line after it, so no valid row is lost to one stray quote.
 */
export const MAX_LINES_PER_RECORD = 100;

/** Longest text kept with an unreadable row. */
const RAW_LIMIT = 2_000;

const QUOTE = 34;
const COMMA = 44;
const CR = 13;

/** How far a record's text could be split. */
type Scan =
  | { readonly kind: 'fields'; readonly fields: string[] }
  /** The text ends inside a quoted field: `fields` before it, `value` its text so far. */
  | { readonly kind: 'open'; readonly fields: string[]; readonly value: string }
  | { readonly kind: 'bad'; readonly reason: string };

/**
 * Splits `text` into fields, or, with `open`, goes on with a quoted field that an earlier line
 * left open (its value already ends with that line's line break).
 */
function scanFields(text: string, open: { readonly fields: string[]; readonly value: string } | null): Scan {
  const n = text.length;
  const fields = open === null ? [] : open.fields;
  let i = 0;
  let quoted: string | null = open === null ? null : open.value;
  let nextQuote = text.indexOf('"');
  for (;;) {
    if (quoted === null) {
      if (text.charCodeAt(i) === QUOTE) {
        quoted = '';
        i++;
      } else {
        const comma = text.indexOf(',', i);
        const end = comma < 0 ? n : comma;
        if (nextQuote >= 0 && nextQuote < i) nextQuote = text.indexOf('"', i);
        if (nextQuote >= 0 && nextQuote < end) return { kind: 'bad', reason: `field ${fields.length + 1}: a quote inside a field that does not start with one` };
        fields.push(text.slice(i, end));
        if (comma < 0) return { kind: 'fields', fields };
        i = comma + 1;
        continue;
      }
    }
    let value = quoted;
    let start = i;
    for (;;) {
      const quote = text.indexOf('"', start);
      if (quote < 0) return { kind: 'open', fields, value: value + text.slice(start) };
      if (text.charCodeAt(quote + 1) === QUOTE) {
        value += text.slice(start, quote + 1);
        start = quote + 2;
        continue;
      }
      value += text.slice(start, quote);
      i = quote + 1;
      break;
    }
    quoted = null;
    fields.push(value);
    if (i === n) return { kind: 'fields', fields };
    if (text.charCodeAt(i) !== COMMA) return { kind: 'bad', reason: `field ${fields.length}: closing quote followed by "${text.charAt(i)}" instead of a comma` };
    i++;
  }
}

/**
 * Splits one CSV record (RFC 4180: comma-separated; a field in double quotes may hold commas,
 * line breaks and doubled quotes; a field without them may hold no quote at all). `unclosed`
 * names the field whose quote the text leaves open.
 */
export function splitCsvRecord(
  text: string,
): { readonly kind: 'fields'; readonly fields: string[] } | { readonly kind: 'unclosed'; readonly field: number } | { readonly kind: 'bad'; readonly reason: string } {
  const scan = scanFields(text, null);
  return scan.kind === 'open' ? { kind: 'unclosed', field: scan.fields.length + 1 } : scan;
}

interface PhysicalLine {
  readonly text: string;
  readonly lineNumber: number;
  /** The line ended in CR LF (kept inside quoted fields and raw text as written). */
  readonly crlf: boolean;
}

const lineBreak = (line: PhysicalLine): string => (line.crlf ? '\r\n' : '\n');

function joinLines(lines: readonly PhysicalLine[]): string {
  let text = '';
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as PhysicalLine;
    text += i === lines.length - 1 ? line.text : line.text + lineBreak(line);
  }
  return text;
}

/**
 * Turns text into records, one physical line at a time; `push` returns what became complete.
 * Synchronous, so that a whole chunk is split without a promise per record in between.
 */
class RecordSplitter {
  private headerSeen = false;
  private started = false;
  private lineNumber = 0;
  private partial = '';
  /** Lines of a record whose quoted field is still open, and where its scan stopped. */
  private pending: PhysicalLine[] = [];
  private openFields: string[] = [];
  private openValue = '';
  /** The field whose quote the record's first line left open. */
  private firstOpenField = 0;
  private out: CsvRecord[] = [];

  push(text: string, final: boolean): CsvRecord[] {
    let data = this.partial + text;
    if (!this.started && data.length > 0) {
      this.started = true;
      if (data.charCodeAt(0) === 0xfeff) data = data.slice(1);
    }
    let start = 0;
    for (;;) {
      const end = data.indexOf('\n', start);
      if (end < 0) break;
      const crlf = end > start && data.charCodeAt(end - 1) === CR;
      this.feed({ text: data.slice(start, crlf ? end - 1 : end), lineNumber: ++this.lineNumber, crlf });
      start = end + 1;
    }
    this.partial = data.slice(start);
    if (final) {
      if (this.partial !== '') {
        const last = this.partial.charCodeAt(this.partial.length - 1) === CR ? this.partial.slice(0, -1) : this.partial;
        this.partial = '';
        this.feed({ text: last, lineNumber: ++this.lineNumber, crlf: false });
      }
      // The file ended inside a quoted field: reject the record's first line, read the others again.
      while (this.pending.length > 0) this.giveUp(`quote not closed before the end of the file`);
    }
    const out = this.out;
    this.out = [];
    return out;
  }

  private feed(line: PhysicalLine): void {
    const pending = this.pending;
    if (pending.length === 0) {
      if (line.text === '') return;
      // Most lines hold no quote at all.
      if (line.text.indexOf('"') < 0) return this.emit(line.text.split(','), line.lineNumber, line.text);
    }
    const previous = pending[pending.length - 1];
    const scan = previous === undefined ? scanFields(line.text, null) : scanFields(line.text, { fields: this.openFields, value: this.openValue + lineBreak(previous) });
    if (scan.kind === 'open') {
      if (pending.length === 0) this.firstOpenField = scan.fields.length + 1;
      pending.push(line);
      this.openFields = scan.fields;
      this.openValue = scan.value;
      if (pending.length >= MAX_LINES_PER_RECORD) this.giveUp(`quote not closed within ${MAX_LINES_PER_RECORD} lines`);
      return;
    }
    if (pending.length === 0) {
      if (scan.kind === 'fields') this.emit(scan.fields, line.lineNumber, line.text);
      else this.out.push({ kind: 'unreadable', lineNumber: line.lineNumber, reason: scan.reason, raw: line.text.slice(0, RAW_LIMIT) });
      return;
    }
    pending.push(line);
    if (scan.kind === 'fields') {
      const first = (pending[0] as PhysicalLine).lineNumber;
      const raw = joinLines(pending);
      this.clear();
      this.emit(scan.fields, first, raw);
    } else {
      // The quote opened on the first line ends in a way that breaks the record: that line is
      // the suspect, and the lines after it may be rows of their own.
      this.giveUp(`quote not closed properly (read on to line ${line.lineNumber}: ${scan.reason})`);
    }
  }

  private emit(fields: string[], lineNumber: number, raw: string): void {
    if (this.headerSeen) {
      this.out.push({ kind: 'row', fields, lineNumber, raw });
    } else {
      this.headerSeen = true;
      this.out.push({ kind: 'header', fields });
    }
  }

  private clear(): void {
    this.pending = [];
    this.openFields = [];
    this.openValue = '';
  }

  /** Rejects the first line of the pending record and reads the lines after it again. */
  private giveUp(why: string): void {
    const [first, ...rest] = this.pending;
    const field = this.firstOpenField;
    this.clear();
    if (first === undefined) return;
    this.out.push({ kind: 'unreadable', lineNumber: first.lineNumber, reason: `field ${field}: ${why}`, raw: first.text.slice(0, RAW_LIMIT) });
    for (const line of rest) this.feed(line);
  }
}

/**
 * Reads CSV records from byte chunks: the first non-empty record is the header, then one item
 * per row with the number of its first physical line. Empty lines are skipped. A row that cannot
 * be split (a stray or unclosed quote) comes out as `unreadable` with the reason, and the rows
 * around it are read as usual. Accepts LF and CRLF line ends and strips a byte-order mark.
 */
export async function* readCsvRecords(chunks: AsyncIterable<Uint8Array>, decoder: TextDecoderState = createTextDecoder('auto')): AsyncGenerator<CsvRecord> {
  const splitter = new RecordSplitter();
  for await (const chunk of chunks) {
    for (const record of splitter.push(decoder.write(chunk), false)) yield record;
  }
  for (const record of splitter.push(decoder.end(), true)) yield record;
}

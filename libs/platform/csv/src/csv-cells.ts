// CSV output that is safe to open in a spreadsheet. Text that starts with = + - @, a tab or a
// carriage return can be run as a formula by Excel, LibreOffice or Google Sheets (CSV injection,
// OWASP); a leading apostrophe makes it plain text. Numbers are left alone: -1.5 is a number,
// not a formula, and must stay one.

const FORMULA_START = /^[=+\-@\t\r]/;
const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const NEEDS_QUOTES = /[",\r\n]/;

/** A cell's text with a leading apostrophe when a spreadsheet would read it as a formula. */
export function defuseFormula(text: string): string {
  return FORMULA_START.test(text) && !NUMBER.test(text) ? `'${text}` : text;
}

/**
 * One CSV cell (RFC 4180): numbers as written, text defused ({@link defuseFormula}) and quoted
 * when it holds a comma, a quote or a line break, quotes doubled.
 */
export function csvCell(value: string | number): string {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new RangeError(`not a finite number: ${value}`);
    return String(value);
  }
  const text = defuseFormula(value);
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One CSV record with RFC 4180's CRLF line end. */
export function csvRow(values: readonly (string | number)[]): string {
  return values.map(csvCell).join(',') + '\r\n';
}

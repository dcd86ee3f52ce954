import type { SourceRecord } from '../application/read-transactions';
import { MAX_LINES_PER_RECORD, readCsvRecords, splitCsvRecord } from './csv-records';
import { createTextDecoder } from './text-encoding';

async function* chunksOf(text: string, size: number): AsyncGenerator<Uint8Array> {
  const bytes = Buffer.from(text, 'utf8');
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

async function records(text: string, chunkSize = 7): Promise<SourceRecord[]> {
  const out: SourceRecord[] = [];
  for await (const record of readCsvRecords(chunksOf(text, chunkSize), createTextDecoder('auto'))) out.push(record);
  return out;
}

describe('splitCsvRecord', () => {
  it('splits plain and quoted fields, with doubled quotes, commas and empty fields', () => {
    expect(splitCsvRecord('a,"b,c","say ""hi""",,')).toEqual({ kind: 'fields', fields: ['a', 'b,c', 'say "hi"', '', ''] });
    expect(splitCsvRecord('')).toEqual({ kind: 'fields', fields: [''] });
    expect(splitCsvRecord('""')).toEqual({ kind: 'fields', fields: [''] });
  });

  it('keeps a quote inside an unquoted field as a character', () => {
    expect(splitCsvRecord('12" RULER,2')).toEqual({ kind: 'fields', fields: ['12" RULER', '2'] });
  });

  it('reports a closing quote followed by anything but a comma', () => {
    expect(splitCsvRecord('a,"b"x,c')).toEqual({ kind: 'bad', reason: 'field 2: closing quote followed by "x" instead of a comma' });
  });

  it('reports an unclosed quote with its field', () => {
    expect(splitCsvRecord('a,b,"open')).toEqual({ kind: 'unclosed', field: 3 });
  });
});

describe('readCsvRecords', () => {
  it('gives the header, then rows numbered by their first physical line', async () => {
    const text = '\uFEFFInvoiceNo,Description\r\n1,"two\r\nlines"\r\n\r\n2,plain\r\n3,last without newline';
    expect(await records(text)).toEqual([
      { kind: 'header', fields: ['InvoiceNo', 'Description'] },
      { kind: 'row', fields: ['1', 'two\nlines'], lineNumber: 2 },
      { kind: 'row', fields: ['2', 'plain'], lineNumber: 5 },
      { kind: 'row', fields: ['3', 'last without newline'], lineNumber: 6 },
    ]);
  });

  it('rejects a row with a broken quote and reads on', async () => {
    expect(await records('h1,h2\n1,"x"y\n2,ok\n')).toEqual([
      { kind: 'header', fields: ['h1', 'h2'] },
      { kind: 'unreadable', lineNumber: 2, reason: 'field 2: closing quote followed by "y" instead of a comma', raw: '1,"x"y' },
      { kind: 'row', fields: ['2', 'ok'], lineNumber: 3 },
    ]);
  });

  it('does not let an unclosed quote at the end swallow the rows after it', async () => {
    expect(await records('h1,h2\n1,"never closed\n2,ok\n3,ok\n', 3)).toEqual([
      { kind: 'header', fields: ['h1', 'h2'] },
      { kind: 'unreadable', lineNumber: 2, reason: 'field 2: quote not closed before the end of the file', raw: '1,"never closed' },
      { kind: 'row', fields: ['2', 'ok'], lineNumber: 3 },
      { kind: 'row', fields: ['3', 'ok'], lineNumber: 4 },
    ]);
  });

  it(`gives up on an unclosed quote after ${MAX_LINES_PER_RECORD} lines and reads those lines again`, async () => {
    const body = Array.from({ length: MAX_LINES_PER_RECORD + 5 }, (_, i) => `${i + 3},ok`).join('\n');
    const result = await records(`h1,h2\n1,"stray\n${body}\n"\n`, 64);
    expect(result[1]).toEqual({ kind: 'unreadable', lineNumber: 2, reason: `field 2: quote not closed within ${MAX_LINES_PER_RECORD} lines`, raw: '1,"stray' });
    const rows = result.filter((r) => r.kind === 'row');
    expect(rows).toHaveLength(MAX_LINES_PER_RECORD + 5);
    expect(rows[0]).toEqual({ kind: 'row', fields: ['3', 'ok'], lineNumber: 3 });
    // the lone quote on the last line opens a field that never closes: rejected too
    expect(result.at(-1)).toMatchObject({ kind: 'unreadable', lineNumber: MAX_LINES_PER_RECORD + 8 });
  });

  it('yields nothing for an empty input', async () => {
    expect(await records('')).toEqual([]);
  });
});

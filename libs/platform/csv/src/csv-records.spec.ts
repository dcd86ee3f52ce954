import { MAX_LINES_PER_RECORD, readCsvRecords, splitCsvRecord, type CsvRecord } from './csv-records';
import { createTextDecoder } from './text-encoding';

async function* chunksOf(bytes: Buffer, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

async function records(text: string | Buffer, chunkSize = 7): Promise<CsvRecord[]> {
  const out: CsvRecord[] = [];
  for await (const record of readCsvRecords(chunksOf(typeof text === 'string' ? Buffer.from(text, 'utf8') : text, chunkSize))) out.push(record);
  return out;
}

/** Short form: header, row:<line>, unreadable:<line>. */
const shape = (list: readonly CsvRecord[]): string[] => list.map((r) => (r.kind === 'header' ? 'header' : `${r.kind}:${r.lineNumber}`));

// The sample's header and first lines (data/sample/online_retail_2010-12_2011-02.csv.gz).
const HEADER = 'InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country';
const LINE_2 = '536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,2010-12-01 08:26:00,2.55,17850,United Kingdom';
const LINE_3 = '536365,71053,WHITE METAL LANTERN,6,2010-12-01 08:26:00,3.39,17850,United Kingdom';
// A quoted description of the full file (online_retail.csv.gz, invoice 536544).
const QUOTED = '536544,90214D,"LETTER ""D"" BLING KEY RING",1,2010-12-01 14:32:00,0.85,,United Kingdom';

describe('splitCsvRecord', () => {
  it('splits plain and quoted fields, with doubled quotes, commas and empty fields', () => {
    expect(splitCsvRecord('a,"b,c","say ""hi""",,')).toEqual({ kind: 'fields', fields: ['a', 'b,c', 'say "hi"', '', ''] });
    expect(splitCsvRecord('')).toEqual({ kind: 'fields', fields: [''] });
    expect(splitCsvRecord('""')).toEqual({ kind: 'fields', fields: [''] });
    expect(splitCsvRecord('"",""')).toEqual({ kind: 'fields', fields: ['', ''] });
    expect(splitCsvRecord('"a\r\nb",c')).toEqual({ kind: 'fields', fields: ['a\r\nb', 'c'] });
    expect(splitCsvRecord(QUOTED)).toEqual({ kind: 'fields', fields: ['536544', '90214D', 'LETTER "D" BLING KEY RING', '1', '2010-12-01 14:32:00', '0.85', '', 'United Kingdom'] });
  });

  it('rejects a quote inside a field that does not start with one (RFC 4180)', () => {
    expect(splitCsvRecord('1,12" RULER,2')).toEqual({ kind: 'bad', reason: 'field 2: a quote inside a field that does not start with one' });
    expect(splitCsvRecord('"a",b"')).toEqual({ kind: 'bad', reason: 'field 2: a quote inside a field that does not start with one' });
    expect(splitCsvRecord('a, "b"')).toEqual({ kind: 'bad', reason: 'field 2: a quote inside a field that does not start with one' });
  });

  it('reports a closing quote followed by anything but a comma', () => {
    expect(splitCsvRecord('a,"b"x,c')).toEqual({ kind: 'bad', reason: 'field 2: closing quote followed by "x" instead of a comma' });
    expect(splitCsvRecord('a,"b" ')).toEqual({ kind: 'bad', reason: 'field 2: closing quote followed by " " instead of a comma' });
  });

  it('reports an unclosed quote with its field', () => {
    expect(splitCsvRecord('a,b,"open')).toEqual({ kind: 'unclosed', field: 3 });
    expect(splitCsvRecord('a,"ends with a doubled quote""')).toEqual({ kind: 'unclosed', field: 2 });
  });
});

describe('readCsvRecords', () => {
  it('gives the header, then rows numbered by their first physical line, with their text as written', async () => {
    const text = '\uFEFFInvoiceNo,Description\r\n1,"two\r\nlines"\r\n\r\n2,plain\r\n3,"with ""quotes"", and a comma"\r\n4,last without line end';
    expect(await records(text)).toEqual([
      { kind: 'header', fields: ['InvoiceNo', 'Description'] },
      { kind: 'row', fields: ['1', 'two\r\nlines'], lineNumber: 2, raw: '1,"two\r\nlines"' },
      { kind: 'row', fields: ['2', 'plain'], lineNumber: 5, raw: '2,plain' },
      { kind: 'row', fields: ['3', 'with "quotes", and a comma'], lineNumber: 6, raw: '3,"with ""quotes"", and a comma"' },
      { kind: 'row', fields: ['4', 'last without line end'], lineNumber: 7, raw: '4,last without line end' },
    ]);
  });

  it('keeps each line break inside a quoted field as written, blank lines included', async () => {
    expect(await records('h\n"a\n\nb\r\nc"\n', 3)).toEqual([
      { kind: 'header', fields: ['h'] },
      { kind: 'row', fields: ['a\n\nb\r\nc'], lineNumber: 2, raw: '"a\n\nb\r\nc"' },
    ]);
  });

  it('gives the same records wherever the chunks are cut (inside CR LF, a quote pair, a character)', async () => {
    const text = `${HEADER}\r\n${LINE_2}\r\n"x ""y""\r\nz",£,é\r\n${QUOTED}\r\n`;
    const whole = await records(text, 1 << 20);
    expect(shape(whole)).toEqual(['header', 'row:2', 'row:3', 'row:5']);
    for (let size = 1; size <= 40; size++) expect(await records(text, size)).toEqual(whole);
  });

  it('passes rows of another width through, for the row check to reject', async () => {
    const short = LINE_2.split(',').slice(0, 7).join(',');
    expect((await records(`${HEADER}\n${short}\n`))[1]).toEqual({ kind: 'row', fields: short.split(','), lineNumber: 2, raw: short });
  });

  it('rejects a row with a stray quote once, in line order, and reads on', async () => {
    const broken = LINE_3.replace('WHITE METAL LANTERN', 'WHITE "METAL" LANTERN');
    const result = await records(`${HEADER}\n${LINE_2}\n${broken}\n${LINE_2}\n`);
    expect(shape(result)).toEqual(['header', 'row:2', 'unreadable:3', 'row:4']);
    expect(result[2]).toEqual({ kind: 'unreadable', lineNumber: 3, reason: 'field 3: a quote inside a field that does not start with one', raw: broken });
  });

  it('rejects a row with text after a closing quote and reads on', async () => {
    expect(await records('h1,h2\n1,"x"y\n2,ok\n3,ok\n')).toEqual([
      { kind: 'header', fields: ['h1', 'h2'] },
      { kind: 'unreadable', lineNumber: 2, reason: 'field 2: closing quote followed by "y" instead of a comma', raw: '1,"x"y' },
      { kind: 'row', fields: ['2', 'ok'], lineNumber: 3, raw: '2,ok' },
      { kind: 'row', fields: ['3', 'ok'], lineNumber: 4, raw: '3,ok' },
    ]);
  });

  it('does not let an unclosed quote at the end swallow the rows after it', async () => {
    expect(await records('h1,h2\n1,"never closed\n2,ok\n3,ok\n', 3)).toEqual([
      { kind: 'header', fields: ['h1', 'h2'] },
      { kind: 'unreadable', lineNumber: 2, reason: 'field 2: quote not closed before the end of the file', raw: '1,"never closed' },
      { kind: 'row', fields: ['2', 'ok'], lineNumber: 3, raw: '2,ok' },
      { kind: 'row', fields: ['3', 'ok'], lineNumber: 4, raw: '3,ok' },
    ]);
  });

  it('rejects only the line that opened a quote when a later quote breaks the record, and reads the lines after it again', async () => {
    // Line 2 opens a quote that line 3's first quote "closes", followed by a letter: line 3 is a row of its own.
    expect(shape(await records('h1,h2,h3\n1,"stray,x\n2,"quoted",3\n4,ok,ok\n'))).toEqual(['header', 'unreadable:2', 'row:3', 'row:4']);
    const [, bad] = await records('h1,h2,h3\n1,"stray,x\n2,"quoted",3\n');
    expect(bad).toEqual({ kind: 'unreadable', lineNumber: 2, reason: 'field 2: quote not closed properly (read on to line 3: field 2: closing quote followed by "q" instead of a comma)', raw: '1,"stray,x' });
  });

  it(`gives up on an unclosed quote after ${MAX_LINES_PER_RECORD} lines and reads those lines again`, async () => {
    const body = Array.from({ length: MAX_LINES_PER_RECORD + 5 }, (_, i) => `${i + 3},ok`).join('\n');
    const result = await records(`h1,h2\n1,"stray\n${body}\n"\n`, 64);
    expect(result[1]).toEqual({ kind: 'unreadable', lineNumber: 2, reason: `field 2: quote not closed within ${MAX_LINES_PER_RECORD} lines`, raw: '1,"stray' });
    const rows = result.filter((r) => r.kind === 'row');
    expect(rows).toHaveLength(MAX_LINES_PER_RECORD + 5);
    expect(rows[0]).toEqual({ kind: 'row', fields: ['3', 'ok'], lineNumber: 3, raw: '3,ok' });
    // the lone quote on the last line opens a field that never closes: rejected too
    expect(result.at(-1)).toEqual({ kind: 'unreadable', lineNumber: MAX_LINES_PER_RECORD + 8, reason: 'field 1: quote not closed before the end of the file', raw: '"' });
    expect(result).toHaveLength(1 + 1 + MAX_LINES_PER_RECORD + 5 + 1);
  });

  it('reads the same records from UTF-8, UTF-8 with a byte-order mark and ISO-8859-1', async () => {
    const text = `${HEADER}\n536365,22633,HAND WARMER £ CRÈME,6,2010-12-01 08:28:00,1.85,17850,United Kingdom\n`;
    const expected = await records(text);
    expect(expected[1]).toMatchObject({ kind: 'row', fields: expect.arrayContaining(['HAND WARMER £ CRÈME']) });
    for (const bytes of [Buffer.from(`\uFEFF${text}`, 'utf8'), Buffer.from(text, 'latin1')]) {
      const decoder = createTextDecoder('auto');
      const out: CsvRecord[] = [];
      for await (const record of readCsvRecords(chunksOf(bytes, 5), decoder)) out.push(record);
      expect(out).toEqual(expected);
    }
    const latin = createTextDecoder('auto');
    for await (const _ of readCsvRecords(chunksOf(Buffer.from(text, 'latin1'), 5), latin));
    expect(latin.report()).toEqual({ requested: 'auto', used: 'iso-8859-1', switchedAtByte: Buffer.byteLength(text.slice(0, text.indexOf('£')), 'latin1'), mixed: false });
  });

  it('yields nothing for an empty input or blank lines only', async () => {
    expect(await records('')).toEqual([]);
    expect(await records('\r\n\n')).toEqual([]);
  });
});

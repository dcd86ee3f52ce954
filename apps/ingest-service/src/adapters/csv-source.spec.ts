import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { SourceRecord } from '../application/import-lines';
import { openCsvSource } from './csv-source';

// The sample's header and first lines (data/sample/online_retail_2010-12_2011-02.csv.gz).
const HEADER = 'InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country';
const LINE_2 = '536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,2010-12-01 08:26:00,2.55,17850,United Kingdom';
const LINE_3 = '536365,71053,WHITE METAL LANTERN,6,2010-12-01 08:26:00,3.39,17850,United Kingdom';
const LINE_4 = '536365,84406B,CREAM CUPID HEARTS COAT HANGER,8,2010-12-01 08:26:00,2.75,17850,United Kingdom';

describe('openCsvSource', () => {
  const dir = mkdtempSync(join(tmpdir(), 'seg-csv-source-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const read = async (name: string, content: string | Buffer): Promise<{ records: SourceRecord[]; bytes: number; size: number }> => {
    const path = join(dir, name);
    writeFileSync(path, content);
    const source = openCsvSource(path);
    const records: SourceRecord[] = [];
    for await (const record of source.records) records.push(record);
    return { records, bytes: source.bytesRead(), size: statSync(path).size };
  };

  it('yields the header first and rows with their line numbers and raw text', async () => {
    const { records, bytes, size } = await read('plain.csv', `${HEADER}\r\n${LINE_2}\r\n${LINE_3}\r\n`);
    expect(records).toEqual([
      { kind: 'header', fields: HEADER.split(',') },
      { kind: 'row', fields: LINE_2.split(','), lineNumber: 2, raw: LINE_2 },
      { kind: 'row', fields: LINE_3.split(','), lineNumber: 3, raw: LINE_3 },
    ]);
    expect(bytes).toBe(size);
  });

  it('keeps the header first when a row of the first chunk cannot be split, and reports that row once, in line order', async () => {
    // Two stray quotes in one unquoted field: the parser complains about each of them.
    const broken = LINE_3.replace('WHITE METAL LANTERN', 'WHITE "METAL" LANTERN');
    const { records } = await read('broken.csv', `${HEADER}\n${LINE_2}\n${broken}\n${LINE_4}\n`);
    expect(records.map((r) => (r.kind === 'header' ? 'header' : `${r.kind}:${r.lineNumber}`))).toEqual(['header', 'row:2', 'unreadable:3', 'row:4']);
    const bad = records[2] as Extract<SourceRecord, { kind: 'unreadable' }>;
    expect(bad.reason).toMatch(/quote/i);
    expect(broken.startsWith(bad.raw)).toBe(true);
  });

  it('passes rows of another width through, for the row check to reject', async () => {
    const short = LINE_2.split(',').slice(0, 7).join(',');
    const { records } = await read('short.csv', `${HEADER}\n${short}\n`);
    expect(records[1]).toEqual({ kind: 'row', fields: short.split(','), lineNumber: 2, raw: short });
  });

  it('reads gzip files and drops a byte-order mark', async () => {
    const { records } = await read('bom.csv.gz', gzipSync(Buffer.from(`\uFEFF${HEADER}\n${LINE_2}\n`, 'utf8')));
    expect(records).toEqual([
      { kind: 'header', fields: HEADER.split(',') },
      { kind: 'row', fields: LINE_2.split(','), lineNumber: 2, raw: LINE_2 },
    ]);
  });
});

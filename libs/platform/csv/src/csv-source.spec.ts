import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { CsvRecord } from './csv-records';
import { CsvReadError, openCsvSource } from './csv-source';
import type { CsvEncoding, EncodingReport } from './text-encoding';

// The sample's header and first lines (data/sample/online_retail_2010-12_2011-02.csv.gz).
const HEADER = 'InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country';
const LINE_2 = '536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,2010-12-01 08:26:00,2.55,17850,United Kingdom';
const LINE_3 = '536365,71053,WHITE METAL LANTERN,6,2010-12-01 08:26:00,3.39,17850,United Kingdom';

describe('openCsvSource', () => {
  const dir = mkdtempSync(join(tmpdir(), 'seg-platform-csv-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const write = (name: string, content: string | Buffer): string => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };

  const read = async (path: string, encoding?: CsvEncoding): Promise<{ records: CsvRecord[]; bytes: number; size: number; encoding: EncodingReport }> => {
    const source = openCsvSource(path, encoding === undefined ? {} : { encoding });
    const records: CsvRecord[] = [];
    for await (const record of source.records) records.push(record);
    return { records, bytes: source.bytesRead(), size: statSync(path).size, encoding: source.encoding() };
  };

  it('yields the header first and rows with their line numbers and raw text, and counts the bytes read', async () => {
    const { records, bytes, size, encoding } = await read(write('plain.csv', `${HEADER}\r\n${LINE_2}\r\n${LINE_3}\r\n`));
    expect(records).toEqual([
      { kind: 'header', fields: HEADER.split(',') },
      { kind: 'row', fields: LINE_2.split(','), lineNumber: 2, raw: LINE_2 },
      { kind: 'row', fields: LINE_3.split(','), lineNumber: 3, raw: LINE_3 },
    ]);
    expect(bytes).toBe(size);
    expect(encoding).toEqual({ requested: 'auto', used: 'utf-8', switchedAtByte: null, mixed: false });
  });

  it('recognises gzip by its content, not its name, and drops a byte-order mark', async () => {
    const gzip = gzipSync(Buffer.from(`\uFEFF${HEADER}\n${LINE_2}\n`, 'utf8'));
    const expected = [
      { kind: 'header', fields: HEADER.split(',') },
      { kind: 'row', fields: LINE_2.split(','), lineNumber: 2, raw: LINE_2 },
    ];
    for (const name of ['bom.csv.gz', 'gzip-without-suffix.csv']) {
      const path = write(name, gzip);
      const source = openCsvSource(path);
      expect(await source.check()).toEqual({ ok: true, value: { size: gzip.length, gzip: true } });
      const { records, bytes, size } = await read(path);
      expect(records).toEqual(expected);
      expect(bytes).toBe(size);
    }
    const plainNamedGz = write('plain.csv.gz', `${HEADER}\n${LINE_2}\n`);
    expect(await openCsvSource(plainNamedGz).check()).toMatchObject({ ok: true, value: { gzip: false } });
    expect((await read(plainNamedGz)).records).toEqual(expected);
  });

  it('reads an ISO-8859-1 file as such and says so', async () => {
    const line = LINE_2.replace('WHITE HANGING HEART', 'CRÈME £ HEART');
    const text = `${HEADER}\n${line}\n`;
    const { records, encoding } = await read(write('latin1.csv.gz', gzipSync(Buffer.from(text, 'latin1'))));
    expect(records[1]).toEqual({ kind: 'row', fields: line.split(','), lineNumber: 2, raw: line });
    expect(encoding).toEqual({ requested: 'auto', used: 'iso-8859-1', switchedAtByte: text.indexOf('È'), mixed: false });
    expect((await read(write('utf8-forced.csv', Buffer.from(text, 'latin1')), 'utf8')).records[1]).toMatchObject({ raw: line.replace('È', '\uFFFD').replace('£', '\uFFFD') });
  });

  it('fails the check with a one-line reason, and reading with a CsvReadError, when the file cannot be read', async () => {
    const missing = join(dir, 'missing.csv');
    expect(await openCsvSource(missing).check()).toEqual({ ok: false, error: { code: 'CANNOT_READ', message: `cannot read "${missing}": no such file` } });
    await expect(read(missing)).rejects.toThrow(new CsvReadError(`cannot read "${missing}": no such file`));
    const folder = join(dir, 'folder.csv');
    mkdirSync(folder);
    expect(await openCsvSource(folder).check()).toMatchObject({ ok: false, error: { message: `cannot read "${folder}": it is a directory` } });
  });

  it('fails with a CsvReadError on a truncated gzip file, after the rows read before the cut', async () => {
    const rows = Array.from({ length: 5_000 }, () => LINE_2).join('\n');
    const gzip = gzipSync(Buffer.from(`${HEADER}\n${rows}\n`, 'utf8'));
    const path = write('truncated.csv.gz', gzip.subarray(0, gzip.length - 100));
    const seen: CsvRecord[] = [];
    const reading = (async () => {
      for await (const record of openCsvSource(path).records) seen.push(record);
    })();
    await expect(reading).rejects.toThrow(CsvReadError);
    await expect(reading).rejects.toThrow(/^cannot read ".*truncated\.csv\.gz": gzip data: /);
    expect(seen.length).toBeGreaterThan(1);
  });
});

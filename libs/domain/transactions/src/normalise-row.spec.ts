import { resolveHeader, type ColumnMap } from './header';
import { normaliseCustomerId, normaliseRow } from './normalise-row';
import { parseSourceDate } from './source-date';

function columnsOf(header: string[]): ColumnMap {
  const result = resolveHeader(header);
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}

const UCI = columnsOf(['InvoiceNo', 'StockCode', 'Description', 'Quantity', 'InvoiceDate', 'UnitPrice', 'CustomerID', 'Country']);
const row = (overrides: Partial<Record<string, string>> = {}): string[] => {
  const values = {
    InvoiceNo: '536365', StockCode: '85123A', Description: 'WHITE HANGING HEART T-LIGHT HOLDER', Quantity: '6',
    InvoiceDate: '2010-12-01 08:26:00', UnitPrice: '2.55', CustomerID: '17850', Country: 'United Kingdom',
    ...overrides,
  };
  return [values.InvoiceNo, values.StockCode, values.Description, values.Quantity, values.InvoiceDate, values.UnitPrice, values.CustomerID, values.Country] as string[];
};

describe('normaliseRow', () => {
  it('normalises the first line of the UCI file', () => {
    const result = normaliseRow(row(), UCI, 2);
    expect(result).toEqual({
      ok: true,
      value: {
        // sha256 of the fields joined with U+001F (see transaction-line.spec.ts)
        lineId: 'f85bad2cc6344ce9c367cac15e03c984345be0b8e19ed28fa6d26a2226c185cf',
        invoiceNo: '536365', stockCode: '85123A', description: 'WHITE HANGING HEART T-LIGHT HOLDER', quantity: 6,
        invoiceDate: '2010-12-01T08:26:00Z', unitPriceMilli: 2550, customerId: '17850', country: 'United Kingdom',
        lineNumber: 2,
      },
    });
  });

  it('gives the same id to the same line written Kaggle-style (M/D/YYYY H:MM, 17850.0)', () => {
    const uci = normaliseRow(row(), UCI, 2);
    const kaggle = normaliseRow(row({ InvoiceDate: '12/1/2010 8:26', CustomerID: '17850.0' }), UCI, 2);
    expect(kaggle.ok && uci.ok && kaggle.value.lineId === uci.value.lineId).toBe(true);
  });

  it('reads an Online Retail II header with its own column order', () => {
    const columns = columnsOf(['Invoice', 'StockCode', 'Description', 'Quantity', 'InvoiceDate', 'Price', 'Customer ID', 'Country']);
    const result = normaliseRow(['489434', '85048', '15CM CHRISTMAS GLASS BALL 20 LIGHTS', '12', '2009-12-01 07:45:00', '6.95', '13085.0', 'United Kingdom'], columns, 2);
    expect(result.ok && result.value).toMatchObject({ invoiceNo: '489434', unitPriceMilli: 6950, customerId: '13085', quantity: 12 });
  });

  it('keeps an empty customer id as null and an empty description as empty', () => {
    const result = normaliseRow(row({ CustomerID: '', Description: '' }), UCI, 3);
    expect(result.ok && result.value).toMatchObject({ customerId: null, description: '' });
  });

  it('keeps the description as written (trailing spaces are part of the line)', () => {
    const result = normaliseRow(row({ Description: 'SET 7 BABUSHKA NESTING BOXES ' }), UCI, 3);
    expect(result.ok && result.value.description).toBe('SET 7 BABUSHKA NESTING BOXES ');
  });

  it('accepts a negative price for a bad-debt adjustment', () => {
    const result = normaliseRow(row({ InvoiceNo: 'A563186', StockCode: 'B', Quantity: '1', UnitPrice: '-11062.06', CustomerID: '' }), UCI, 4);
    expect(result.ok && result.value.unitPriceMilli).toBe(-11062060);
  });

  it('calls an empty country Unspecified, as the dataset does', () => {
    const result = normaliseRow(row({ Country: ' ' }), UCI, 4);
    expect(result.ok && result.value.country).toBe('Unspecified');
  });

  it.each([
    [{ Quantity: '1.5' }, 'BAD_QUANTITY', 'Quantity "1.5" is not an integer'],
    [{ Quantity: 'six' }, 'BAD_QUANTITY', 'Quantity "six" is not an integer'],
    [{ InvoiceDate: '2010-13-01 08:26:00' }, 'BAD_DATE', 'InvoiceDate "2010-13-01 08:26:00" is not a valid date (expected YYYY-MM-DD HH:MM[:SS] or M/D/YYYY H:MM)'],
    [{ InvoiceDate: '2011-02-29 10:00' }, 'BAD_DATE', 'InvoiceDate "2011-02-29 10:00" is not a valid date (expected YYYY-MM-DD HH:MM[:SS] or M/D/YYYY H:MM)'],
    [{ UnitPrice: '0.0001' }, 'BAD_PRICE', 'UnitPrice "0.0001" has more than 3 decimals'],
    [{ UnitPrice: '£2.55' }, 'BAD_PRICE', 'UnitPrice "£2.55" is not a decimal number'],
    [{ InvoiceNo: '' }, 'MISSING_VALUE', 'InvoiceNo is empty'],
    [{ UnitPrice: '  ' }, 'MISSING_VALUE', 'UnitPrice is empty'],
  ])('rejects %j with %s', (overrides, code, reason) => {
    const result = normaliseRow(row(overrides), UCI, 7);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error).toMatchObject({ lineNumber: 7, code, reason });
  });

  it('rejects a row of the wrong width and keeps it as CSV', () => {
    const result = normaliseRow(['536365', '85123A', 'LANTERN, WHITE', '6'], UCI, 9);
    expect(result).toEqual({
      ok: false,
      error: { lineNumber: 9, code: 'WRONG_FIELD_COUNT', reason: 'expected 8 fields, found 4', raw: '536365,85123A,"LANTERN, WHITE",6' },
    });
  });

  it('without a known width, needs the row to reach the last mapped column', () => {
    const { fieldCount: _ignored, ...columns } = UCI;
    expect(normaliseRow(row(), columns, 2).ok).toBe(true);
    expect(normaliseRow([...row(), 'extra'], columns, 2).ok).toBe(true);
    const short = normaliseRow(row().slice(0, 7), columns, 2);
    expect(!short.ok && short.error.code).toBe('WRONG_FIELD_COUNT');
  });
});

describe('parseSourceDate', () => {
  it.each([
    ['2010-12-01 08:26:00', '2010-12-01T08:26:00Z'],
    ['2010-12-01 08:26', '2010-12-01T08:26:00Z'],
    ['12/1/2010 8:26', '2010-12-01T08:26:00Z'], // M/D/YYYY H:MM
    ['12/01/2010 08:26:59', '2010-12-01T08:26:59Z'],
    ['2010-12-01T08:26:00Z', '2010-12-01T08:26:00Z'],
    ['2010-12-01T08:26:00.999Z', '2010-12-01T08:26:00Z'], // fraction of a second dropped
    ['2010-12-01T08:26:00+01:00', '2010-12-01T08:26:00Z'], // wall-clock kept, offset ignored
    ['2010-12-01', '2010-12-01T00:00:00Z'],
    ['2012-02-29 23:59', '2012-02-29T23:59:00Z'], // leap year
  ])('%j -> %s', (text, iso) => {
    expect(parseSourceDate(text)).toBe(iso);
  });

  it.each(['', '2010-12-32 08:00', '2010-12-01 24:00', '13/1/2010 8:26', '2010/12/01', '1/2/10 8:26', 'yesterday'])(
    'rejects %j',
    (text) => {
      expect(parseSourceDate(text)).toBeNull();
    },
  );

  it('answers each text for itself when the same texts come again, in any order (it remembers the last one)', () => {
    const texts = ['2010-12-01 08:26:00', '2010-12-01 08:26:00', 'yesterday', '2010-12-01 08:26:00', '12/1/2010 9:01', 'yesterday', 'yesterday', '2011-02-28 10:00'];
    const expected = ['2010-12-01T08:26:00Z', '2010-12-01T08:26:00Z', null, '2010-12-01T08:26:00Z', '2010-12-01T09:01:00Z', null, null, '2011-02-28T10:00:00Z'];
    expect(texts.map((text) => parseSourceDate(text))).toEqual(expected);
  });
});

describe('normaliseCustomerId', () => {
  it.each([
    ['17850', '17850'],
    ['17850.0', '17850'],
    [' 17850.00 ', '17850'],
    ['17850.5', '17850.5'], // not a float rendering of an integer: kept
    ['C-001', 'C-001'],
    ['', null],
    ['   ', null],
    [undefined, null],
  ])('%j -> %j', (text, id) => {
    expect(normaliseCustomerId(text)).toBe(id);
  });
});

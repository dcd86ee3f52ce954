import { classifyLine, lineAmountMilli, lineIdOf, type TransactionLineFields } from './transaction-line';

const base: TransactionLineFields = {
  invoiceNo: '536365',
  stockCode: '85123A',
  description: 'WHITE HANGING HEART T-LIGHT HOLDER',
  quantity: 6,
  invoiceDate: '2010-12-01T08:26:00Z',
  unitPriceMilli: 2550,
  customerId: '17850',
  country: 'United Kingdom',
};

describe('classifyLine', () => {
  it.each([
    [{ invoiceNo: '536365', quantity: 6, unitPriceMilli: 2550 }, 'purchase'],
    [{ invoiceNo: 'C536379', quantity: -1, unitPriceMilli: 27500 }, 'cancellation'],
    [{ invoiceNo: 'C536379', quantity: 1, unitPriceMilli: 27500 }, 'cancellation'], // the prefix decides, not the sign
    [{ invoiceNo: 'A563185', quantity: 1, unitPriceMilli: 11062060 }, 'adjustment'],
    [{ invoiceNo: 'A563186', quantity: 1, unitPriceMilli: -11062060 }, 'adjustment'],
    [{ invoiceNo: '536414', quantity: 56, unitPriceMilli: 0 }, 'other'], // zero price
    [{ invoiceNo: '536589', quantity: -10, unitPriceMilli: 0 }, 'other'], // negative quantity without C
    [{ invoiceNo: '536590', quantity: 0, unitPriceMilli: 1000 }, 'other'],
  ] as const)('%j is %s', (line, kind) => {
    expect(classifyLine(line)).toBe(kind);
  });
});

describe('lineAmountMilli', () => {
  it('is quantity x unit price in milli: 6 x 2.55 = 15.30', () => {
    expect(lineAmountMilli(base)).toBe(15300);
  });
  it('is negative for a cancellation: -12 x 0.001 = -0.012', () => {
    expect(lineAmountMilli({ quantity: -12, unitPriceMilli: 1 })).toBe(-12);
  });
});

describe('lineIdOf', () => {
  it('is the SHA-256 of the fields joined with U+001F', () => {
    // Computed with: printf '536365\x1f85123A\x1fWHITE HANGING HEART T-LIGHT HOLDER\x1f6\x1f2010-12-01T08:26:00Z\x1f2550\x1f17850\x1fUnited Kingdom' | sha256sum
    expect(lineIdOf(base)).toBe('f85bad2cc6344ce9c367cac15e03c984345be0b8e19ed28fa6d26a2226c185cf');
    expect(lineIdOf({ ...base })).toBe(lineIdOf(base));
  });
  it('changes with every field', () => {
    const id = lineIdOf(base);
    const variants: TransactionLineFields[] = [
      { ...base, invoiceNo: '536366' },
      { ...base, stockCode: '85123B' },
      { ...base, description: base.description + ' ' },
      { ...base, quantity: 7 },
      { ...base, invoiceDate: '2010-12-01T08:27:00Z' },
      { ...base, unitPriceMilli: 2551 },
      { ...base, customerId: null },
      { ...base, country: 'France' },
    ];
    for (const variant of variants) expect(lineIdOf(variant)).not.toBe(id);
  });
  it('cannot be fooled by moving text across a field boundary', () => {
    expect(lineIdOf({ ...base, invoiceNo: '5363', stockCode: '6585123A' })).not.toBe(
      lineIdOf({ ...base, invoiceNo: '536365', stockCode: '85123A' }),
    );
  });
});

import { formatMoney, formatMoneyGrouped, milliToUnits, parseDecimalToMilli, roundMilliToCents } from './money';

describe('parseDecimalToMilli', () => {
  it.each([
    ['2.55', 2550],
    ['0.001', 1], // the dataset's smallest price: exactly one thousandth
    ['-11062.06', -11062060], // the bad-debt adjustment price
    ['38970', 38970000],
    ['.5', 500],
    ['7.', 7000],
    ['+1.250', 1250], // trailing zeros are not decimals that count
    ['1e-3', 1], // exponent notation is shifted on the digits, never through a float
    ['1.5E2', 150000],
    ['-0', 0],
    [' 3.39 ', 3390],
  ])('%j -> %d milli', (text, milli) => {
    expect(parseDecimalToMilli(text)).toEqual({ ok: true, value: milli });
  });

  it.each([
    ['0.0001', 'TOO_MANY_DECIMALS'],
    ['2.5551', 'TOO_MANY_DECIMALS'],
    ['', 'NOT_A_NUMBER'],
    ['.', 'NOT_A_NUMBER'],
    ['1,50', 'NOT_A_NUMBER'],
    ['abc', 'NOT_A_NUMBER'],
    ['NaN', 'NOT_A_NUMBER'],
    ['1e400', 'OUT_OF_RANGE'],
    ['99999999999999999', 'OUT_OF_RANGE'],
  ])('%j fails with %s', (text, problem) => {
    expect(parseDecimalToMilli(text)).toEqual({ ok: false, error: problem });
  });
});

describe('roundMilliToCents', () => {
  // Half away from zero on the third decimal: 2.345 -> 2.35, -2.345 -> -2.35, 2.344 -> 2.34.
  it.each([
    [2345, 235],
    [-2345, -235],
    [2344, 234],
    [-2344, -234],
    [5, 1],
    [-5, -1],
    [4, 0],
    [-4, 0],
    [0, 0],
  ])('%d milli -> %d cents', (milli, cents) => {
    expect(roundMilliToCents(milli)).toBe(cents);
    expect(Object.is(roundMilliToCents(milli), -0)).toBe(false);
  });
});

describe('formatMoney', () => {
  it('formats with two decimals and no grouping', () => {
    expect(formatMoney(1234567)).toBe('1234.57'); // 1234.567 rounds half away from zero
    expect(formatMoney(-11062060)).toBe('-11062.06');
    expect(formatMoney(-4)).toBe('0.00'); // -0.004 rounds to zero, never '-0.00'
    expect(formatMoney(10)).toBe('0.01');
  });

  it('keeps sums exact where floats would not: 0.1 + 0.2 is 0.30', () => {
    const a = parseDecimalToMilli('0.1');
    const b = parseDecimalToMilli('0.2');
    if (!a.ok || !b.ok) throw new Error('unreachable');
    expect(0.1 + 0.2).not.toBe(0.3); // the float trap this representation avoids
    expect(a.value + b.value).toBe(300);
    expect(formatMoney(a.value + b.value)).toBe('0.30');
  });

  it('adds many 1.005-style prices without drift: 1000 x 1.005 = 1005.00', () => {
    let total = 0;
    for (let i = 0; i < 1000; i++) total += 1005; // 1.005 in milli
    expect(formatMoney(total)).toBe('1005.00');
  });

  it('groups thousands for text meant for people', () => {
    expect(formatMoneyGrouped(5210000)).toBe('5,210.00');
    expect(formatMoneyGrouped(-1234567890)).toBe('-1,234,567.89');
    expect(formatMoneyGrouped(640000)).toBe('640.00');
  });

  it('converts to currency units with 2 decimals', () => {
    expect(milliToUnits(1234567)).toBe(1234.57);
  });
});

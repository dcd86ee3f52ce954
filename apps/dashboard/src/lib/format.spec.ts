import { formatBytes, formatCompact, formatDate, formatDateTime, formatDays, formatDecimal, formatDuration, formatInteger, formatMoney, formatPercent, formatPercentValue } from './format';

describe('formatting', () => {
  it('formats counts and money with thousands separators and exact cents', () => {
    expect(formatInteger(1234567)).toBe('1,234,567');
    expect(formatInteger(Number.NaN)).toBe('–');
    expect(formatInteger(undefined)).toBe('–');
    expect(formatMoney(1234.5)).toBe('1,234.50');
    expect(formatMoney(0.1 + 0.2)).toBe('0.30');
    expect(formatMoney(-12)).toBe('-12.00');
    expect(formatMoney(null)).toBe('–');
  });

  it('shortens axis numbers', () => {
    expect(formatCompact(950)).toBe('950');
    expect(formatCompact(12_500)).toBe('12.5k');
    expect(formatCompact(3_400_000)).toBe('3.4M');
    expect(formatCompact(2_000_000_000)).toBe('2B');
    expect(formatCompact(0.25)).toBe('0.3');
    expect(formatCompact(3)).toBe('3');
  });

  it('formats shares, percentages, days and decimals', () => {
    expect(formatPercent(0.2913)).toBe('29.1%');
    expect(formatPercent(1)).toBe('100.0%');
    expect(formatPercent(0.5, 0)).toBe('50%');
    expect(formatPercentValue(15)).toBe('15%');
    expect(formatPercentValue(12.5)).toBe('12.5%');
    expect(formatDays(1)).toBe('1 day');
    expect(formatDays(23.46)).toBe('23.5 days');
    expect(formatDays(0)).toBe('0 days');
    expect(formatDecimal(3)).toBe('3');
    expect(formatDecimal(2.456)).toBe('2.5');
    expect(formatDecimal(1234.56, 2)).toBe('1,234.56');
  });

  it('formats dates in UTC, whatever the machine\'s zone', () => {
    expect(formatDateTime('2011-02-28T14:05:09Z')).toBe('2011-02-28 14:05 UTC');
    expect(formatDateTime('2011-02-28T23:30:00-02:00')).toBe('2011-03-01 01:30 UTC');
    expect(formatDate('2011-02-28T14:05:09Z')).toBe('2011-02-28');
    expect(formatDateTime('not a date')).toBe('not a date');
    expect(formatDateTime(null)).toBe('–');
  });

  it('formats sizes and durations', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(5 * 1024 * 1024)).toBe('5 MiB');
    expect(formatDuration('2020-01-01T00:00:00Z', '2020-01-01T00:00:45Z')).toBe('45 s');
    expect(formatDuration('2020-01-01T00:00:00Z', '2020-01-01T00:03:20Z')).toBe('3 min 20 s');
    expect(formatDuration('2020-01-01T00:00:00Z', '2020-01-01T02:05:00Z')).toBe('2 h 05 min');
    expect(formatDuration('2020-01-01T00:00:00Z', null, Date.parse('2020-01-01T00:00:10Z'))).toBe('10 s');
  });
});

// Number and date formatting for the dashboard. Locale-independent on purpose: the same figures
// read the same on every machine and in every screenshot, and match the API's numbers.

const integer = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 0 });
const money = new Intl.NumberFormat('en-GB', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

/** 1234567 -> "1,234,567"; anything not finite -> "–". */
export function formatInteger(value: number | null | undefined): string {
  return typeof value === 'number' && Number.isFinite(value) ? integer.format(Math.round(value)) : '–';
}

/** An amount in the shop's currency, two decimals: 1234.5 -> "1,234.50". */
export function formatMoney(value: number | null | undefined): string {
  return typeof value === 'number' && Number.isFinite(value) ? money.format(value) : '–';
}

/** A short amount for chart axes: 950 -> "950", 12500 -> "12.5k", 3400000 -> "3.4M". */
export function formatCompact(value: number): string {
  if (!Number.isFinite(value)) return '–';
  const abs = Math.abs(value);
  const trim = (n: number) => String(Number(n.toFixed(1)));
  if (abs >= 1e9) return `${trim(value / 1e9)}B`;
  if (abs >= 1e6) return `${trim(value / 1e6)}M`;
  if (abs >= 1e3) return `${trim(value / 1e3)}k`;
  return abs >= 10 || Number.isInteger(value) ? String(Math.round(value)) : trim(value);
}

/** A share 0..1 as a percentage: 0.2913 -> "29.1%". */
export function formatPercent(share: number | null | undefined, digits = 1): string {
  return typeof share === 'number' && Number.isFinite(share) ? `${(share * 100).toFixed(digits)}%` : '–';
}

/** A discount given in percent already: 15 -> "15%", 12.5 -> "12.5%". */
export function formatPercentValue(percent: number): string {
  return `${Number(percent.toFixed(2))}%`;
}

/** A number of days: 1 -> "1 day", 23.5 -> "23.5 days". */
export function formatDays(days: number | null | undefined): string {
  if (typeof days !== 'number' || !Number.isFinite(days)) return '–';
  const rounded = Number(days.toFixed(1));
  return `${formatDecimal(rounded)} ${rounded === 1 ? 'day' : 'days'}`;
}

/** At most `digits` decimals, no trailing zeros: 3.0 -> "3", 2.456 -> "2.5". */
export function formatDecimal(value: number | null | undefined, digits = 1): string {
  if (typeof value !== 'number' || !Number.isFinite(value)) return '–';
  const fixed = Number(value.toFixed(digits));
  return new Intl.NumberFormat('en-GB', { maximumFractionDigits: digits }).format(fixed);
}

/** An ISO date-time as "2011-02-28 14:05 UTC"; a date without a time keeps its day only. */
export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '–';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())} ${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())} UTC`;
}

/** An ISO date-time's day: "2011-02-28". */
export function formatDate(iso: string | null | undefined): string {
  const text = formatDateTime(iso);
  return text.length >= 10 && /^\d{4}-/.test(text) ? text.slice(0, 10) : text;
}

/** Bytes in binary units: 1536 -> "1.5 KiB". */
export function formatBytes(bytes: number | null | undefined): string {
  if (typeof bytes !== 'number' || !Number.isFinite(bytes) || bytes < 0) return '–';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${Number(value.toFixed(1))} ${units[unit]}`;
}

/** A duration between two ISO times (or until now): "45 s", "3 min 20 s", "2 h 05 min". */
export function formatDuration(fromIso: string, toIso: string | null | undefined, now: number = Date.now()): string {
  const from = new Date(fromIso).getTime();
  const to = toIso ? new Date(toIso).getTime() : now;
  if (!Number.isFinite(from) || !Number.isFinite(to)) return '–';
  const seconds = Math.max(0, Math.round((to - from) / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${String(seconds % 60).padStart(2, '0')} s`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}

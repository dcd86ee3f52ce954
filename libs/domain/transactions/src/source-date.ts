// Source dates carry no time zone: the shop's local time is kept as written and labelled 'Z' only
// so that every consumer parses it the same way. Day arithmetic on these labels is then free of
// daylight-saving jumps.

const ISO_LIKE =
  /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;
const US_STYLE = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$/;

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

function two(n: number): string {
  return String(n).padStart(2, '0');
}

/**
 * Reads a source date into 'YYYY-MM-DDTHH:MM:SSZ', or null when it is not a valid date.
 * Accepts '2010-12-01 08:26:00', '2010-12-01 08:26', '2010-12-01T08:26:00Z', '2010-12-01' (midnight)
 * and '12/1/2010 8:26' (M/D/YYYY, as in Kaggle's copy). Fractions of a second are dropped
 * and an explicit offset is ignored: the wall-clock time is what the shop recorded.
 */
export function parseSourceDate(text: string): string | null {
  // The lines of an invoice come one after the other with the same date: one remembered answer
  // saves most of the parsing of a file.
  if (text !== lastText) {
    lastResult = parse(text);
    lastText = text;
  }
  return lastResult;
}

let lastText: string | undefined;
let lastResult: string | null = null;

function parse(text: string): string | null {
  const trimmed = text.trim();
  let year: number, month: number, day: number;
  let parts: RegExpExecArray | null = ISO_LIKE.exec(trimmed);
  let timeAt: number;
  if (parts) {
    year = Number(parts[1]);
    month = Number(parts[2]);
    day = Number(parts[3]);
    timeAt = 4;
  } else {
    parts = US_STYLE.exec(trimmed);
    if (!parts) return null;
    month = Number(parts[1]);
    day = Number(parts[2]);
    year = Number(parts[3]);
    timeAt = 4;
  }
  const hour = Number(parts[timeAt] ?? 0);
  const minute = Number(parts[timeAt + 1] ?? 0);
  const second = Number(parts[timeAt + 2] ?? 0);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  if (hour > 23 || minute > 59 || second > 59) return null;
  return `${String(year).padStart(4, '0')}-${two(month)}-${two(day)}T${two(hour)}:${two(minute)}:${two(second)}Z`;
}

/** Milliseconds since the epoch of a normalised 'YYYY-MM-DDTHH:MM:SSZ' date (its label read as UTC). */
export function isoToEpochMs(iso: string): number {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new RangeError(`not a normalised date: "${iso}"`);
  return ms;
}

/** The normalised 'YYYY-MM-DDTHH:MM:SSZ' form of epoch milliseconds (seconds precision). */
export function epochMsToIso(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** Builds `(?,?,?),(?,?,?)` for a multi-row INSERT of `rows` rows with `columns` columns each. */
export function placeholders(rows: number, columns: number): string {
  return repeatRow(rows, `(${new Array<string>(columns).fill('?').join(',')})`);
}

/** Repeats one row template, e.g. `(UNHEX(?),?,?)`, for a multi-row INSERT. */
export function repeatRow(rows: number, template: string): string {
  return new Array<string>(rows).fill(template).join(',');
}

/** Builds `?,?,?` for an `IN (...)` list of `count` values. */
export function inList(count: number): string {
  return new Array<string>(count).fill('?').join(',');
}

/** Splits a list into chunks so that a multi-row statement stays under max_allowed_packet. */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}

/**
 * ISO instant ('...Z') to a DATETIME literal; the services store UTC. Milliseconds are kept for
 * DATETIME(3) columns (a DATETIME column drops them).
 */
export function toSqlDateTime(iso: string): string {
  // The platform's usual form, 'YYYY-MM-DDTHH:MM:SSZ' (every line of a backfill): two slices.
  if (iso.length === 20 && iso.charCodeAt(10) === 0x54 && iso.charCodeAt(19) === 0x5a) return `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
  return iso.replace('T', ' ').replace(/Z$/, '');
}

/** A DATETIME read back (mysql2 gives a Date in UTC with timezone 'Z') to 'YYYY-MM-DDTHH:MM:SSZ'. */
export function toIsoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

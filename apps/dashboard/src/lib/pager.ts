// Forward-only cursor pagination (first/after) with a way back: the cursors of the pages seen so
// far are kept, so "previous" asks again for the page after the cursor before.

export interface Pager {
  /** after-cursor of each page seen; the first page has none. */
  readonly cursors: readonly (string | null)[];
}

export const FIRST_PAGE: Pager = { cursors: [null] };

export function currentCursor(pager: Pager): string | null {
  return pager.cursors[pager.cursors.length - 1] ?? null;
}

export function pageIndex(pager: Pager): number {
  return pager.cursors.length - 1;
}

export function nextPage(pager: Pager, endCursor: string | null | undefined): Pager {
  return endCursor ? { cursors: [...pager.cursors, endCursor] } : pager;
}

export function previousPage(pager: Pager): Pager {
  return pager.cursors.length > 1 ? { cursors: pager.cursors.slice(0, -1) } : pager;
}

/** "Customers 21–40 of 389". */
export function pageRange(pager: Pager, pageSize: number, shown: number, total: number): string {
  if (total === 0 || shown === 0) return 'No customers';
  const from = pageIndex(pager) * pageSize + 1;
  return `${from}–${from + shown - 1} of ${total}`;
}

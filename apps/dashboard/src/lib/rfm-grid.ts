// The R x F grid of the classic RFM chart: customers counted by recency score (columns, 1..5) and
// frequency score (rows, 5 at the top), each cell coloured by the named RFM segment most of its
// customers are in (M, the third digit, can split a cell between two names).

export interface RfmScored {
  readonly r: number;
  readonly f: number;
  /** The named RFM segment (Champions, Loyal, ...). */
  readonly segment: string;
}

export interface RfmCell {
  readonly r: number;
  readonly f: number;
  readonly customers: number;
  /** Share of all scored customers. */
  readonly share: number;
  /** The named segment most of the cell's customers are in; undefined for an empty cell. */
  readonly dominant: string | undefined;
  /** Named segments in the cell, largest first. */
  readonly segments: readonly { readonly name: string; readonly customers: number }[];
}

/** 25 cells, rows from F = 5 down to F = 1, columns R = 1 to 5; scores outside 1..5 are left out. */
export function rfmGrid(customers: readonly RfmScored[]): RfmCell[] {
  const cells = new Map<string, Map<string, number>>();
  let total = 0;
  for (const c of customers) {
    if (!isScore(c.r) || !isScore(c.f)) continue;
    total++;
    const key = `${c.r}:${c.f}`;
    const names = cells.get(key) ?? new Map<string, number>();
    names.set(c.segment, (names.get(c.segment) ?? 0) + 1);
    cells.set(key, names);
  }
  const grid: RfmCell[] = [];
  for (let f = 5; f >= 1; f--) {
    for (let r = 1; r <= 5; r++) {
      const names = cells.get(`${r}:${f}`) ?? new Map<string, number>();
      const segments = [...names.entries()].map(([name, count]) => ({ name, customers: count })).sort((a, b) => b.customers - a.customers || a.name.localeCompare(b.name));
      const customersInCell = segments.reduce((sum, s) => sum + s.customers, 0);
      grid.push({ r, f, customers: customersInCell, share: total > 0 ? customersInCell / total : 0, dominant: segments[0]?.name, segments });
    }
  }
  return grid;
}

function isScore(value: number): boolean {
  return Number.isInteger(value) && value >= 1 && value <= 5;
}

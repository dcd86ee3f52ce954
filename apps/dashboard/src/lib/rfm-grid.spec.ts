import { rfmGrid } from './rfm-grid';

describe('rfmGrid', () => {
  it('lays out 25 cells, F = 5 on the top row and R = 1 on the left', () => {
    const grid = rfmGrid([]);
    expect(grid).toHaveLength(25);
    expect(grid[0]).toMatchObject({ r: 1, f: 5, customers: 0, share: 0, dominant: undefined });
    expect(grid[24]).toMatchObject({ r: 5, f: 1 });
  });

  it('counts customers per cell and names the cell after its largest named segment', () => {
    // Codes 555 and 554 are Champions, 553 Potential Loyalist (product conventions).
    const grid = rfmGrid([
      { r: 5, f: 5, segment: 'Champions' },
      { r: 5, f: 5, segment: 'Champions' },
      { r: 5, f: 5, segment: 'Potential Loyalist' },
      { r: 1, f: 1, segment: 'Lost' },
      { r: 0, f: 3, segment: 'Broken' },
    ]);
    const top = grid.find((c) => c.r === 5 && c.f === 5)!;
    expect(top.customers).toBe(3);
    expect(top.share).toBeCloseTo(3 / 4);
    expect(top.dominant).toBe('Champions');
    expect(top.segments).toEqual([
      { name: 'Champions', customers: 2 },
      { name: 'Potential Loyalist', customers: 1 },
    ]);
    expect(grid.reduce((sum, c) => sum + c.customers, 0)).toBe(4);
  });
});

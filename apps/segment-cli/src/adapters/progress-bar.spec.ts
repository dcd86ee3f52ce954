import { createProgressBar } from './progress-bar';

function terminal() {
  const writes: string[] = [];
  return { writes, columns: 100, write: (text: string) => writes.push(text) };
}

describe('createProgressBar', () => {
  it('redraws one line in place with the share of bytes read, at most every 100 ms', () => {
    const t = terminal();
    let clock = 0;
    let bytes = 0;
    const bar = createProgressBar(t, 2_097_152, () => bytes, () => clock);
    clock = 200;
    bytes = 1_048_576;
    bar.update({ phase: 'reading', rowsRead: 10_000 });
    clock = 250;
    bar.update({ phase: 'reading', rowsRead: 20_000 }); // within 100 ms: not drawn
    expect(t.writes).toEqual([`\rreading   [############------------]  50%  1.0/2.0 MB  10,000 rows\x1b[K`]);
  });

  it('shows the sweep, then clears the line when done', () => {
    const t = terminal();
    const bar = createProgressBar(t, 10, () => 10, () => 0);
    bar.update({ phase: 'sweeping', k: 4, done: 2, total: 8 });
    bar.done();
    expect(t.writes).toEqual([`\rk-means   [######------------------]  25%  k = 4 (2/8)\x1b[K`, '\r\x1b[K']);
  });
});

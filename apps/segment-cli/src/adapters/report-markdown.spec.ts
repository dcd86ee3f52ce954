import { grouped, mdText, percent } from './report-markdown';

describe('report.md helpers', () => {
  it('makes text from the data inert in Markdown', () => {
    expect(mdText('a|b <script>&amp; [x](y) `c` # *d*\nnext')).toBe('a\\|b &lt;script&gt;&amp;amp; \\[x\\](y) \\`c\\` \\# \\*d\\* next');
  });

  it('groups thousands and writes shares with one decimal', () => {
    expect([0, 999, 1000, 1234567, -4338, 1234.5].map(grouped)).toEqual(['0', '999', '1,000', '1,234,567', '-4,338', '1,234.5']);
    expect([0, 0.1234, 1, 0.0005].map(percent)).toEqual(['0.0%', '12.3%', '100.0%', '0.1%']);
  });
});

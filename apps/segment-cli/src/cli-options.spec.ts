import { DEFAULT_OPTIONS } from './application/segment-customers';
import { parseCliOptions } from './cli-options';

describe('parseCliOptions', () => {
  it('fills in the defaults', () => {
    expect(parseCliOptions(['--input', 'a.csv', '--out', 'out'])).toEqual({
      ok: true,
      value: { input: 'a.csv', out: 'out', encoding: 'auto', segment: DEFAULT_OPTIONS },
    });
  });

  it('reads every option', () => {
    const parsed = parseCliOptions([
      '--input=a.csv.gz',
      '--out',
      'o',
      '--k',
      '6',
      '--seed',
      '7',
      '--k-min',
      '3',
      '--k-max',
      '8',
      '--scaling',
      'robust',
      '--features',
      'rfm+return_rate+tenure',
      '--restarts',
      '4',
      '--encoding',
      'latin1',
    ]);
    expect(parsed).toEqual({
      ok: true,
      value: {
        input: 'a.csv.gz',
        out: 'o',
        encoding: 'latin1',
        segment: { ...DEFAULT_OPTIONS, k: 6, seed: 7, kMin: 3, kMax: 8, scaling: 'robust', features: 'rfm+return_rate+tenure', restarts: 4 },
      },
    });
  });

  it('answers --help alone', () => {
    expect(parseCliOptions(['-h'])).toEqual({ ok: true, value: 'help' });
  });

  it.each([
    [[], '--input <file> is required'],
    [['--input', 'a.csv'], '--out <dir> is required'],
    [['--input', 'a', '--out', 'o', '--k', 'x'], '--k must be a whole number'],
    [['--input', 'a', '--out', 'o', '--k', '1'], '--k must be at least 2'],
    [['--input', 'a', '--out', 'o', '--restarts', '0'], '--restarts must be at least 1'],
    [['--input', 'a', '--out', 'o', '--k-min', '6', '--k-max', '4'], '--k-min must not be larger than --k-max'],
    [['--input', 'a', '--out', 'o', '--scaling', 'log'], '--scaling must be one of zscore, minmax, robust'],
    [['--input', 'a', '--out', 'o', '--features', 'rfm+x'], '--features must be one of rfm, rfm+return_rate+tenure'],
  ])('rejects %j with a message naming the option', (argv, message) => {
    expect(parseCliOptions(argv)).toEqual({ ok: false, error: message });
  });

  it('rejects unknown options and stray arguments in one line', () => {
    const unknown = parseCliOptions(['--input', 'a', '--out', 'o', '--colour']);
    expect(unknown.ok).toBe(false);
    expect(!unknown.ok && unknown.error).toMatch(/^Unknown option '--colour'/);
    expect(!unknown.ok && unknown.error).not.toContain('\n');
    expect(parseCliOptions(['extra']).ok).toBe(false);
  });
});

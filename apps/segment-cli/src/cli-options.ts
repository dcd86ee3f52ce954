import { parseArgs } from 'node:util';
import { z } from 'zod';
import { err, ok, type Result } from '@seg/domain-transactions';
import { FEATURE_SET_NAMES, type FeatureSet } from './application/features';
import { DEFAULT_OPTIONS, type SegmentOptions } from './application/segment-customers';
import { CSV_ENCODINGS, type CsvEncoding } from '@seg/platform-csv';

export const USAGE = `Usage: segment --input <file.csv[.gz]> --out <dir> [options]

Reads a transactions CSV (Online Retail layout and its variants), computes every customer's RFM
metrics and scores, clusters customers with k-means, names the segments and recommends a coupon.
Writes <dir>/customers.csv, <dir>/report.json and <dir>/report.md.

Options:
  --input <path>       CSV file, plain or gzip (required)
  --out <dir>          output folder, created if missing (required)
  --k <n>              number of segments; default: chosen from the sweep
  --k-min <n>          smallest k of the sweep (default ${DEFAULT_OPTIONS.kMin})
  --k-max <n>          largest k of the sweep (default ${DEFAULT_OPTIONS.kMax})
  --seed <n>           k-means seed (default ${DEFAULT_OPTIONS.seed})
  --restarts <n>       k-means++ starts per k, the best is kept (default ${DEFAULT_OPTIONS.restarts})
  --scaling <method>   zscore | minmax | robust (default ${DEFAULT_OPTIONS.scaling})
  --features <set>     ${FEATURE_SET_NAMES.join(' | ')} (default ${DEFAULT_OPTIONS.features})
  --encoding <name>    auto | utf8 | latin1 (default auto: UTF-8, or ISO-8859-1 when the bytes are not UTF-8)
  -h, --help           this text

Exit status: 0 done, 1 the input cannot be used (unreadable file, missing column, too few customers)
or the output cannot be written, 2 bad options.
`;

export interface CliOptions {
  readonly input: string;
  readonly out: string;
  readonly encoding: CsvEncoding;
  readonly segment: SegmentOptions;
}

const MAX_K = 100;

function whole(flag: string, min: number, max: number) {
  return z
    .string()
    .regex(/^\d+$/, `--${flag} must be a whole number`)
    .transform(Number)
    .pipe(z.number().min(min, `--${flag} must be at least ${min}`).max(max, `--${flag} must be at most ${max}`));
}

function oneOf<T extends string>(flag: string, values: readonly T[]) {
  return z.enum(values as [T, ...T[]], { error: `--${flag} must be one of ${values.join(', ')}` });
}

const schema = z
  .object({
    input: z.string({ error: '--input <file> is required' }).min(1, '--input <file> is required'),
    out: z.string({ error: '--out <dir> is required' }).min(1, '--out <dir> is required'),
    k: whole('k', 2, MAX_K).optional(),
    'k-min': whole('k-min', 2, MAX_K).default(DEFAULT_OPTIONS.kMin),
    'k-max': whole('k-max', 2, MAX_K).default(DEFAULT_OPTIONS.kMax),
    seed: whole('seed', 0, 0xffffffff).default(DEFAULT_OPTIONS.seed),
    restarts: whole('restarts', 1, 1000).default(DEFAULT_OPTIONS.restarts),
    scaling: oneOf('scaling', ['zscore', 'minmax', 'robust'] as const).default(DEFAULT_OPTIONS.scaling),
    features: oneOf<FeatureSet>('features', FEATURE_SET_NAMES).default(DEFAULT_OPTIONS.features),
    encoding: oneOf<CsvEncoding>('encoding', CSV_ENCODINGS).default('auto'),
  })
  .refine((o) => o['k-min'] <= o['k-max'], { error: '--k-min must not be larger than --k-max' });

/**
 * Parses the command line once; a bad or missing option gives a one-line message naming it.
 * `help` is returned alone when asked for.
 */
export function parseCliOptions(argv: readonly string[]): Result<CliOptions | 'help', string> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        input: { type: 'string' },
        out: { type: 'string' },
        k: { type: 'string' },
        'k-min': { type: 'string' },
        'k-max': { type: 'string' },
        seed: { type: 'string' },
        restarts: { type: 'string' },
        scaling: { type: 'string' },
        features: { type: 'string' },
        encoding: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error: unknown) {
    // node:util's errors (not always `instanceof Error` across realms) carry a readable message.
    const message = (error as { message?: unknown } | null)?.message;
    return err((typeof message === 'string' ? message : String(error)).split('\n')[0] ?? 'bad options');
  }
  if (values['help'] === true) return ok('help');
  const parsed = schema.safeParse(values);
  if (!parsed.success) return err(parsed.error.issues[0]?.message ?? 'bad options');
  const o = parsed.data;
  return ok({
    input: o.input,
    out: o.out,
    encoding: o.encoding,
    segment: {
      ...DEFAULT_OPTIONS,
      k: o.k ?? null,
      kMin: o['k-min'],
      kMax: o['k-max'],
      seed: o.seed,
      restarts: o.restarts,
      scaling: o.scaling,
      features: o.features,
    },
  });
}

import { basename } from 'node:path';
import { formatMoneyGrouped } from '@seg/domain-transactions';
import { FEATURE_SETS } from '../application/features';
import type { SegmentationResult } from '../application/segment-customers';
import type { InputSummary } from './report-json';

/** Text from the data (file names, countries, reasons) made inert in Markdown: no HTML, links, code spans, headings or table breaks. */
export function mdText(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[\\`*[\]|#]/g, (c) => `\\${c}`)
    .replace(/[\r\n\t]+/g, ' ');
}

/** 1234567 -> '1,234,567'. */
export function grouped(n: number): string {
  const [whole = '0', fraction] = String(Math.abs(n)).split('.');
  const text = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',') + (fraction === undefined ? '' : `.${fraction}`);
  return n < 0 ? `-${text}` : text;
}

/** A share 0..1 as '12.3%'. */
export function percent(share: number): string {
  return `${(Math.round(share * 1000) / 10).toFixed(1)}%`;
}

function decimals(value: number, digits: number): string {
  return value.toFixed(digits);
}

function money(units: number): string {
  return formatMoneyGrouped(Math.round(units * 1000));
}

function row(cells: readonly string[]): string {
  return `| ${cells.join(' | ')} |`;
}

function table(header: readonly string[], align: readonly ('l' | 'r')[], rows: readonly (readonly string[])[]): string[] {
  return [row(header), row(align.map((a) => (a === 'r' ? '---:' : '---'))), ...rows.map(row)];
}

function typical(m: { recencyDays: number; frequency: number; monetary: number }): string {
  const orders = Number.isInteger(m.frequency) ? String(m.frequency) : decimals(m.frequency, 1);
  return `last order ${decimals(m.recencyDays, 0)} days ago, ${orders} order${m.frequency === 1 ? '' : 's'}, spends ${money(m.monetary)}`;
}

function couponTerms(c: SegmentationResult['segments'][number]['coupon']): string {
  const terms: string[] = [];
  if (c.kind === 'percent') terms.push(`${c.discountPercent}% off`);
  else if (c.kind === 'free_shipping') terms.push('free shipping');
  else if (c.kind === 'points') terms.push('loyalty points');
  else if (c.kind === 'gift') terms.push('a gift, no discount');
  else terms.push('no offer');
  if (c.minimumBasket > 0) terms.push(`on baskets from ${money(c.minimumBasket)}`);
  terms.push(`valid ${c.validityDays} days`, `by ${c.channel === 'personal' ? 'personal contact' : c.channel}`);
  return terms.join(', ');
}

const FEATURE_WORDS: Readonly<Record<string, string>> = {
  recency_days: 'days since the last order',
  frequency: 'orders',
  monetary: 'spend',
  return_rate: 'return rate',
  tenure_days: 'days since the first order',
};

const SCALING_WORDS = {
  zscore: 'z-scores (population standard deviation)',
  minmax: 'min-max scaling to 0..1',
  robust: 'robust scaling (median and interquartile range)',
} as const;

/** report.md: the segments, how k was chosen, the RFM cut-points and the data quality, in words and tables. */
export function buildMarkdownReport(result: SegmentationResult, input: InputSummary): string {
  const { options, quality, population, chosen, sweep } = result;
  const out: string[] = [];
  const features = FEATURE_SETS[options.features];
  const revenueUnits = population.revenueMilli / 1000;

  out.push(`# Customer segments: ${mdText(basename(input.path))}`, '');
  out.push(
    `${grouped(population.customers)} customers with a purchase, ${money(revenueUnits)} of purchases. ` +
      `Analysis date ${result.asOf.slice(0, 10)} (the day after the last purchase); recency counts whole days back from it. ` +
      `${chosen.k} segments.`,
    '',
  );

  out.push('## Segments', '');
  out.push(
    ...table(
      ['segment', 'customers', 'share', 'revenue share', 'typical customer (median)', 'coupon'],
      ['l', 'r', 'r', 'r', 'l', 'l'],
      [...result.segments]
        .sort((a, b) => b.revenueMilli - a.revenueMilli || a.cluster - b.cluster)
        .map((s) => [mdText(s.name), grouped(s.size), percent(s.customerShare), percent(s.revenueShare), typical(s.medians), mdText(s.coupon.offer)]),
    ),
    '',
  );
  for (const s of [...result.segments].sort((a, b) => b.revenueMilli - a.revenueMilli || a.cluster - b.cluster)) {
    out.push(`### ${mdText(s.name)} (cluster ${s.cluster})`, '', mdText(s.description), '');
    out.push('Why this name:', '', ...s.reasons.map((reason) => `- ${mdText(reason)}`), '');
    if (s.topCountries.length > 0) {
      out.push(`Top countries: ${s.topCountries.map((c) => `${mdText(c.country)} (${grouped(c.customers)})`).join(', ')}.`, '');
    }
    out.push(`Coupon: ${mdText(s.coupon.offer)} (${couponTerms(s.coupon)}).`, '');
  }

  out.push('## How the number of segments was chosen', '');
  out.push(
    `Customers are clustered with k-means (k-means++ starts, ${options.restarts} restarts, seed ${options.seed}) on ` +
      `${features.map((f) => FEATURE_WORDS[f] ?? f).join(', ')}, each log1p-transformed and then put on ${SCALING_WORDS[options.scaling]}. ` +
      `Every k from ${options.kMin} to ${options.kMax} was fitted and scored:`,
    '',
  );
  out.push(
    ...table(
      ['k', 'inertia (elbow)', 'silhouette (higher is better)', 'Davies-Bouldin (lower is better)', 'Calinski-Harabasz (higher is better)', 'segment sizes'],
      ['r', 'r', 'r', 'r', 'r', 'l'],
      sweep.entries.map((e) => [
        e.k === chosen.k ? `**${e.k}**` : String(e.k),
        decimals(e.inertia, 1),
        decimals(e.silhouette, 3),
        decimals(e.daviesBouldin, 3),
        decimals(e.calinskiHarabasz, 1),
        e.sizes.map(grouped).join(' / '),
      ]),
    ),
    '',
  );
  out.push(
    `Silhouette ${sweep.silhouetteExact ? `over all ${grouped(sweep.silhouetteSampleSize)} customers` : `on a seeded sample of ${grouped(sweep.silhouetteSampleSize)} customers`}.`,
    '',
  );
  out.push(`**k = ${chosen.k}**${chosen.source === 'option' ? ', as asked' : ''}:`, '', ...chosen.reasons.map((reason) => `- ${mdText(reason)}`), '');

  out.push('## RFM scores', '');
  out.push(
    'Each customer also gets R, F and M scores from 1 to 5 (5 = best) against the cut-points below (the 20th, 40th, 60th and 80th ' +
      'percentiles over all customers); the three digits name one of 11 RFM segments (column `rfm_segment` of customers.csv).',
    '',
  );
  const cuts = population.cutPoints;
  out.push(
    ...table(
      ['metric', 'c1', 'c2', 'c3', 'c4'],
      ['l', 'r', 'r', 'r', 'r'],
      [
        ['recency (days)', ...cuts.recency.map((c) => decimals(c, 1))],
        ['frequency (orders)', ...cuts.frequency.map((c) => decimals(c, 1))],
        ['monetary', ...cuts.monetary.map((c) => decimals(c, 2))],
      ],
    ),
    '',
  );
  out.push(
    ...table(
      ['RFM segment', 'customers', 'share', 'revenue share'],
      ['l', 'r', 'r', 'r'],
      result.rfmSegments.map((s) => [
        s.segment,
        grouped(s.customers),
        percent(s.customers / population.customers),
        percent(population.revenueMilli === 0 ? 0 : s.revenueMilli / population.revenueMilli),
      ]),
    ),
    '',
  );

  out.push('## Data quality', '');
  const enc = input.encoding;
  const encodingText =
    enc.switchedAtByte === null
      ? enc.used === 'utf-8'
        ? 'UTF-8'
        : 'ISO-8859-1'
      : `ISO-8859-1 (the bytes are not valid UTF-8 from byte ${grouped(enc.switchedAtByte)} on${enc.mixed ? '; text before it was read as UTF-8, so the file may mix encodings' : ''})`;
  out.push(`${grouped(input.bytes)} bytes${input.gzip ? ' (gzip)' : ''}, read as ${encodingText}.`, '');
  out.push(
    ...table(
      ['rows', 'count', 'what happens to them'],
      ['l', 'r', 'l'],
      [
        ['read (header excluded)', grouped(result.rowsRead), ''],
        ['rejected', grouped(result.rejected.count), result.rejected.count > 0 ? 'not used; the first ones are listed below' : ''],
        ['without a customer id', grouped(quality.missingCustomer), 'not attributable, not used'],
        ['exact duplicates', grouped(quality.duplicates), 'counted once'],
        ['cancellations (invoice C...)', grouped(quality.cancellations), 'not purchases; their amount gives the return rate'],
        ['bad-debt adjustments (invoice A...)', grouped(quality.adjustments), 'not used'],
        ['quantity <= 0 or price <= 0', grouped(quality.otherLines), 'not used'],
        ['purchases', grouped(quality.purchases), `${grouped(quality.purchaseInvoices)} invoices, ${money(quality.purchaseMilli / 1000)}`],
      ],
    ),
    '',
  );
  if (quality.customersWithoutPurchase > 0) {
    out.push(`${grouped(quality.customersWithoutPurchase)} customer ids appear only on lines that are not purchases (e.g. only cancellations); they are not segmented.`, '');
  }
  if (result.rejected.count > 0) {
    const codes = Object.entries(result.rejected.byCode).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    out.push(`Rejected rows by reason: ${codes.map(([code, count]) => `${code} ${grouped(count)}`).join(', ')}. The first ${result.rejected.examples.length}:`, '');
    out.push(
      ...table(
        ['line', 'code', 'reason'],
        ['r', 'l', 'l'],
        result.rejected.examples.map((e) => [String(e.lineNumber), e.code, mdText(e.reason)]),
      ),
      '',
    );
  }

  out.push('## Files', '');
  out.push(
    '- `customers.csv`: one row per customer with a purchase: `customer_id`, `recency_days`, `frequency` (orders), `monetary` ' +
      '(purchases, to the cent), `return_rate` (cancelled amount / monetary; above 1 when goods bought before the data window came back), ' +
      '`tenure_days` (days since the first purchase), the `r`, `f`, `m` scores, the `rfm_segment`, the k-means `cluster`, ' +
      'its `segment_name` and the `coupon` offer of that segment.',
    '- `report.json`: the same figures in full: quality report, cut-points, every k of the sweep with its metrics, the chosen k and why, ' +
      'the scaler and centroids (scaled and in original units), a 2-D projection and the segment profiles.',
    '',
  );
  return out.join('\n');
}

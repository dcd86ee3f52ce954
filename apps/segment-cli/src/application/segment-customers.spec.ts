import { fitScaler, sweepK, transform } from '@seg/domain-clustering';
import { readCsvRecords } from '@seg/platform-csv';
import { customerCsvLine, customersCsvHeader } from '../adapters/customers-csv';
import { FEATURE_SETS, featureRow } from './features';
import { DEFAULT_OPTIONS, segmentCustomers, type SegmentOptions, type SegmentProgress } from './segment-customers';

async function* bytesOf(text: string): AsyncGenerator<Uint8Array> {
  yield Buffer.from(text, 'utf8');
}

function run(csv: string, options: Partial<SegmentOptions> = {}, onProgress?: (event: SegmentProgress) => void) {
  return segmentCustomers(readCsvRecords(bytesOf(csv)), { ...DEFAULT_OPTIONS, ...options }, onProgress);
}

// Five customers built so that every number can be checked by hand. The last purchase is
// 2011-01-31 12:00 (customer 10001), so asOf = 2011-02-01 12:00 and
//   10001: 5 invoices of 20.00, last 01-31 12:00 (1 day), first 01-03 10:00 (29 d 2 h -> 29);
//          one line in M/D/YYYY with id '10001.0'; a 10.00 cancellation -> return rate 10/100 = 0.1
//   10002: 3 invoices (10 + 2 x 5 + 20 = 40.00), last 01-21 08:00 (11 d 4 h -> 11), first 12-28 12:00 (35);
//          one line repeated exactly (a duplicate, counted once)
//   10003: 3 x 3.335 + 19.995 = 30.000 exactly (2 invoices), last 01-11 09:00 (21 d 3 h -> 21), first 01-05 12:00 (27)
//   10004: one invoice of 20.00 at 01-01 10:30 (31); a 30.00 cancellation of goods bought earlier -> 30/20 = 1.5
//   10005: 10 x 1.00 at 12-22 11:00 (41)
// Cut-points, numpy 'linear' over 5 values (h = 4q: x0 + 0.8 d, x1 + 0.6 d, x2 + 0.4 d, x3 + 0.2 d):
//   recency [1, 11, 21, 31, 41] -> [9, 17, 25, 33]; frequency [1, 1, 2, 3, 5] -> [1, 1.6, 2.4, 3.4];
//   monetary [10, 20, 30, 40, 100] -> [18, 26, 34, 52]
// Scores: R = 5 - cuts below, F/M = 1 + cuts below -> 555 Champions, 444 Loyal, 333 Potential Loyalist,
// 212 Hibernating, 111 Lost.
// Lines 17-23: a zero price (not a purchase), no customer id, a bad quantity, a bad date, 7 fields
// instead of 8, a broken quote, and customer 10099 with only a cancellation.
const HEADER = 'Invoice,StockCode,Description,Quantity,InvoiceDate,Price,Customer ID,Country';
const ROWS = [
  '500001,A1,MUG,2,2011-01-03 10:00:00,10.00,10001,United Kingdom', // line 2
  '500002,A1,MUG,4,1/10/2011 10:00,5.00,10001.0,United Kingdom',
  '500003,A2,"PLATE, BLUE",1,2011-01-17 10:00:00,20.00,10001,United Kingdom',
  '500004,A2,"PLATE, BLUE",1,2011-01-24 10:00:00,20.00,10001,United Kingdom',
  '500005,A3,"=HYPERLINK(""x"")",1,2011-01-31 12:00:00,20.00,10001,United Kingdom',
  'C500006,A3,MUG,-1,2011-01-31 13:00:00,10.00,10001,United Kingdom',
  '500010,B1,BOWL,1,2010-12-28 12:00:00,10.00,10002,United Kingdom', // line 8
  '500011,B1,BOWL,2,2011-01-10 12:00:00,5.00,10002,United Kingdom',
  '500011,B1,BOWL,2,2011-01-10 12:00:00,5.00,10002,United Kingdom',
  '500012,B2,VASE,1,2011-01-21 08:00:00,20.00,10002,United Kingdom',
  '500020,C1,CUP,3,2011-01-05 12:00:00,3.335,10003,Germany', // line 12
  '500021,C2,JUG,1,2011-01-11 09:00:00,19.995,10003,Germany',
  '500030,D1,LAMP,1,2011-01-01 10:30:00,20.00,10004,United Kingdom', // line 14
  'C500031,D2,CHAIR,-1,2011-01-15 10:00:00,30.00,10004,United Kingdom',
  '500040,E1,PEN,10,2010-12-22 11:00:00,1.00,10005,France', // line 16
  '500050,F1,SAMPLE,1,2011-01-12 10:00:00,0.00,10001,United Kingdom', // line 17
  '500060,G1,MUG,1,2011-01-12 10:00:00,2.00,,United Kingdom',
  '500070,G1,MUG,abc,2011-01-12 10:00:00,2.00,10002,United Kingdom',
  '500071,G1,MUG,1,2011-13-45 10:00:00,2.00,10002,United Kingdom',
  '500072,G1,MUG,1,2011-01-12 10:00:00,2.00,10002',
  '500073,G1,"MUG"x,1,2011-01-12 10:00:00,2.00,10002,United Kingdom',
  'C500075,G1,MUG,-1,2011-01-12 10:00:00,2.00,10099,United Kingdom', // line 23
];
const CSV = [HEADER, ...ROWS].join('\n') + '\n';

describe('segmentCustomers on five hand-checked customers', () => {
  const resultPromise = run(CSV, { kMin: 2, kMax: 2 });

  it('computes the metrics, scores and named RFM segments', async () => {
    const result = await resultPromise;
    if (!result.ok) throw new Error(result.error.message);
    const { value } = result;
    expect(value.asOf).toBe('2011-02-01T12:00:00Z');
    // The hand values, in floating point exactly as numpy.percentile gives them (3.4 -> 3.4000000000000004).
    expect(value.population.cutPoints).toEqual({
      recency: [9, 17, 25, 33],
      frequency: [1, 1.6, 2.4, 3.4000000000000004],
      monetary: [18, 26, 34, 52.000000000000014],
    });
    expect(
      value.customers.map((c) => [c.customerId, c.recency_days, c.frequency, c.monetaryMilli, c.return_rate, c.tenure_days, c.code, c.rfmSegment]),
    ).toEqual([
      ['10001', 1, 5, 100_000, 0.1, 29, '555', 'Champions'],
      ['10002', 11, 3, 40_000, 0, 35, '444', 'Loyal'],
      ['10003', 21, 2, 30_000, 0, 27, '333', 'Potential Loyalist'],
      ['10004', 31, 1, 20_000, 1.5, 31, '212', 'Hibernating'],
      ['10005', 41, 1, 10_000, 0, 41, '111', 'Lost'],
    ]);
  });

  it('counts every line in the quality report and keeps the rejected rows with line and reason', async () => {
    const result = await resultPromise;
    if (!result.ok) throw new Error(result.error.message);
    const { value } = result;
    expect(value.rowsRead).toBe(22);
    expect(value.rejected.count).toBe(4);
    expect(value.rejected.byCode).toEqual({ BAD_QUANTITY: 1, BAD_DATE: 1, WRONG_FIELD_COUNT: 1, UNREADABLE_ROW: 1 });
    expect(value.rejected.examples.map((e) => [e.lineNumber, e.code])).toEqual([
      [19, 'BAD_QUANTITY'],
      [20, 'BAD_DATE'],
      [21, 'WRONG_FIELD_COUNT'],
      [22, 'UNREADABLE_ROW'],
    ]);
    expect(value.rejected.examples[0]!.reason).toBe('Quantity "abc" is not an integer');
    // 22 rows - 4 rejected = 18 lines: 1 without customer, 1 duplicate, 3 cancellations, 1 zero price, 12 purchases
    expect(value.quality).toMatchObject({
      totalLines: 18,
      missingCustomer: 1,
      duplicates: 1,
      cancellations: 3,
      adjustments: 0,
      otherLines: 1,
      zeroPrice: 1,
      purchases: 12,
      purchaseInvoices: 12,
      customers: 5,
      customersWithoutPurchase: 1,
      purchaseMilli: 200_000,
      cancelledMilli: 42_000, // 10 + 30 + 2
    });
  });

  it('clusters, names and gives coupons as worked out by hand', async () => {
    // log1p, then z-scores: 10001 (-1.85, 1.57, 1.60), 10002 (-0.19, 0.60, 0.37), 10003 (0.37, -0.08, -0.01),
    // 10004 (0.71, -1.05, -0.54), 10005 (0.96, -1.05, -1.42). For k = 2 the inertia of {10001, 10002} vs
    // the rest is 4.39, of {10001} vs the rest 4.49; clusters are numbered by ascending centroid, so the
    // recent one is 0. A centroid back in original units is the geometric mean of (1 + x), minus 1:
    //   cluster 0: recency sqrt(2 x 12) - 1 = 3.9, orders sqrt(6 x 4) - 1 = 3.9, spend sqrt(101 x 41) - 1 = 63.4 -> 555 Champions
    //   cluster 1: recency cbrt(22 x 32 x 42) - 1 = 29.9, orders cbrt(3 x 2 x 2) - 1 = 1.29,
    //              spend cbrt(31 x 21 x 11) - 1 = 18.3 -> R2 F2 M2 = 222 Hibernating
    const result = await resultPromise;
    if (!result.ok) throw new Error(result.error.message);
    const { value } = result;
    expect(value.chosen).toMatchObject({ k: 2, source: 'sweep' });
    expect(value.customers.map((c) => [c.cluster, c.segmentName])).toEqual([
      [0, 'Champions'],
      [0, 'Champions'],
      [1, 'Hibernating'],
      [1, 'Hibernating'],
      [1, 'Hibernating'],
    ]);
    const [champions, hibernating] = value.segments;
    expect(champions!.centroidFeatures.recency_days).toBeCloseTo(Math.sqrt(24) - 1, 9);
    expect(champions!.centroidFeatures.monetary).toBeCloseTo(Math.sqrt(101 * 41) - 1, 9);
    expect(hibernating!.centroidFeatures.frequency).toBeCloseTo(Math.cbrt(12) - 1, 9);
    expect(champions).toMatchObject({ size: 2, revenueMilli: 140_000, revenueShare: 0.7, rfmSegment: 'Champions' });
    expect(hibernating).toMatchObject({ size: 3, revenueMilli: 60_000, revenueShare: 0.3, rfmSegment: 'Hibernating' });
    expect(champions!.coupon.offer).toBe('no discount; early access / gift / referral credit');
    expect(hibernating!.coupon.offer).toBe('special discount on relevant products, capped frequency');
  });

  it('writes customers.csv lines with the exact columns, money to the cent and quoted coupons', async () => {
    const result = await resultPromise;
    if (!result.ok) throw new Error(result.error.message);
    expect(customersCsvHeader()).toBe(
      'customer_id,recency_days,frequency,monetary,return_rate,tenure_days,r,f,m,rfm_segment,cluster,segment_name,coupon\r\n',
    );
    expect(result.value.customers.map(customerCsvLine).join('')).toBe(
      [
        '10001,1,5,100.00,0.1,29,5,5,5,Champions,0,Champions,no discount; early access / gift / referral credit',
        '10002,11,3,40.00,0,35,4,4,4,Loyal,0,Champions,no discount; early access / gift / referral credit',
        '10003,21,2,30.00,0,27,3,3,3,Potential Loyalist,1,Hibernating,"special discount on relevant products, capped frequency"',
        '10004,31,1,20.00,1.5,31,2,1,2,Hibernating,1,Hibernating,"special discount on relevant products, capped frequency"',
        '10005,41,1,10.00,0,41,1,1,1,Lost,1,Hibernating,"special discount on relevant products, capped frequency"',
        '',
      ].join('\r\n'),
    );
  });
});

describe('segmentCustomers options and failures', () => {
  it('fails on a header without a required column, naming it', async () => {
    const result = await run('InvoiceNo,StockCode,Quantity,InvoiceDate,UnitPrice,Country\n1,A,1,2011-01-01 10:00,1.00,UK\n');
    expect(result).toEqual({
      ok: false,
      error: { code: 'MISSING_COLUMN', column: 'CustomerID', message: 'required column "CustomerID" (or Customer ID) is missing' },
    });
  });

  it('fails on an empty file and on a file without purchases', async () => {
    expect(await run('')).toMatchObject({ ok: false, error: { code: 'EMPTY_FILE' } });
    expect(await run(`${HEADER}\n${ROWS[22]}\n`)).toMatchObject({ ok: false, error: { code: 'NO_CUSTOMERS' } });
  });

  it('lowers k-max to the number of customers minus one, and says so', async () => {
    const result = await run(CSV, { kMin: 2, kMax: 10 });
    if (!result.ok) throw new Error(result.error.message);
    expect(result.value.options.kMax).toBe(4);
    expect(result.value.sweep.entries.map((e) => e.k)).toEqual([2, 3, 4]);
    expect(result.value.chosen.reasons[0]).toBe('k-max lowered from 10 to 4: there are only 5 customers');
  });

  it('refuses a k the customers cannot support', async () => {
    const twoCustomers = [HEADER, ROWS[0], ROWS[14]].join('\n');
    expect(await run(twoCustomers)).toMatchObject({ ok: false, error: { code: 'NOT_ENOUGH_CUSTOMERS' } });
    expect(await run(CSV, { k: 5 })).toMatchObject({ ok: false, error: { code: 'NOT_ENOUGH_CUSTOMERS' } });
  });

  it('uses a given k, scoring it even outside the sweep, and the extra features', async () => {
    const result = await run(CSV, { k: 4, kMin: 2, kMax: 3, features: 'rfm+return_rate+tenure', scaling: 'robust' });
    if (!result.ok) throw new Error(result.error.message);
    const { value } = result;
    expect(value.chosen).toMatchObject({ k: 4, source: 'option' });
    expect(value.chosen.reasons[0]).toMatch(/^k = 4 was given \(--k\); the sweep over 2\.\.3 proposes k = [23]$/);
    expect(value.chosen.silhouette).toBeGreaterThan(-1);
    expect(value.segments).toHaveLength(4);
    expect(value.scaler).toMatchObject({ method: 'robust', features: FEATURE_SETS['rfm+return_rate+tenure'] });
    expect(Object.keys(value.segments[0]!.centroidFeatures)).toEqual(['recency_days', 'frequency', 'monetary', 'return_rate', 'tenure_days']);
    expect(new Set(value.segments.map((s) => s.name)).size).toBe(4);
  });

  it('sweeps one k at a time with progress, with the same entries as a single sweepK call', async () => {
    const events: SegmentProgress[] = [];
    const result = await run(CSV, { kMin: 2, kMax: 4 }, (e) => events.push(e));
    if (!result.ok) throw new Error(result.error.message);
    const rows = result.value.customers.map((c) => featureRow(c, 'rfm'));
    const scaler = fitScaler(rows, FEATURE_SETS.rfm);
    const whole = sweepK(
      rows.map((r) => transform(scaler, r)),
      { kMin: 2, kMax: 4, seed: DEFAULT_OPTIONS.seed, restarts: DEFAULT_OPTIONS.restarts },
    );
    expect(result.value.sweep).toEqual(whole);
    expect(events.filter((e) => e.phase === 'sweeping').map((e) => e.phase === 'sweeping' && e.done)).toEqual([0, 1, 2, 3]);
    expect(events.at(-1)).toEqual({ phase: 'profiling' });
  });
});

import { RFM_SEGMENT_NAMES } from '@seg/domain-rfm';
import { couponForSegment, DEFAULT_COUPON_RULES, parseRfmSegmentName, validateCouponRule, validateCouponTerms, type CouponTermsInput } from './coupon-rules';

describe('DEFAULT_COUPON_RULES', () => {
  it('has exactly one rule per named segment', () => {
    expect(DEFAULT_COUPON_RULES.map((r) => r.segment).sort()).toEqual([...RFM_SEGMENT_NAMES].sort());
  });

  it('is consistent: a discount only on percent rules, positive validity', () => {
    for (const rule of DEFAULT_COUPON_RULES) {
      expect(rule.discountPercent > 0).toBe(rule.kind === 'percent');
      expect(rule.validityDays).toBeGreaterThan(0);
      expect(rule.minimumBasket).toBeGreaterThanOrEqual(0);
    }
  });

  it('gives Champions no discount and Cannot Lose Them the strongest, personally', () => {
    expect(couponForSegment(DEFAULT_COUPON_RULES, 'Champions').discountPercent).toBe(0);
    const strongest = Math.max(...DEFAULT_COUPON_RULES.map((r) => r.discountPercent));
    expect(couponForSegment(DEFAULT_COUPON_RULES, 'Cannot Lose Them')).toMatchObject({ discountPercent: strongest, channel: 'personal' });
  });
});

describe('couponForSegment', () => {
  it('uses an edited rule and falls back to the default for segments the edit leaves out', () => {
    const edited = [{ ...couponForSegment(DEFAULT_COUPON_RULES, 'Lost'), discountPercent: 5 }];
    expect(couponForSegment(edited, 'Lost').discountPercent).toBe(5);
    expect(couponForSegment(edited, 'At Risk')).toBe(couponForSegment(DEFAULT_COUPON_RULES, 'At Risk'));
  });

  it('uses a segment\'s own override over any rule set, for the named segment it is in', () => {
    const override = { offer: 'double points this month', kind: 'points', discountPercent: 0, minimumBasket: 0, validityDays: 31, channel: 'sms' } as const;
    expect(couponForSegment(DEFAULT_COUPON_RULES, 'Loyal', override)).toEqual({ segment: 'Loyal', ...override });
    expect(couponForSegment(DEFAULT_COUPON_RULES, 'Loyal', null)).toBe(couponForSegment(DEFAULT_COUPON_RULES, 'Loyal'));
  });
});

describe('validateCouponTerms', () => {
  // The default At Risk rule as a client would send it.
  const { segment: _segment, ...atRisk } = couponForSegment(DEFAULT_COUPON_RULES, 'At Risk');
  const input: CouponTermsInput = atRisk;
  const problemsOf = (changes: Partial<CouponTermsInput>) => {
    const result = validateCouponTerms({ ...input, ...changes });
    return result.ok ? [] : result.error.map((p) => [p.field.join('.'), p.code]);
  };

  it('accepts every default rule and trims the offer', () => {
    for (const { segment: _s, ...terms } of DEFAULT_COUPON_RULES) expect(validateCouponTerms(terms)).toEqual({ ok: true, value: terms });
    expect(validateCouponTerms({ ...input, offer: '  win-back, 20% off  ' })).toEqual({ ok: true, value: { ...atRisk, offer: 'win-back, 20% off' } });
  });

  it.each<[string, Partial<CouponTermsInput>, string]>([
    ['an empty offer', { offer: '   ' }, 'offer'],
    ['an offer of 201 characters', { offer: 'x'.repeat(201) }, 'offer'],
    ['an unknown kind', { kind: 'cashback' }, 'kind'],
    ['an unknown channel', { channel: 'fax' }, 'channel'],
    ['a discount above 100', { discountPercent: 100.5 }, 'discountPercent'],
    ['a negative discount', { discountPercent: -5 }, 'discountPercent'],
    ['a percent coupon without a discount', { discountPercent: 0 }, 'discountPercent'],
    ['a discount on a free-shipping coupon', { kind: 'free_shipping', discountPercent: 10 }, 'discountPercent'],
    ['a negative minimum basket', { minimumBasket: -0.01 }, 'minimumBasket'],
    ['a validity of 0 days', { validityDays: 0 }, 'validityDays'],
    ['a validity of half a day', { validityDays: 1.5 }, 'validityDays'],
    ['a discount that is not a number', { discountPercent: Number.NaN }, 'discountPercent'],
  ])('refuses %s as INVALID, naming the field', (_what, changes, field) => {
    expect(problemsOf(changes)).toEqual([[field, 'INVALID']]);
  });

  it('accepts the limits: 100% off, no minimum basket, one day', () => {
    expect(problemsOf({ discountPercent: 100, minimumBasket: 0, validityDays: 1 })).toEqual([]);
  });

  it('reports every problem at once', () => {
    expect(problemsOf({ offer: '', kind: 'x', channel: 'y', minimumBasket: -1, validityDays: 0 }).map(([field]) => field)).toEqual([
      'offer',
      'kind',
      'channel',
      'minimumBasket',
      'validityDays',
    ]);
  });
});

describe('validateCouponRule', () => {
  const { segment: _segment, ...lost } = couponForSegment(DEFAULT_COUPON_RULES, 'Lost');

  it('builds the rule of a named segment', () => {
    expect(validateCouponRule('Lost', { ...lost, discountPercent: 5 })).toEqual({ ok: true, value: { ...lost, segment: 'Lost', discountPercent: 5 } });
  });

  it('refuses an unknown or misspelt segment and puts the terms\' problems under rule', () => {
    const result = validateCouponRule('lost', { ...lost, validityDays: 0 });
    expect(result.ok ? [] : result.error.map((p) => [p.field, p.code])).toEqual([
      [['rfmSegment'], 'INVALID'],
      [['rule', 'validityDays'], 'INVALID'],
    ]);
    expect(parseRfmSegmentName('Cannot Lose Them')).toBe('Cannot Lose Them');
    expect(parseRfmSegmentName('VIP')).toBeUndefined();
  });
});

import { RFM_SEGMENT_NAMES } from '@seg/domain-rfm';
import { couponForSegment, DEFAULT_COUPON_RULES } from './coupon-rules';

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
});

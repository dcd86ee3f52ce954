import { type RfmSegmentName } from '@seg/domain-rfm';

/** The default offer for one named segment; marketing edits copies of these. */
export interface CouponRule {
  readonly segment: RfmSegmentName;
  /** The strategy in words (product.md's table). */
  readonly offer: string;
  readonly kind: 'none' | 'percent' | 'free_shipping' | 'points' | 'gift';
  /** 0 unless kind is 'percent'. */
  readonly discountPercent: number;
  /** Smallest basket the coupon applies to, in currency units (0: any basket). */
  readonly minimumBasket: number;
  readonly validityDays: number;
  readonly channel: 'email' | 'sms' | 'push' | 'personal';
}

/**
 * One rule per named segment, from product.md's table. The numbers are a starting point to
 * A/B test: no discount for those who buy anyway (Champions), thresholds that lift baskets (Loyal),
 * short validity where urgency is the point (Need Attention, Lost), the deepest discounts and a
 * personal contact only where high past value is slipping away (At Risk, Cannot Lose Them).
 */
export const DEFAULT_COUPON_RULES: readonly CouponRule[] = [
  { segment: 'Champions', offer: 'no discount; early access / gift / referral credit', kind: 'gift', discountPercent: 0, minimumBasket: 0, validityDays: 30, channel: 'email' },
  { segment: 'Loyal', offer: 'spend-threshold offer to lift basket size; loyalty points', kind: 'percent', discountPercent: 10, minimumBasket: 150, validityDays: 30, channel: 'email' },
  { segment: 'Potential Loyalist', offer: 'loyalty-programme enrolment bonus; cross-category coupon', kind: 'points', discountPercent: 0, minimumBasket: 0, validityDays: 30, channel: 'email' },
  { segment: 'New Customers', offer: 'time-boxed second-purchase coupon', kind: 'percent', discountPercent: 10, minimumBasket: 0, validityDays: 14, channel: 'email' },
  { segment: 'Promising', offer: 'free shipping / small first-repeat coupon', kind: 'free_shipping', discountPercent: 0, minimumBasket: 0, validityDays: 21, channel: 'email' },
  { segment: 'Need Attention', offer: 'expiring personalised coupon', kind: 'percent', discountPercent: 15, minimumBasket: 0, validityDays: 7, channel: 'push' },
  { segment: 'About To Sleep', offer: 'moderate discount on best-sellers', kind: 'percent', discountPercent: 15, minimumBasket: 0, validityDays: 14, channel: 'email' },
  { segment: 'At Risk', offer: 'personalised win-back coupon', kind: 'percent', discountPercent: 20, minimumBasket: 0, validityDays: 14, channel: 'email' },
  { segment: 'Cannot Lose Them', offer: 'strongest win-back offer, personal outreach', kind: 'percent', discountPercent: 25, minimumBasket: 0, validityDays: 30, channel: 'personal' },
  { segment: 'Hibernating', offer: 'special discount on relevant products, capped frequency', kind: 'percent', discountPercent: 15, minimumBasket: 0, validityDays: 14, channel: 'email' },
  { segment: 'Lost', offer: 'one last low-cost offer, then suppress', kind: 'percent', discountPercent: 10, minimumBasket: 0, validityDays: 7, channel: 'email' },
];

/**
 * The rule for a segment from an edited rule set; a segment the set leaves out falls back to
 * its default rule, so every customer always has a recommendation.
 */
export function couponForSegment(rules: readonly CouponRule[], segment: RfmSegmentName): CouponRule {
  const rule = rules.find((r) => r.segment === segment) ?? DEFAULT_COUPON_RULES.find((r) => r.segment === segment);
  if (rule === undefined) throw new RangeError(`unknown segment "${segment}"`);
  return rule;
}

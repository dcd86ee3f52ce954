import { RFM_SEGMENT_NAMES, type RfmSegmentName } from '@seg/domain-rfm';
import { err, ok, type Result } from '@seg/domain-transactions';
import { invalid, underField, type InputProblem } from './input-problems';

export const COUPON_KINDS = ['none', 'percent', 'free_shipping', 'points', 'gift'] as const;
export type CouponKind = (typeof COUPON_KINDS)[number];
export const COUPON_CHANNELS = ['email', 'sms', 'push', 'personal'] as const;
export type CouponChannel = (typeof COUPON_CHANNELS)[number];

/** The default offer for one named segment; marketing edits copies of these. */
export interface CouponRule {
  readonly segment: RfmSegmentName;
  /** The strategy in words (product.md's table). */
  readonly offer: string;
  readonly kind: CouponKind;
  /** 0 unless kind is 'percent'. */
  readonly discountPercent: number;
  /** Smallest basket the coupon applies to, in currency units (0: any basket). */
  readonly minimumBasket: number;
  readonly validityDays: number;
  readonly channel: CouponChannel;
}

/** A rule's terms without the named segment: what a per-segment override stores. */
export type CouponTerms = Omit<CouponRule, 'segment'>;

/** Coupon terms as a client sends them, before validation. */
export interface CouponTermsInput {
  readonly offer: string;
  readonly kind: string;
  readonly discountPercent: number;
  readonly minimumBasket: number;
  readonly validityDays: number;
  readonly channel: string;
}

export const MAX_OFFER_LENGTH = 200;

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
 * The rule that applies to a segment: its own override when marketing set one (with the named
 * segment filled in), else the rule of its named segment from an edited rule set; a segment the
 * set leaves out falls back to its default rule, so every customer always has a recommendation.
 */
export function couponForSegment(rules: readonly CouponRule[], segment: RfmSegmentName, override?: CouponTerms | null): CouponRule {
  if (override) return { segment, ...override };
  const rule = rules.find((r) => r.segment === segment) ?? DEFAULT_COUPON_RULES.find((r) => r.segment === segment);
  if (rule === undefined) throw new RangeError(`unknown segment "${segment}"`);
  return rule;
}

/** The named RFM segment spelled exactly so, or undefined. */
export function parseRfmSegmentName(text: string): RfmSegmentName | undefined {
  return RFM_SEGMENT_NAMES.find((name) => name === text);
}

const isOneOf = <T extends string>(values: readonly T[], text: string): text is T => (values as readonly string[]).includes(text);

/**
 * Checks coupon terms a person entered: an offer in words (trimmed, 1..{@link MAX_OFFER_LENGTH}
 * characters), a known kind and channel, a discount of 0..100 percent that is above 0 exactly
 * when the kind is 'percent', a minimum basket of at least 0 and a validity of at least one whole
 * day. Every problem is reported, each with its field.
 */
export function validateCouponTerms(input: CouponTermsInput): Result<CouponTerms, InputProblem[]> {
  const problems: InputProblem[] = [];
  const offer = input.offer.trim();
  if (offer.length === 0) problems.push(invalid(['offer'], 'the offer must not be empty'));
  else if (offer.length > MAX_OFFER_LENGTH) problems.push(invalid(['offer'], `the offer must be at most ${MAX_OFFER_LENGTH} characters, got ${offer.length}`));
  const kind = input.kind;
  if (!isOneOf(COUPON_KINDS, kind)) problems.push(invalid(['kind'], `unknown kind "${kind}"; expected one of ${COUPON_KINDS.join(', ')}`));
  const channel = input.channel;
  if (!isOneOf(COUPON_CHANNELS, channel)) problems.push(invalid(['channel'], `unknown channel "${channel}"; expected one of ${COUPON_CHANNELS.join(', ')}`));
  const discount = input.discountPercent;
  if (!(Number.isFinite(discount) && discount >= 0 && discount <= 100)) problems.push(invalid(['discountPercent'], `the discount must be between 0 and 100 percent, got ${discount}`));
  else if (kind === 'percent' && discount === 0) problems.push(invalid(['discountPercent'], 'a percent coupon needs a discount above 0'));
  else if (isOneOf(COUPON_KINDS, kind) && kind !== 'percent' && discount !== 0) problems.push(invalid(['discountPercent'], `only a percent coupon has a discount; a ${kind} coupon needs 0`));
  if (!(Number.isFinite(input.minimumBasket) && input.minimumBasket >= 0)) problems.push(invalid(['minimumBasket'], `the minimum basket must be 0 or more, got ${input.minimumBasket}`));
  if (!(Number.isInteger(input.validityDays) && input.validityDays >= 1)) problems.push(invalid(['validityDays'], `the validity must be a whole number of days, at least 1, got ${input.validityDays}`));
  if (problems.length > 0 || !isOneOf(COUPON_KINDS, kind) || !isOneOf(COUPON_CHANNELS, channel)) return err(problems);
  return ok({ offer, kind, discountPercent: discount, minimumBasket: input.minimumBasket, validityDays: input.validityDays, channel });
}

/** Checks a new default rule for a named RFM segment (the segment must be one of the 11, spelled exactly). */
export function validateCouponRule(rfmSegment: string, input: CouponTermsInput): Result<CouponRule, InputProblem[]> {
  const segment = parseRfmSegmentName(rfmSegment);
  const terms = validateCouponTerms(input);
  const problems = [
    ...(segment === undefined ? [invalid(['rfmSegment'], `unknown RFM segment "${rfmSegment}"; expected one of ${RFM_SEGMENT_NAMES.join(', ')}`)] : []),
    ...(terms.ok ? [] : underField(['rule'], terms.error)),
  ];
  if (segment === undefined || !terms.ok) return err(problems);
  return ok({ segment, ...terms.value });
}

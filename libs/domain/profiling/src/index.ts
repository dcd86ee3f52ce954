export {
  type ClusterSummary,
  type PopulationSummary,
  type SegmentName,
  SEGMENT_DESCRIPTIONS,
  MAX_NEIGHBOUR_DISTANCE,
  nameClusters,
  type ComputedSegmentName,
  type DisplayedSegmentName,
  MAX_SEGMENT_NAME_LENGTH,
  sameSegmentName,
  validateSegmentName,
  displayedSegmentNames,
  decideRename,
} from './segment-names';
export {
  type CouponRule,
  type CouponTerms,
  type CouponTermsInput,
  type CouponKind,
  type CouponChannel,
  COUPON_KINDS,
  COUPON_CHANNELS,
  MAX_OFFER_LENGTH,
  DEFAULT_COUPON_RULES,
  couponForSegment,
  parseRfmSegmentName,
  validateCouponTerms,
  validateCouponRule,
} from './coupon-rules';
export { type InputProblem, type InputProblemCode, invalid, underField } from './input-problems';
export {
  type CouponCampaign,
  type CouponCampaignInput,
  type CouponCampaignDraft,
  type CouponRecommendation,
  type DefaultHoldout,
  type CampaignReach,
  MAX_CAMPAIGN_NAME_LENGTH,
  MAX_CAMPAIGN_HOLDOUT_SHARE,
  isoSeconds,
  parseInstant,
  validateCampaign,
  isCampaignActive,
  campaignTargets,
  recommendCoupons,
  campaignReach,
} from './campaigns';
export { fnv1a32, fmix32, holdoutDraw, isInHoldout } from './holdout';
export { type ProfileInput, type ClusterProfile, summarisePopulation, summariseClusters } from './cluster-summaries';
export { type PreviousSegment, type SegmentIdentity, MAX_IDENTITY_DISTANCE, centroidDistance, settleSegmentIdentities } from './segment-identity';

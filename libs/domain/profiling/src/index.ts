export {
  type ClusterSummary,
  type PopulationSummary,
  type SegmentName,
  SEGMENT_DESCRIPTIONS,
  MAX_NEIGHBOUR_DISTANCE,
  nameClusters,
} from './segment-names';
export { type CouponRule, DEFAULT_COUPON_RULES, couponForSegment } from './coupon-rules';
export { fnv1a32, fmix32, holdoutDraw, isInHoldout } from './holdout';
export { type ProfileInput, type ClusterProfile, summarisePopulation, summariseClusters } from './cluster-summaries';
export { type PreviousSegment, type SegmentIdentity, MAX_IDENTITY_DISTANCE, centroidDistance, settleSegmentIdentities } from './segment-identity';

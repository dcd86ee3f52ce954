export { type CustomerMetrics, type QualityReport, aggregateCustomers } from './customer-metrics';
export { analysisDate, recencyDays, tenureDays } from './analysis-date';
export { type RfmValues, returnRate, netMonetaryMilli, averageOrderValueMilli, toRfmValues } from './rfm-values';
export { type CutPoints, type RfmCutPoints, cutPoints, computeCutPoints, quantileOfSorted } from './cut-points';
export { type RfmScore, scoreCustomer, higherIsBetterScore, recencyScore } from './rfm-scores';
export { type RfmSegmentName, RFM_SEGMENTS, RFM_SEGMENT_NAMES, segmentForCode } from './rfm-segments';
export { type ScoredCustomer, type RfmSnapshot, buildSnapshot, SnapshotCache } from './rfm-snapshot';

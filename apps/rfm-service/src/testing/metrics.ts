import type { CustomerMetrics } from '@seg/domain-rfm';

/**
 * For the rfm service's tests: metrics as aggregateCustomers (@seg/domain-rfm) computes them, from
 * what the repository returns after a batch (the same fields and the customer's revision).
 */
export const withoutRevision = ({ revision: _revision, ...metrics }: CustomerMetrics & { readonly revision?: number }): CustomerMetrics => metrics;

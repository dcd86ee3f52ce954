import { InitialSchema1764100000000 } from './1764100000000-initial-schema';
import { ErasedCustomers1764700000000 } from './1764700000000-erased-customers';
import { IncrementalAggregates1764800000000 } from './1764800000000-incremental-aggregates';
import { MetricsRevision1765100000000 } from './1765100000000-metrics-revision';
import { CustomerIdsBinary1765200000000 } from './1765200000000-customer-ids-binary';

/** Every migration of this service, in order (listed explicitly so that bundling keeps them). */
export const migrations = [InitialSchema1764100000000, ErasedCustomers1764700000000, IncrementalAggregates1764800000000, MetricsRevision1765100000000, CustomerIdsBinary1765200000000];

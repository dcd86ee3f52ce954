import { InitialSchema1764100000000 } from './1764100000000-initial-schema';
import { FeatureCountry1764200000000 } from './1764200000000-feature-country';
import { ModelMetrics1764400000000 } from './1764400000000-model-metrics';
import { ModelPublished1764450000000 } from './1764450000000-model-published';
import { ErasedCustomers1764700000000 } from './1764700000000-erased-customers';
import { FeatureRevision1765000000000 } from './1765000000000-feature-revision';
import { CustomerIdsBinary1765200000000 } from './1765200000000-customer-ids-binary';
import { ImportEnds1765300000000 } from './1765300000000-import-ends';

/** Every migration of this service, in order (listed explicitly so that bundling keeps them). */
export const migrations = [InitialSchema1764100000000, FeatureCountry1764200000000, ModelMetrics1764400000000, ModelPublished1764450000000, ErasedCustomers1764700000000, FeatureRevision1765000000000, CustomerIdsBinary1765200000000, ImportEnds1765300000000];

import { InitialSchema1764100000000 } from './1764100000000-initial-schema';
import { SegmentCountries1764200000000 } from './1764200000000-segment-countries';
import { SegmentIdentity1764300000000 } from './1764300000000-segment-identity';

/** Every migration of this service, in order (listed explicitly so that bundling keeps them). */
export const migrations = [InitialSchema1764100000000, SegmentCountries1764200000000, SegmentIdentity1764300000000];

import { InitialSchema1764100000000 } from './1764100000000-initial-schema';
import { SegmentCountries1764200000000 } from './1764200000000-segment-countries';
import { SegmentIdentity1764300000000 } from './1764300000000-segment-identity';
import { CustomerDirectory1764500000000 } from './1764500000000-customer-directory';
import { SegmentOverridesCampaigns1764600000000 } from './1764600000000-segment-overrides-campaigns';
import { ErasedCustomers1764700000000 } from './1764700000000-erased-customers';
import { DirectoryRevision1765000000000 } from './1765000000000-directory-revision';
import { CustomerIdsBinary1765200000000 } from './1765200000000-customer-ids-binary';

/** Every migration of this service, in order (listed explicitly so that bundling keeps them). */
export const migrations = [InitialSchema1764100000000, SegmentCountries1764200000000, SegmentIdentity1764300000000, CustomerDirectory1764500000000, SegmentOverridesCampaigns1764600000000, ErasedCustomers1764700000000, DirectoryRevision1765000000000, CustomerIdsBinary1765200000000];

import { InitialSchema1764100000000 } from './1764100000000-initial-schema';
import { CancelledImports1764300000000 } from './1764300000000-cancelled-imports';
import { ImportHeartbeat1764400000000 } from './1764400000000-import-heartbeat';
import { CustomerErasures1764700000000 } from './1764700000000-customer-erasures';
import { CustomerIdsBinary1765200000000 } from './1765200000000-customer-ids-binary';

/** Every migration of this service, in order (listed explicitly so that bundling keeps them). */
export const migrations = [InitialSchema1764100000000, CancelledImports1764300000000, ImportHeartbeat1764400000000, CustomerErasures1764700000000, CustomerIdsBinary1765200000000];

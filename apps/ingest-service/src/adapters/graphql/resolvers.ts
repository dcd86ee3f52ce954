import { requireRole, type GraphQLResolverMap, type SubgraphContext } from '@seg/platform-subgraph';
import { eraseCustomer, type EraseCustomerPorts } from '../../application/customer-erasure';
import type { ImportJobs } from '../../application/import-jobs';
import { recordTransactions, type RecordTransactionsPorts, type TransactionInput } from '../../application/record-transactions';
import type { CustomerDirectoryRepository, CustomerRecord } from '../persistence/customer-directory.repository';
import type { ImportJobRecord, ImportJobRepository } from '../persistence/import-job.repository';

export interface IngestResolverDeps {
  readonly jobs: ImportJobRepository;
  readonly customers: CustomerDirectoryRepository;
  readonly imports: ImportJobs<ImportJobRecord>;
  readonly live: RecordTransactionsPorts;
  readonly erasure: EraseCustomerPorts;
}

const iso = (date: Date | null): string | null => (date ? date.toISOString() : null);

const customerFields = (customer: CustomerRecord) => ({
  id: customer.id,
  country: customer.country,
  firstSeenAt: iso(customer.firstSeenAt),
  lastSeenAt: iso(customer.lastSeenAt),
});

export function ingestResolvers(deps: IngestResolverDeps): GraphQLResolverMap<SubgraphContext> {
  const clampFirst = (first: number | undefined, max: number) => Math.max(1, Math.min(first ?? 20, max));
  return {
    Query: {
      me: (_: unknown, __: unknown, context: SubgraphContext) => ({ role: context.role.toUpperCase() }),
      customer: async (_: unknown, args: { id: string }) => {
        const customer = await deps.customers.get(args.id);
        return customer ? customerFields(customer) : null;
      },
      importJob: (_: unknown, args: { id: string }) => deps.jobs.get(args.id),
      importJobs: (_: unknown, args: { first?: number }) => deps.jobs.list(clampFirst(args.first, 100)),
    },
    Mutation: {
      startImport: async (_: unknown, args: { path: string }, context: SubgraphContext) => {
        requireRole(context, 'admin');
        return deps.imports.start(args.path);
      },
      cancelImport: async (_: unknown, args: { id: string }, context: SubgraphContext) => {
        requireRole(context, 'admin');
        return deps.imports.cancel(args.id);
      },
      recordTransactions: async (_: unknown, args: { lines: TransactionInput[] }, context: SubgraphContext) => {
        requireRole(context, 'admin');
        return recordTransactions(args.lines, context.correlationId, deps.live);
      },
      eraseCustomer: async (_: unknown, args: { id: string }, context: SubgraphContext) => {
        requireRole(context, 'admin');
        return eraseCustomer(args.id, context.role, context.correlationId, deps.erasure);
      },
    },
    Customer: {
      __resolveReference: async (reference: { id: string }) => {
        const customer = await deps.customers.get(reference.id);
        return customer ? customerFields(customer) : null;
      },
    },
    ImportJob: {
      startedAt: (job: ImportJobRecord) => job.startedAt.toISOString(),
      finishedAt: (job: ImportJobRecord) => iso(job.finishedAt),
      rejectedRows: (job: ImportJobRecord, args: { first?: number; after?: number | null }) => deps.jobs.rejectedRows(job.id, clampFirst(args.first, 1_000), args.after ?? null),
    },
  };
}

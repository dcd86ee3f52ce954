import type { Logger } from 'pino';
import { erasedCustomerDigest } from '@seg/contracts-events';
import { normaliseCustomerId } from '@seg/domain-transactions';
import type { UserError } from './import-jobs';

/** Longest customer id the platform carries (the events' and tables' limit). */
export const MAX_CUSTOMER_ID_LENGTH = 64;

/** What ingest keeps of an erased customer's (normalised) id: its SHA-256, as every service does. */
export const customerDigest = erasedCustomerDigest;

/** Beyond this many memoised answers the memo starts again (a file can hold any number of ids). */
const MEMO_LIMIT = 100_000;

/**
 * The digests of erased customers, held in memory: the import hot path asks about every line, so
 * the answer must not need the database. Answers are memoised per id (a file names each customer
 * many times); the memo is dropped whenever the set changes.
 */
export class ErasedCustomers {
  private readonly digests = new Set<string>();
  private readonly memo = new Map<string, boolean>();

  has(customerId: string): boolean {
    if (this.digests.size === 0) return false;
    let erased = this.memo.get(customerId);
    if (erased === undefined) {
      erased = this.digests.has(customerDigest(customerId));
      if (this.memo.size >= MEMO_LIMIT) this.memo.clear();
      this.memo.set(customerId, erased);
    }
    return erased;
  }

  /** Adds digests (the stored ones, which other replicas add to). An erasure is never undone, so nothing is removed. */
  add(digests: Iterable<string>): void {
    const before = this.digests.size;
    for (const digest of digests) this.digests.add(digest);
    if (this.digests.size !== before) this.memo.clear();
  }

  get size(): number {
    return this.digests.size;
  }
}

/**
 * Whether an unreadable row's text names a customer for whom `isCustomer` holds: one of its
 * comma-separated fields, without quotes and spaces, is the id (or its '17850.0' form). Such a row
 * could not be split into columns, so its customer cell is unknown; a field that merely equals the
 * id (a stock code, say) makes it count as the customer's too, which errs on the side of erasing.
 */
export function unreadableRowNames(raw: string, isCustomer: (customerId: string) => boolean): boolean {
  return raw.split(/[,\r\n]/).some((field) => {
    const id = normaliseCustomerId(field.replace(/"/g, ''));
    return id !== null && isCustomer(id);
  });
}

export interface ErasureRequest {
  readonly customerId: string;
  readonly digest: string;
  /** ISO instant. */
  readonly requestedAt: string;
  /** The caller's role, as the gateway authenticated it (never a person's name). */
  readonly requestedBy: string;
}

export interface EraseCustomerPorts {
  /**
   * Records the erasure (digest, time, role, and the id until the event is out) and deletes
   * ingest's own rows of the customer, in one transaction. Repeating it is harmless.
   */
  record(request: ErasureRequest): Promise<{ readonly customers: number; readonly rejectedRows: number }>;
  /** Publishes CustomerErasureRequested; resolves once the broker has it. */
  publish(request: ErasureRequest, correlationId: string): Promise<void>;
  /** Forgets the id once its event is on the broker; the digest stays. */
  markPublished(digest: string): Promise<void>;
  /** Erasures recorded but not yet published (a crash or a broker outage in between). */
  pending(): Promise<ErasureRequest[]>;
  readonly erased: ErasedCustomers;
  readonly logger: Logger;
}

export interface EraseCustomerPayload {
  readonly customerId: string | null;
  readonly requested: boolean;
  readonly userErrors: UserError[];
}

/**
 * Erases a customer: records the request, drops ingest's rows of the customer, stops accepting
 * their lines at once (in this process; other replicas reload the digests periodically) and asks
 * every service to delete what it holds. When the event cannot be published now, the erasure
 * stays pending and {@link publishPendingErasures} sends it later: the request still counts.
 */
export async function eraseCustomer(id: string, requestedBy: string, correlationId: string, ports: EraseCustomerPorts, now: Date = new Date()): Promise<EraseCustomerPayload> {
  const customerId = normaliseCustomerId(id);
  if (customerId === null) return { customerId: null, requested: false, userErrors: [{ field: ['id'], code: 'INVALID', message: 'id is empty' }] };
  if (customerId.length > MAX_CUSTOMER_ID_LENGTH) {
    return { customerId: null, requested: false, userErrors: [{ field: ['id'], code: 'INVALID', message: `id is longer than ${MAX_CUSTOMER_ID_LENGTH} characters` }] };
  }
  const request: ErasureRequest = { customerId, digest: customerDigest(customerId), requestedAt: now.toISOString(), requestedBy };
  // Drop the customer's lines in running imports from now on, before the stored rows go.
  ports.erased.add([request.digest]);
  const deleted = await ports.record(request);
  // Logs name neither the id nor its digest (a digest of a short id is easily reversed).
  ports.logger.info({ requestedBy, ...deleted }, 'erased a customer in ingest');
  try {
    await ports.publish(request, correlationId);
    await ports.markPublished(request.digest);
  } catch (error) {
    ports.logger.warn(`erasure event not published yet, it will be sent again: ${String(error)}`);
  }
  return { customerId, requested: true, userErrors: [] };
}

/** Publishes the erasures still pending; returns how many went out. */
export async function publishPendingErasures(ports: Pick<EraseCustomerPorts, 'pending' | 'publish' | 'markPublished'>): Promise<number> {
  const pending = await ports.pending();
  for (const request of pending) {
    await ports.publish(request, 'erasure-retry');
    await ports.markPublished(request.digest);
  }
  return pending.length;
}

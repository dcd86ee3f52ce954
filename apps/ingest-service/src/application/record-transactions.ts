import { CANONICAL_COLUMNS, normaliseCustomerId, normaliseRow, type ColumnMap } from '@seg/domain-transactions';
import type { AttributedLine, LineCounts } from './import-lines';
import type { UserError } from './import-jobs';

/** One transaction line as a shop's backend sends it through the API. */
export interface TransactionInput {
  readonly invoiceNo: string;
  readonly stockCode: string;
  readonly description?: string | null;
  readonly quantity: number;
  /** 'YYYY-MM-DD HH:MM:SS', ISO 8601, or 'M/D/YYYY H:MM'. */
  readonly invoiceDate: string;
  /** A decimal string ('2.55'), so that prices stay exact. */
  readonly unitPrice: string;
  readonly customerId: string;
  readonly country?: string | null;
}

export interface RecordTransactionsPorts {
  publishLines(correlationId: string, lines: readonly AttributedLine[]): Promise<void>;
  upsertCustomers(lines: readonly AttributedLine[]): Promise<void>;
  /** Told the lines of each call once the accepted ones are published (a line without customer is rejected here). */
  countLines?(counts: LineCounts): void;
  /** Whether a customer was erased: their lines are dropped and counted, never published. */
  isErased?(customerId: string): boolean;
}

export const MAX_LINES_PER_CALL = 1_000;

// The API's input is already in canonical column order.
const IDENTITY_COLUMNS = Object.fromEntries(CANONICAL_COLUMNS.map((column, i) => [column, i])) as ColumnMap;

/**
 * Validates a small batch of transactions with the same rules as a CSV import and publishes the
 * valid ones. Invalid lines come back as user errors naming the line and field; they never stop
 * the valid lines of the batch. Sending the same line again is harmless (same line identity).
 * Lines of an erased customer are dropped and counted in `erased` (not the caller's mistake, so no
 * user error).
 */
export async function recordTransactions(
  lines: readonly TransactionInput[],
  correlationId: string,
  ports: RecordTransactionsPorts,
): Promise<{ accepted: number; erased: number; lineIds: string[]; userErrors: UserError[] }> {
  if (lines.length === 0 || lines.length > MAX_LINES_PER_CALL) {
    return {
      accepted: 0,
      erased: 0,
      lineIds: [],
      userErrors: [{ field: ['lines'], code: 'BAD_BATCH_SIZE', message: `send between 1 and ${MAX_LINES_PER_CALL} lines per call, got ${lines.length}` }],
    };
  }
  const accepted: AttributedLine[] = [];
  const userErrors: UserError[] = [];
  let erased = 0;
  lines.forEach((input, index) => {
    const fields = [input.invoiceNo, input.stockCode, input.description ?? '', String(input.quantity), input.invoiceDate, input.unitPrice, input.customerId, input.country ?? ''];
    const result = normaliseRow(fields, IDENTITY_COLUMNS, index + 1);
    const customerId = result.ok ? result.value.customerId : normaliseCustomerId(input.customerId);
    // An erased customer's line is dropped whether valid or not: an invalid one would otherwise be
    // kept, with its content, on the dead-letter topic.
    if (customerId !== null && ports.isErased?.(customerId)) {
      erased++;
    } else if (!result.ok) {
      userErrors.push({ field: ['lines', String(index)], code: result.error.code, message: `line ${index + 1}: ${result.error.reason}` });
    } else if (result.value.customerId === null) {
      userErrors.push({ field: ['lines', String(index), 'customerId'], code: 'MISSING_VALUE', message: `line ${index + 1}: customerId is empty` });
    } else {
      accepted.push(result.value as AttributedLine); // its customer id was checked just above; line number = position
    }
  });
  if (accepted.length > 0) {
    await ports.publishLines(correlationId, accepted);
    await ports.upsertCustomers(accepted);
  }
  ports.countLines?.({ read: lines.length, accepted: accepted.length, rejected: userErrors.length, withoutCustomer: 0, erased });
  return { accepted: accepted.length, erased, lineIds: accepted.map((line) => line.lineId), userErrors };
}

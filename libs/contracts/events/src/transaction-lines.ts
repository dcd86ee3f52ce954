import {
  LiveTransactionLineRecordedV2,
  MAX_LINES_PER_EVENT,
  TransactionLineRecordedV2,
  type TransactionLineData,
  type TransactionLineRecorded,
  type TransactionLinesData,
  type TransactionLinesRecorded,
} from './events';
import type { EventMeta } from './define-event';

/** A v1 event (one line) as the v2 event it would have been: the same envelope, one line. */
export function upcastTransactionLineV1(event: TransactionLineRecorded): TransactionLinesRecorded {
  const { customerId, source, ...line } = event.data;
  return {
    ...event,
    version: 2,
    data: { customerId, source: { kind: source.kind, importJobId: source.importJobId }, lines: [{ ...line, lineNumber: source.lineNumber }] },
  };
}

/**
 * The contract, so the topic, of a source's lines: live input (source kind 'api', the
 * recordTransactions mutation, or 'stream', the shop's raw-transaction topic) goes on a lane of its
 * own, so that it never waits behind an import's lines; CSV imports keep the import lane. Both are
 * the same event (type, version, schema): a consumer reads them with the same handler.
 */
export function transactionLineContractOf(kind: TransactionLinesData['source']['kind']): typeof TransactionLineRecordedV2 {
  return kind === 'csv' ? TransactionLineRecordedV2 : LiveTransactionLineRecordedV2;
}

/** The lines of v2 events, one record per line with its customer and source (the v1 shape), in event order. */
export function linesOf(events: readonly TransactionLinesRecorded[]): TransactionLineData[] {
  const lines: TransactionLineData[] = [];
  // Field by field: object rest and spread are several times slower here, on every line of a backfill.
  for (const { data } of events) {
    const { customerId } = data;
    const { kind, importJobId } = data.source;
    for (const line of data.lines) {
      lines.push({
        lineId: line.lineId,
        invoiceNo: line.invoiceNo,
        stockCode: line.stockCode,
        description: line.description,
        quantity: line.quantity,
        invoiceDate: line.invoiceDate,
        unitPriceMilli: line.unitPriceMilli,
        customerId,
        country: line.country,
        source: { kind, importJobId, lineNumber: line.lineNumber },
      });
    }
  }
  return lines;
}

/** A line as its producer has it: the fields of a v2 line and its customer. */
export type CustomerLine = TransactionLinesData['lines'][number] & { readonly customerId: string };

/**
 * v2 events for a batch of lines from one source: one per customer (at most
 * {@link MAX_LINES_PER_EVENT} lines each, in the batch's order), customers in order of their first
 * line in the batch.
 */
export function transactionLineEvents(
  lines: readonly CustomerLine[],
  source: TransactionLinesData['source'],
  meta: EventMeta,
  maxLinesPerEvent = MAX_LINES_PER_EVENT,
): TransactionLinesRecorded[] {
  const byCustomer = new Map<string, TransactionLinesData['lines'][number][][]>();
  for (const line of lines) {
    let groups = byCustomer.get(line.customerId);
    if (!groups) byCustomer.set(line.customerId, (groups = []));
    let group = groups[groups.length - 1];
    if (!group || group.length >= maxLinesPerEvent) groups.push((group = []));
    // Field by field: the line without its customer (once per event), and no spread on every line.
    group.push({
      lineId: line.lineId,
      invoiceNo: line.invoiceNo,
      stockCode: line.stockCode,
      description: line.description,
      quantity: line.quantity,
      invoiceDate: line.invoiceDate,
      unitPriceMilli: line.unitPriceMilli,
      country: line.country,
      lineNumber: line.lineNumber,
    });
  }
  const events: TransactionLinesRecorded[] = [];
  for (const [customerId, groups] of byCustomer) {
    for (const group of groups) {
      events.push(TransactionLineRecordedV2.create({ customerId, source: { kind: source.kind, importJobId: source.importJobId }, lines: group }, meta));
    }
  }
  return events;
}

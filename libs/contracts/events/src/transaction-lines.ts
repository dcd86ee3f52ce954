import {
  MAX_LINES_PER_EVENT,
  TransactionLineRecordedV2,
  type TransactionLineData,
  type TransactionLineRecorded,
  type TransactionLinesData,
  type TransactionLinesRecorded,
} from './events';
import type { EventMeta } from './define-event';

type LineSource = TransactionLineData['source'];

/** A v1 event (one line) as the v2 event it would have been: the same envelope, one line. */
export function upcastTransactionLineV1(event: TransactionLineRecorded): TransactionLinesRecorded {
  const { customerId, source, ...line } = event.data;
  return {
    ...event,
    version: 2,
    data: { customerId, source: { kind: source.kind, importJobId: source.importJobId }, lines: [{ ...line, lineNumber: source.lineNumber }] },
  };
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

/**
 * v2 events for a batch of lines from one source: one per customer (at most
 * {@link MAX_LINES_PER_EVENT} lines each, in the batch's order), customers in order of their first
 * line in the batch.
 */
export function transactionLineEvents(
  lines: readonly TransactionLineData[],
  meta: EventMeta,
  maxLinesPerEvent = MAX_LINES_PER_EVENT,
): TransactionLinesRecorded[] {
  const byCustomer = new Map<string, { source: LineSource; lines: TransactionLinesData['lines'][number][] }[]>();
  for (const line of lines) {
    const { customerId, source } = line;
    let groups = byCustomer.get(customerId);
    if (!groups) byCustomer.set(customerId, (groups = []));
    let group = groups[groups.length - 1];
    // A new event when the current one is full or the line comes from another source.
    if (!group || group.lines.length >= maxLinesPerEvent || group.source.kind !== source.kind || group.source.importJobId !== source.importJobId) {
      group = { source, lines: [] };
      groups.push(group);
    }
    group.lines.push({
      lineId: line.lineId,
      invoiceNo: line.invoiceNo,
      stockCode: line.stockCode,
      description: line.description,
      quantity: line.quantity,
      invoiceDate: line.invoiceDate,
      unitPriceMilli: line.unitPriceMilli,
      country: line.country,
      lineNumber: source.lineNumber,
    });
  }
  const events: TransactionLinesRecorded[] = [];
  for (const [customerId, groups] of byCustomer) {
    for (const group of groups) {
      events.push(
        TransactionLineRecordedV2.create(
          { customerId, source: { kind: group.source.kind, importJobId: group.source.importJobId }, lines: group.lines },
          meta,
        ),
      );
    }
  }
  return events;
}

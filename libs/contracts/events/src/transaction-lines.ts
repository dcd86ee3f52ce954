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
  for (const { data } of events) {
    for (const { lineNumber, ...line } of data.lines) {
      lines.push({ ...line, customerId: data.customerId, source: { kind: data.source.kind, importJobId: data.source.importJobId, lineNumber } });
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
  for (const { customerId, source, ...line } of lines) {
    let groups = byCustomer.get(customerId);
    if (!groups) byCustomer.set(customerId, (groups = []));
    let group = groups[groups.length - 1];
    // A new event when the current one is full or the line comes from another source.
    if (!group || group.lines.length >= maxLinesPerEvent || group.source.kind !== source.kind || group.source.importJobId !== source.importJobId) {
      group = { source, lines: [] };
      groups.push(group);
    }
    group.lines.push({ ...line, lineNumber: source.lineNumber });
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

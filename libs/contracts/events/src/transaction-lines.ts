import {
  LiveTransactionLineRecordedV3,
  MAX_LINES_PER_EVENT,
  TransactionLineRecordedV3,
  type TransactionLineData,
  type TransactionLineRecorded,
  type TransactionLinesData,
  type TransactionLinesDataV2,
  type TransactionLinesRecorded,
  type TransactionLinesRecordedV2,
} from './events';
import type { EventMeta } from './define-event';

/** One source line as a producer has it: the fields of a line, its number in its file (else null), without its customer. */
export type SourceLine = TransactionLinesDataV2['lines'][number];

/** A line as its producer has it: the fields of a line and its customer. */
export type CustomerLine = SourceLine & { readonly customerId: string };

/**
 * The columns of a v3 event for lines of one customer (in order): each line's fields in its
 * column, the line ids end to end, and each distinct (invoice number, invoice date) once.
 */
function columnsOf(lines: readonly SourceLine[]): Pick<TransactionLinesData, 'invoices' | 'lines'> {
  const invoices: { invoiceNo: string; invoiceDate: string }[] = [];
  const invoice: number[] = [];
  const stockCode: string[] = [];
  const description: string[] = [];
  const quantity: number[] = [];
  const unitPriceMilli: number[] = [];
  const country: string[] = [];
  const lineNumber: (number | null)[] = [];
  const lineIds: string[] = [];
  // An invoice's lines come together: a look at the last invoice finds nearly all of them.
  let last = -1;
  for (const line of lines) {
    let index = last;
    const previous = invoices[last];
    if (!previous || previous.invoiceNo !== line.invoiceNo || previous.invoiceDate !== line.invoiceDate) {
      index = invoices.findIndex((i) => i.invoiceNo === line.invoiceNo && i.invoiceDate === line.invoiceDate);
      if (index < 0) index = invoices.push({ invoiceNo: line.invoiceNo, invoiceDate: line.invoiceDate }) - 1;
      last = index;
    }
    invoice.push(index);
    lineIds.push(line.lineId);
    stockCode.push(line.stockCode);
    description.push(line.description);
    quantity.push(line.quantity);
    unitPriceMilli.push(line.unitPriceMilli);
    country.push(line.country);
    lineNumber.push(line.lineNumber);
  }
  return { invoices, lines: { lineIds: lineIds.join(''), invoice, stockCode, description, quantity, unitPriceMilli, country, lineNumber } };
}

/** The lines of a v3 event's data, one object per line (the v2 shape), in order. */
export function sourceLinesOf(data: TransactionLinesData): SourceLine[] {
  const { invoices, lines } = data;
  const out: SourceLine[] = [];
  for (let i = 0; i < lines.invoice.length; i++) {
    const invoice = invoices[lines.invoice[i] as number] as TransactionLinesData['invoices'][number];
    out.push({
      lineId: lines.lineIds.slice(64 * i, 64 * i + 64),
      invoiceNo: invoice.invoiceNo,
      stockCode: lines.stockCode[i] as string,
      description: lines.description[i] as string,
      quantity: lines.quantity[i] as number,
      invoiceDate: invoice.invoiceDate,
      unitPriceMilli: lines.unitPriceMilli[i] as number,
      country: lines.country[i] as string,
      lineNumber: lines.lineNumber[i] as number | null,
    });
  }
  return out;
}

/** A v2 event (one customer's lines, one object per line) as the v3 event it would have been: the same envelope, the same lines by column. */
export function upcastTransactionLinesV2(event: TransactionLinesRecordedV2): TransactionLinesRecorded {
  const { customerId, source, lines } = event.data;
  return { ...event, version: 3, data: { customerId, source, ...columnsOf(lines) } };
}

/** A v1 event (one line) as the v3 event it would have been: the same envelope, one line. */
export function upcastTransactionLineV1(event: TransactionLineRecorded): TransactionLinesRecorded {
  const { customerId, source, ...line } = event.data;
  return {
    ...event,
    version: 3,
    data: { customerId, source: { kind: source.kind, importJobId: source.importJobId }, ...columnsOf([{ ...line, lineNumber: source.lineNumber }]) },
  };
}

/**
 * The contract, so the topic, of a source's lines: live input (source kind 'api', the
 * recordTransactions mutation, or 'stream', the shop's raw-transaction topic) goes on a lane of its
 * own, so that it never waits behind an import's lines; CSV imports keep the import lane. Both are
 * the same event (type, version, schema): a consumer reads them with the same handler.
 */
export function transactionLineContractOf(kind: TransactionLinesData['source']['kind']): typeof TransactionLineRecordedV3 {
  return kind === 'csv' ? TransactionLineRecordedV3 : LiveTransactionLineRecordedV3;
}

/** The lines of v3 events, one record per line with its customer and source (the v1 shape), in event order. */
export function linesOf(events: readonly TransactionLinesRecorded[]): TransactionLineData[] {
  const lines: TransactionLineData[] = [];
  for (const { data } of events) {
    const { customerId } = data;
    const { kind, importJobId } = data.source;
    for (const { lineNumber, ...line } of sourceLinesOf(data)) lines.push({ ...line, customerId, source: { kind, importJobId, lineNumber } });
  }
  return lines;
}

/**
 * v3 events for a batch of lines from one source: one per customer (at most
 * {@link MAX_LINES_PER_EVENT} lines each, in the batch's order), customers in order of their first
 * line in the batch.
 */
export function transactionLineEvents(
  lines: readonly CustomerLine[],
  source: TransactionLinesData['source'],
  meta: EventMeta,
  maxLinesPerEvent = MAX_LINES_PER_EVENT,
): TransactionLinesRecorded[] {
  const byCustomer = new Map<string, CustomerLine[][]>();
  for (const line of lines) {
    let groups = byCustomer.get(line.customerId);
    if (!groups) byCustomer.set(line.customerId, (groups = []));
    let group = groups[groups.length - 1];
    if (!group || group.length >= maxLinesPerEvent) groups.push((group = []));
    group.push(line);
  }
  const events: TransactionLinesRecorded[] = [];
  for (const [customerId, groups] of byCustomer) {
    for (const group of groups) {
      events.push(TransactionLineRecordedV3.create({ customerId, source: { kind: source.kind, importJobId: source.importJobId }, ...columnsOf(group) }, meta));
    }
  }
  return events;
}

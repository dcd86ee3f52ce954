import { RFM_SEGMENT_NAMES, type RfmSegmentName, type RfmSnapshot } from '@seg/domain-rfm';

export const CUSTOMER_ORDER_FIELDS = ['ID', 'RECENCY_DAYS', 'FREQUENCY', 'MONETARY', 'LAST_PURCHASE_AT'] as const;
export type CustomerOrderField = (typeof CUSTOMER_ORDER_FIELDS)[number];
export type OrderDirection = 'ASC' | 'DESC';

export interface CustomerOrder {
  readonly field: CustomerOrderField;
  readonly direction: OrderDirection;
}

/** Without an orderBy argument the list runs by customer id, ascending. */
export const DEFAULT_CUSTOMER_ORDER: CustomerOrder = { field: 'ID', direction: 'ASC' };
export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 250;

/** One customer as the paginated lists see it: the read model's metrics with the RFM scores. */
export interface ListedCustomer {
  readonly id: string;
  readonly country: string;
  readonly recencyDays: number;
  readonly frequency: number;
  /** Exact, in thousandths: the sort key. */
  readonly monetaryMilli: number;
  /** Currency units rounded to cents, as the API shows it: what filters compare with. */
  readonly monetary: number;
  readonly lastPurchaseAt: string;
  readonly rfmSegment: RfmSegmentName;
}

/** A filter after validation; null means "no condition". */
export interface CustomerFilter {
  /** A Segment.id (segment key) of the latest model. */
  readonly segment: string | null;
  readonly rfmSegment: RfmSegmentName | null;
  readonly country: string | null;
  readonly minMonetary: number | null;
  readonly maxMonetary: number | null;
  readonly minFrequency: number | null;
  readonly maxRecencyDays: number | null;
  /** Customer ids starting with this text. */
  readonly search: string | null;
}

/** A position in one ordering: the sort value and the id of the last customer seen. */
export interface CustomerCursor {
  readonly order: CustomerOrder;
  readonly value: string | number;
  readonly id: string;
}

export interface CustomerQuery {
  readonly filter: CustomerFilter;
  readonly first: number;
  readonly after: CustomerCursor | null;
  readonly order: CustomerOrder;
}

/** A rejected argument: where it is (e.g. ['filter', 'minMonetary']) and why. */
export interface InvalidArgument {
  readonly field: readonly string[];
  readonly message: string;
}

export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: InvalidArgument };

/** The arguments as GraphQL hands them over (already checked against the schema's types). */
export interface CustomerQueryArgs {
  readonly filter?: Partial<Record<keyof CustomerFilter, unknown>> | null;
  readonly first?: number | null;
  readonly after?: string | null;
  readonly orderBy?: { readonly field: CustomerOrderField; readonly direction?: OrderDirection | null } | null;
}

export interface CustomerPage {
  readonly customers: readonly { readonly cursor: string; readonly customer: ListedCustomer }[];
  readonly hasNextPage: boolean;
  readonly hasPreviousPage: boolean;
  readonly totalCount: number;
}

/** A customer list ordered by every order field (each sorted once, on first use). */
export interface CustomerIndex {
  readonly size: number;
  /** Customers in ascending order of the field, ties by id. */
  ascending(field: CustomerOrderField): readonly ListedCustomer[];
}

const invalid = (field: readonly string[], message: string): { ok: false; error: InvalidArgument } => ({ ok: false, error: { field, message } });

// ---------------------------------------------------------------------------------------------
// Cursors: base64url of JSON [field, direction, sort value, id]. Opaque to clients; the order is
// inside so that a cursor from one ordering is refused by another instead of skipping customers.

export function sortValue(field: CustomerOrderField, customer: ListedCustomer): string | number {
  switch (field) {
    case 'ID':
      return customer.id;
    case 'RECENCY_DAYS':
      return customer.recencyDays;
    case 'FREQUENCY':
      return customer.frequency;
    case 'MONETARY':
      return customer.monetaryMilli;
    case 'LAST_PURCHASE_AT':
      return customer.lastPurchaseAt;
  }
}

const NUMERIC_FIELDS: ReadonlySet<CustomerOrderField> = new Set(['RECENCY_DAYS', 'FREQUENCY', 'MONETARY']);

export function encodeCursor(order: CustomerOrder, customer: ListedCustomer): string {
  return Buffer.from(JSON.stringify([order.field, order.direction, sortValue(order.field, customer), customer.id]), 'utf8').toString('base64url');
}

/** Reads a cursor made by encodeCursor; null for anything else. */
export function decodeCursor(text: string): CustomerCursor | null {
  if (text.length === 0 || text.length > 1_024 || !/^[A-Za-z0-9_-]+$/.test(text)) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  if (!Array.isArray(parsed) || parsed.length !== 4) return null;
  const [field, direction, value, id] = parsed as unknown[];
  if (!CUSTOMER_ORDER_FIELDS.includes(field as CustomerOrderField) || (direction !== 'ASC' && direction !== 'DESC')) return null;
  if (typeof id !== 'string' || id.length === 0 || id.length > 64) return null;
  const numeric = NUMERIC_FIELDS.has(field as CustomerOrderField);
  if (numeric ? !Number.isSafeInteger(value) : typeof value !== 'string') return null;
  if (field === 'ID' && value !== id) return null;
  return { order: { field: field as CustomerOrderField, direction }, value: value as string | number, id };
}

// ---------------------------------------------------------------------------------------------
// Ordering: by the sort value, then by id (code unit order), so that the order is total and
// stable; DESC is the exact reverse of ASC.

function compareValues(a: string | number, b: string | number): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareKeys(field: CustomerOrderField, a: ListedCustomer, bValue: string | number, bId: string): number {
  return compareValues(sortValue(field, a), bValue) || compareValues(a.id, bId);
}

/** Builds the list's index from a scored snapshot. */
export function indexSnapshot(snapshot: RfmSnapshot): CustomerIndex {
  const customers: ListedCustomer[] = [...snapshot.customers.values()].map((c) => ({
    id: c.metrics.customerId,
    country: c.metrics.country,
    recencyDays: c.values.recencyDays,
    frequency: c.values.frequency,
    monetaryMilli: c.metrics.monetaryMilli,
    monetary: c.values.monetary,
    lastPurchaseAt: c.metrics.lastPurchaseAt,
    rfmSegment: c.score.segment,
  }));
  return indexCustomers(customers);
}

export function indexCustomers(customers: readonly ListedCustomer[]): CustomerIndex {
  const sorted = new Map<CustomerOrderField, readonly ListedCustomer[]>();
  return {
    size: customers.length,
    ascending(field) {
      let list = sorted.get(field);
      if (!list) {
        list = [...customers].sort((a, b) => compareKeys(field, a, sortValue(field, b), b.id));
        sorted.set(field, list);
      }
      return list;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Arguments

function optionalString(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

function nonNegative(filter: NonNullable<CustomerQueryArgs['filter']>, name: 'minMonetary' | 'maxMonetary' | 'minFrequency' | 'maxRecencyDays'): Parsed<number | null> {
  const value = filter[name];
  if (value === null || value === undefined) return { ok: true, value: null };
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) return invalid(['filter', name], `${name} must be a number of at least 0`);
  return { ok: true, value };
}

function parseFilter(args: CustomerQueryArgs): Parsed<CustomerFilter> {
  const filter = args.filter ?? {};
  const rfmSegment = optionalString(filter.rfmSegment);
  if (rfmSegment !== null && !RFM_SEGMENT_NAMES.includes(rfmSegment as RfmSegmentName)) {
    return invalid(['filter', 'rfmSegment'], `unknown RFM segment "${rfmSegment}"; one of: ${RFM_SEGMENT_NAMES.join(', ')}`);
  }
  const bounds = {} as Record<'minMonetary' | 'maxMonetary' | 'minFrequency' | 'maxRecencyDays', number | null>;
  for (const name of ['minMonetary', 'maxMonetary', 'minFrequency', 'maxRecencyDays'] as const) {
    const parsed = nonNegative(filter, name);
    if (!parsed.ok) return parsed;
    bounds[name] = parsed.value;
  }
  if (bounds.minMonetary !== null && bounds.maxMonetary !== null && bounds.minMonetary > bounds.maxMonetary) {
    return invalid(['filter', 'maxMonetary'], 'maxMonetary must not be below minMonetary');
  }
  const search = optionalString(filter.search);
  return {
    ok: true,
    value: {
      segment: optionalString(filter.segment),
      rfmSegment: rfmSegment as RfmSegmentName | null,
      country: optionalString(filter.country),
      ...bounds,
      search: search === '' ? null : search,
    },
  };
}

/** Validates the arguments of `customers` and `Segment.customers`. */
export function parseCustomerQuery(args: CustomerQueryArgs): Parsed<CustomerQuery> {
  const first = args.first ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) return invalid(['first'], `first must be between 1 and ${MAX_PAGE_SIZE}; got ${first}`);
  const order: CustomerOrder = args.orderBy ? { field: args.orderBy.field, direction: args.orderBy.direction ?? 'DESC' } : DEFAULT_CUSTOMER_ORDER;
  if (!CUSTOMER_ORDER_FIELDS.includes(order.field) || (order.direction !== 'ASC' && order.direction !== 'DESC')) {
    return invalid(['orderBy'], 'unknown order');
  }
  let after: CustomerCursor | null = null;
  if (args.after !== null && args.after !== undefined) {
    after = decodeCursor(args.after);
    if (!after) return invalid(['after'], 'after is not a cursor of this list');
    if (after.order.field !== order.field || after.order.direction !== order.direction) {
      return invalid(['after'], `the cursor belongs to the order ${after.order.field} ${after.order.direction}, not ${order.field} ${order.direction}`);
    }
  }
  const filter = parseFilter(args);
  if (!filter.ok) return filter;
  return { ok: true, value: { filter: filter.value, first, after, order } };
}

// ---------------------------------------------------------------------------------------------
// The page

/** Whether a customer passes a filter; `members` restricts to one segment's customers (null: no restriction). */
export function matchesFilter(customer: ListedCustomer, filter: CustomerFilter, members: ReadonlySet<string> | null): boolean {
  if (members !== null && !members.has(customer.id)) return false;
  if (filter.rfmSegment !== null && customer.rfmSegment !== filter.rfmSegment) return false;
  if (filter.country !== null && customer.country !== filter.country) return false;
  if (filter.minMonetary !== null && customer.monetary < filter.minMonetary) return false;
  if (filter.maxMonetary !== null && customer.monetary > filter.maxMonetary) return false;
  if (filter.minFrequency !== null && customer.frequency < filter.minFrequency) return false;
  if (filter.maxRecencyDays !== null && customer.recencyDays > filter.maxRecencyDays) return false;
  if (filter.search !== null && !customer.id.startsWith(filter.search)) return false;
  return true;
}

/**
 * One page of the customers that match: up to `first` after the cursor, in the query's order.
 * `members` is the segment filter already resolved to customer ids (null: no segment filter).
 * totalCount counts every match, wherever the cursor is.
 */
export function queryCustomers(index: CustomerIndex, query: CustomerQuery, members: ReadonlySet<string> | null): CustomerPage {
  const { field, direction } = query.order;
  const list = index.ascending(field);
  const sign = direction === 'ASC' ? 1 : -1;
  const after = query.after;
  const page: ListedCustomer[] = [];
  let totalCount = 0;
  let before = 0;
  for (let i = 0; i < list.length; i++) {
    const customer = list[direction === 'ASC' ? i : list.length - 1 - i] as ListedCustomer;
    if (!matchesFilter(customer, query.filter, members)) continue;
    totalCount++;
    if (after && sign * compareKeys(field, customer, after.value, after.id) <= 0) {
      before++;
      continue;
    }
    if (page.length <= query.first) page.push(customer);
  }
  return {
    customers: page.slice(0, query.first).map((customer) => ({ cursor: encodeCursor(query.order, customer), customer })),
    hasNextPage: page.length > query.first,
    hasPreviousPage: before > 0,
    totalCount,
  };
}

/** The page of a query that cannot match anything (an unknown segment). */
export const EMPTY_PAGE: CustomerPage = { customers: [], hasNextPage: false, hasPreviousPage: false, totalCount: 0 };

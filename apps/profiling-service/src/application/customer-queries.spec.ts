import { buildSnapshot, RFM_SEGMENT_NAMES, type CustomerMetrics, type RfmSegmentName } from '@seg/domain-rfm';
import {
  CUSTOMER_ORDER_FIELDS,
  DEFAULT_CUSTOMER_ORDER,
  decodeCursor,
  encodeCursor,
  indexCustomers,
  indexSnapshot,
  parseCustomerQuery,
  queryCustomers,
  sortValue,
  type CustomerOrder,
  type CustomerQuery,
  type CustomerQueryArgs,
  type ListedCustomer,
} from './customer-queries';

/** A builder: customer n of a population with many equal values, so that ties are common. */
function listed(n: number): ListedCustomer {
  const monetaryMilli = ((n * 7_919) % 13) * 50_000 + (n % 3) * 5; // 13 spend levels, some a few thousandths apart
  return {
    id: String(12_000 + ((n * 37) % 101)).padEnd(5 + (n % 2), '0'), // ids of 5 and 6 characters
    country: ['United Kingdom', 'Germany', 'France'][n % 3] as string,
    recencyDays: (n * 11) % 17,
    frequency: 1 + (n % 5),
    monetaryMilli,
    monetary: Math.round(monetaryMilli / 10) / 100,
    lastPurchaseAt: `2011-02-${String(1 + (n % 28)).padStart(2, '0')}T${String(n % 24).padStart(2, '0')}:00:00Z`,
    rfmSegment: RFM_SEGMENT_NAMES[n % RFM_SEGMENT_NAMES.length] as RfmSegmentName,
  };
}
const population = Array.from({ length: 101 }, (_, n) => listed(n));
const index = indexCustomers(population);

function query(args: CustomerQueryArgs): CustomerQuery {
  const parsed = parseCustomerQuery(args);
  if (!parsed.ok) throw new Error(`unexpected ${parsed.error.message}`);
  return parsed.value;
}

/** Every page of a query, following endCursor. */
function walk(args: CustomerQueryArgs, members: ReadonlySet<string> | null = null): { ids: string[]; pages: number; totals: number[] } {
  const ids: string[] = [];
  const totals: number[] = [];
  let after: string | null = null;
  for (let pages = 1; ; pages++) {
    const page = queryCustomers(index, query({ ...args, after }), members);
    ids.push(...page.customers.map((c) => c.customer.id));
    totals.push(page.totalCount);
    expect(page.hasPreviousPage).toBe(after !== null && page.totalCount > 0);
    if (!page.hasNextPage) return { ids, pages, totals };
    after = page.customers[page.customers.length - 1]?.cursor ?? null;
  }
}

/** The reference order: a plain sort by (value, id), reversed for DESC. */
function reference(customers: readonly ListedCustomer[], order: CustomerOrder): string[] {
  const key = (c: ListedCustomer) => sortValue(order.field, c);
  const sorted = [...customers].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return (order.direction === 'ASC' ? sorted : sorted.reverse()).map((c) => c.id);
}

describe('cursors', () => {
  const customer = population[5] as ListedCustomer;

  it('round-trip the order, the sort value and the id, in base64url', () => {
    for (const field of CUSTOMER_ORDER_FIELDS) {
      for (const direction of ['ASC', 'DESC'] as const) {
        const cursor = encodeCursor({ field, direction }, customer);
        expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
        expect(decodeCursor(cursor)).toEqual({ order: { field, direction }, value: sortValue(field, customer), id: customer.id });
      }
    }
  });

  it('refuse text that is not one of them', () => {
    const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const garbage = [
      '',
      'not a cursor!',
      'Zm9v', // "foo"
      b64({ field: 'ID' }),
      b64(['ID', 'ASC', '17850']),
      b64(['NAME', 'ASC', 'x', '17850']),
      b64(['ID', 'UP', '17850', '17850']),
      b64(['ID', 'ASC', '17849', '17850']), // an ID cursor whose value is not its id
      b64(['MONETARY', 'DESC', '100', '17850']), // a number as text
      b64(['FREQUENCY', 'DESC', 1.5, '17850']),
      b64(['LAST_PURCHASE_AT', 'DESC', 3, '17850']),
      b64(['ID', 'ASC', '', '']),
      `${encodeCursor(DEFAULT_CUSTOMER_ORDER, customer)}=`,
    ];
    for (const text of garbage) expect(decodeCursor(text)).toBeNull();
  });
});

describe('parseCustomerQuery', () => {
  const refusal = (args: CustomerQueryArgs) => {
    const parsed = parseCustomerQuery(args);
    return parsed.ok ? null : parsed.error.field;
  };

  it('defaults to 20 customers by id, ascending, without conditions', () => {
    expect(parseCustomerQuery({})).toEqual({
      ok: true,
      value: {
        first: 20,
        after: null,
        order: { field: 'ID', direction: 'ASC' },
        filter: { segment: null, rfmSegment: null, country: null, minMonetary: null, maxMonetary: null, minFrequency: null, maxRecencyDays: null, search: null },
      },
    });
    expect(query({ orderBy: { field: 'MONETARY' } }).order).toEqual({ field: 'MONETARY', direction: 'DESC' });
    expect(query({ first: null }).first).toBe(20);
    expect(query({ filter: { search: '' } }).filter.search).toBeNull();
  });

  it('takes first from 1 to 250 and names it otherwise', () => {
    expect(query({ first: 1 }).first).toBe(1);
    expect(query({ first: 250 }).first).toBe(250);
    for (const first of [0, -1, 251, 1_000]) expect(refusal({ first })).toEqual(['first']);
  });

  it('names a malformed cursor, and a cursor of another order', () => {
    expect(refusal({ after: 'garbage' })).toEqual(['after']);
    const monetaryCursor = encodeCursor({ field: 'MONETARY', direction: 'DESC' }, population[0] as ListedCustomer);
    expect(refusal({ after: monetaryCursor, orderBy: { field: 'MONETARY', direction: 'DESC' } })).toBeNull();
    expect(refusal({ after: monetaryCursor, orderBy: { field: 'MONETARY', direction: 'ASC' } })).toEqual(['after']);
    expect(refusal({ after: monetaryCursor })).toEqual(['after']);
  });

  it('names a bad filter condition by its path', () => {
    expect(refusal({ filter: { rfmSegment: 'Champions' } })).toBeNull();
    expect(refusal({ filter: { rfmSegment: 'champions' } })).toEqual(['filter', 'rfmSegment']);
    expect(refusal({ filter: { minMonetary: -0.01 } })).toEqual(['filter', 'minMonetary']);
    expect(refusal({ filter: { maxMonetary: -5 } })).toEqual(['filter', 'maxMonetary']);
    expect(refusal({ filter: { minFrequency: -1 } })).toEqual(['filter', 'minFrequency']);
    expect(refusal({ filter: { maxRecencyDays: -1 } })).toEqual(['filter', 'maxRecencyDays']);
    expect(refusal({ filter: { minMonetary: 10, maxMonetary: 9.99 } })).toEqual(['filter', 'maxMonetary']);
    expect(refusal({ filter: { minMonetary: 0, maxMonetary: 0, minFrequency: 0, maxRecencyDays: 0 } })).toBeNull();
  });
});

describe('queryCustomers', () => {
  it('walks every order in both directions: each customer exactly once, in order, ties by id', () => {
    for (const field of CUSTOMER_ORDER_FIELDS) {
      for (const direction of ['ASC', 'DESC'] as const) {
        const { ids, pages, totals } = walk({ first: 7, orderBy: { field, direction } });
        expect(ids).toEqual(reference(population, { field, direction }));
        expect(pages).toBe(Math.ceil(population.length / 7));
        expect(new Set(totals)).toEqual(new Set([population.length]));
      }
    }
  });

  it('applies every condition of the filter, on all pages and in totalCount', () => {
    const filters: [NonNullable<CustomerQueryArgs['filter']>, (c: ListedCustomer) => boolean][] = [
      [{ country: 'Germany' }, (c) => c.country === 'Germany'],
      [{ rfmSegment: 'At Risk' }, (c) => c.rfmSegment === 'At Risk'],
      [{ minMonetary: 200, maxMonetary: 400 }, (c) => c.monetary >= 200 && c.monetary <= 400],
      [{ minFrequency: 3 }, (c) => c.frequency >= 3],
      [{ maxRecencyDays: 4 }, (c) => c.recencyDays <= 4],
      [{ search: '1205' }, (c) => c.id.startsWith('1205')],
      [{ country: 'France', minFrequency: 2, maxRecencyDays: 10 }, (c) => c.country === 'France' && c.frequency >= 2 && c.recencyDays <= 10],
      [{ country: 'Atlantis' }, () => false],
    ];
    for (const [filter, predicate] of filters) {
      const order: CustomerOrder = { field: 'MONETARY', direction: 'DESC' };
      const { ids, totals } = walk({ first: 4, filter, orderBy: order });
      expect(ids).toEqual(reference(population.filter(predicate), order));
      expect(new Set(totals)).toEqual(new Set([population.filter(predicate).length]));
    }
  });

  it('compares money bounds with the amount in cents, bounds included', () => {
    const customer = { ...(population[0] as ListedCustomer), id: 'X', monetaryMilli: 250_505, monetary: 250.51 };
    const one = indexCustomers([customer]);
    const count = (filter: CustomerQueryArgs['filter']) => queryCustomers(one, query({ filter }), null).totalCount;
    expect(count({ minMonetary: 250.51, maxMonetary: 250.51 })).toBe(1);
    expect(count({ minMonetary: 250.52 })).toBe(0);
    expect(count({ maxMonetary: 250.5 })).toBe(0);
  });

  it('restricts to a segment\'s members, and finds nobody for an empty segment', () => {
    const members = new Set(population.filter((_, n) => n % 4 === 0).map((c) => c.id));
    const { ids } = walk({ first: 10 }, members);
    expect(ids).toEqual(reference(population, DEFAULT_CUSTOMER_ORDER).filter((id) => members.has(id)));
    expect(queryCustomers(index, query({}), new Set())).toEqual({ customers: [], hasNextPage: false, hasPreviousPage: false, totalCount: 0 });
  });

  it('gives each page the cursors of its own customers and a total independent of the cursor', () => {
    const first = queryCustomers(index, query({ first: 3 }), null);
    expect(first.customers.map((c) => decodeCursor(c.cursor)?.id)).toEqual(first.customers.map((c) => c.customer.id));
    expect(first).toMatchObject({ hasNextPage: true, hasPreviousPage: false, totalCount: population.length });
    const last = queryCustomers(index, query({ first: 250, after: first.customers[2]?.cursor }), null);
    expect(last).toMatchObject({ hasNextPage: false, hasPreviousPage: true, totalCount: population.length });
    expect(last.customers).toHaveLength(population.length - 3);
  });

  it('continues after a cursor whose customer has gone (keyset, not offset)', () => {
    const order: CustomerOrder = { field: 'FREQUENCY', direction: 'DESC' };
    const page = queryCustomers(index, query({ first: 10, orderBy: order }), null);
    const cursor = page.customers[9]?.cursor as string;
    const gone = page.customers[9]?.customer.id;
    const smaller = indexCustomers(population.filter((c) => c.id !== gone));
    const next = queryCustomers(smaller, query({ first: 10, orderBy: order, after: cursor }), null);
    expect(next.customers.map((c) => c.customer.id)).toEqual(reference(population, order).slice(10, 20));
  });
});

describe('indexSnapshot', () => {
  it('lists the scored customers of an RFM snapshot with the snapshot\'s values and segments', () => {
    const metrics = (customerId: string, lastPurchaseAt: string, frequency: number, monetaryMilli: number): CustomerMetrics => ({
      customerId,
      country: 'United Kingdom',
      firstPurchaseAt: '2010-12-01T09:00:00Z',
      lastPurchaseAt,
      frequency,
      monetaryMilli,
      cancelledMilli: 0,
    });
    const snapshot = buildSnapshot([
      metrics('A', '2011-02-28T12:00:00Z', 10, 5_000_000),
      metrics('B', '2011-02-26T12:00:00Z', 5, 250_505),
      metrics('C', '2010-12-01T12:00:00Z', 1, 3_000_000),
    ]);
    const listedIndex = indexSnapshot(snapshot);
    expect(listedIndex.size).toBe(3);
    const byId = new Map(listedIndex.ascending('ID').map((c) => [c.id, c]));
    for (const [id, scored] of snapshot.customers) {
      expect(byId.get(id)).toEqual({
        id,
        country: 'United Kingdom',
        recencyDays: scored.values.recencyDays,
        frequency: scored.metrics.frequency,
        monetaryMilli: scored.metrics.monetaryMilli,
        monetary: scored.values.monetary,
        lastPurchaseAt: scored.metrics.lastPurchaseAt,
        rfmSegment: scored.score.segment,
      });
    }
    expect(byId.get('B')?.monetary).toBe(250.51);
    expect(listedIndex.ascending('RECENCY_DAYS').map((c) => c.id)).toEqual(['A', 'B', 'C']);
  });
});

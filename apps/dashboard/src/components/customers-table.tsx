import type { CustomerOrder, CustomerRow, OrderField } from '../api/operations';
import { formatDate, formatInteger, formatMoney } from '../lib/format';
import { rfmSegmentColour } from '../lib/palette';
import { hrefFor } from '../lib/route';

const COLUMNS: readonly { readonly label: string; readonly field?: OrderField; readonly numeric?: boolean }[] = [
  { label: 'Customer', field: 'ID' },
  { label: 'Country' },
  { label: 'Recency (days)', field: 'RECENCY_DAYS', numeric: true },
  { label: 'Orders', field: 'FREQUENCY', numeric: true },
  { label: 'Spend', field: 'MONETARY', numeric: true },
  { label: 'R F M' },
  { label: 'RFM segment' },
  { label: 'Last purchase', field: 'LAST_PURCHASE_AT' },
];

/** Customers with sortable column headers: a click sorts by that column, a second click reverses it. */
export function CustomersTable(props: { rows: readonly CustomerRow[]; order: CustomerOrder; onOrder: (order: CustomerOrder) => void; busy?: boolean }) {
  const { order } = props;
  const sortBy = (field: OrderField) => props.onOrder({ field, direction: order.field === field && order.direction === 'DESC' ? 'ASC' : 'DESC' });
  return (
    <div className="table-wrap" aria-busy={props.busy ? 'true' : 'false'}>
      <table className="table" data-testid="customers-table">
        <thead>
          <tr>
            {COLUMNS.map((c) => {
              const active = c.field !== undefined && order.field === c.field;
              return (
                <th key={c.label} className={c.numeric ? 'num' : undefined} aria-sort={active ? (order.direction === 'ASC' ? 'ascending' : 'descending') : undefined}>
                  {c.field ? (
                    <button type="button" className={`sort ${active ? 'active' : ''}`} onClick={() => sortBy(c.field as OrderField)}>
                      {c.label}
                      <span aria-hidden="true">{active ? (order.direction === 'ASC' ? ' ▲' : ' ▼') : ' ↕'}</span>
                    </button>
                  ) : (
                    c.label
                  )}
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody>
          {props.rows.map((row) => (
            <tr key={row.id}>
              <td>
                <a href={hrefFor({ page: 'customer', id: row.id })}>{row.id}</a>
              </td>
              <td>{row.country ?? '–'}</td>
              <td className="num">{formatInteger(row.rfm?.recencyDays)}</td>
              <td className="num">{formatInteger(row.rfm?.frequency)}</td>
              <td className="num">{formatMoney(row.rfm?.monetary)}</td>
              <td className="mono">{row.rfm ? `${row.rfm.r} ${row.rfm.f} ${row.rfm.m}` : '–'}</td>
              <td>
                {row.rfm ? (
                  <>
                    <span className="dot" style={{ background: rfmSegmentColour(row.rfm.segment) }} />
                    {row.rfm.segment}
                  </>
                ) : (
                  '–'
                )}
              </td>
              <td>{formatDate(row.rfm?.lastPurchaseAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

import { useQuery } from '@apollo/client/react';
import { useState, type FormEvent } from 'react';
import { CUSTOMER_QUERY, CUSTOMER_SEARCH_QUERY, type CustomerDetail } from '../api/operations';
import { couponTerms } from '../components/coupon-summary';
import { Badge, ErrorNotice, Loading, Panel, Stat } from '../components/ui';
import { describeApiError } from '../lib/api-errors';
import { formatDate, formatDateTime, formatDays, formatDecimal, formatInteger, formatMoney, formatPercent } from '../lib/format';
import { rfmSegmentColour } from '../lib/palette';
import { hrefFor } from '../lib/route';
import { useDebounced } from '../use-debounced';

export function CustomerPage(props: { id: string | undefined }) {
  const [input, setInput] = useState(props.id ?? '');
  const typed = useDebounced(input.trim(), 250);
  const suggestions = useQuery(CUSTOMER_SEARCH_QUERY, { variables: { search: typed }, skip: typed.length === 0 || typed === props.id });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const id = input.trim();
    if (id) window.location.hash = hrefFor({ page: 'customer', id });
  };

  return (
    <div className="page">
      <div className="page-title">
        <h1>Customer lookup</h1>
        <p>A customer's RFM values and scores, segment and coupon recommendations, from every service at once.</p>
      </div>
      <form className="search-form" onSubmit={submit} role="search">
        <label htmlFor="customer-id" className="visually-hidden">
          Customer id
        </label>
        <input id="customer-id" type="search" placeholder="Customer id, e.g. 17850" value={input} onChange={(e) => setInput(e.target.value)} autoComplete="off" />
        <button type="submit" disabled={input.trim().length === 0}>
          Look up
        </button>
      </form>
      {typed && typed !== props.id && suggestions.data && suggestions.data.customers.nodes.length > 0 ? (
        <div className="suggestions" data-testid="customer-suggestions">
          <span className="muted">
            {formatInteger(suggestions.data.customers.totalCount)} ids start with “{typed}”:
          </span>
          {suggestions.data.customers.nodes.map((c) => (
            <a key={c.id} href={hrefFor({ page: 'customer', id: c.id })} className="chip">
              {c.id}
              {c.country ? <span className="muted"> · {c.country}</span> : null}
            </a>
          ))}
        </div>
      ) : null}
      {suggestions.error && describeApiError(suggestions.error).kind !== 'unavailable' ? <ErrorNotice error={suggestions.error} what="Suggestions" /> : null}
      {props.id ? <CustomerDetails id={props.id} /> : null}
    </div>
  );
}

function CustomerDetails(props: { id: string }) {
  const { data, error, refetch } = useQuery(CUSTOMER_QUERY, { variables: { id: props.id } });
  if (error && !data) return <ErrorNotice error={error} what="Customer" onRetry={() => void refetch()} />;
  if (!data) return <Loading label={`Looking up ${props.id}…`} />;
  const c = data.customer;
  if (!c) {
    return (
      <Panel title="Not found">
        <p data-testid="customer-not-found">
          No customer has the id <code>{props.id}</code>.
        </p>
      </Panel>
    );
  }
  return <CustomerView customer={c} />;
}

function CustomerView(props: { customer: CustomerDetail }) {
  const c = props.customer;
  const rfm = c.rfm;
  return (
    <div className="detail-grid" data-testid="customer-detail">
      <Panel title={`Customer ${c.id}`} subtitle={c.country ?? 'country unknown'} className="span-2">
        {rfm ? (
          <div className="stats">
            <Stat label="Recency" value={formatDays(rfm.recencyDays)} hint={`last purchase ${formatDate(rfm.lastPurchaseAt)}`} />
            <Stat label="Orders" value={formatInteger(rfm.frequency)} hint={`first purchase ${formatDate(rfm.firstPurchaseAt)}`} />
            <Stat label="Spend" value={formatMoney(rfm.monetary)} hint={`returns ${formatPercent(rfm.returnRate)} of spend`} />
            <Stat label="RFM scores" value={<span className="mono">{`${rfm.r} ${rfm.f} ${rfm.m}`}</span>} hint={`as of ${formatDate(rfm.asOf)}`} />
            <Stat
              label="RFM segment"
              value={
                <span className="with-dot">
                  <span className="dot" style={{ background: rfmSegmentColour(rfm.segment) }} />
                  <span>{rfm.segment}</span>
                </span>
              }
              hint={`code ${rfm.code}`}
            />
          </div>
        ) : (
          <p className="muted">No purchases yet: RFM values appear with the first purchase.</p>
        )}
        <p className="muted small">
          Seen {formatDateTime(c.firstSeenAt)} to {formatDateTime(c.lastSeenAt)}.
        </p>
      </Panel>
      <Panel title="Segment">
        {c.segment ? (
          <>
            <h3>
              <a href={hrefFor({ page: 'segment', id: c.segment.id })} data-testid="customer-segment">
                {c.segment.name}
              </a>
            </h3>
            <p>{c.segment.description}</p>
            {c.cluster ? (
              <p className="muted small">
                Model v{c.cluster.modelVersion}, cluster {c.cluster.cluster}, {formatDecimal(c.cluster.distance, 2)} from its centroid (scaled units).
              </p>
            ) : null}
          </>
        ) : (
          <p className="muted">Not in a segment yet (no model, or the customer arrived after the last assignment).</p>
        )}
      </Panel>
      <Panel title="Coupon recommendations">
        {c.couponRecommendations.length === 0 ? (
          <p className="muted">No recommendation.</p>
        ) : (
          <ul className="recommendations" data-testid="recommendations">
            {c.couponRecommendations.map((r, i) => (
              <li key={`${r.campaign?.id ?? 'default'}-${i}`}>
                <div className="recommendation-head">
                  <strong>{r.coupon.offer}</strong> {r.holdout ? <Badge tone="warn" title="In the control group: gets no coupon, to measure the campaign's uplift">holdout</Badge> : <Badge tone="good">send</Badge>}
                </div>
                <div className="muted small">
                  {couponTerms(r.coupon)} · {r.campaign ? `campaign “${r.campaign.name}”${r.campaign.endsAt ? ` until ${formatDate(r.campaign.endsAt)}` : ''}` : 'default recommendation'} · for {r.segmentName}
                </div>
              </li>
            ))}
          </ul>
        )}
      </Panel>
    </div>
  );
}

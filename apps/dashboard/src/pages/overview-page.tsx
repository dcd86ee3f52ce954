import { useQuery } from '@apollo/client/react';
import { OVERVIEW_QUERY, type SegmentSummary } from '../api/operations';
import { currentModel } from '../lib/models';
import { Badge, ErrorNotice, Loading, Panel, ShareBar, Stat } from '../components/ui';
import { useDistribution } from '../distribution';
import { formatDateTime, formatDays, formatDecimal, formatInteger, formatMoney, formatPercent } from '../lib/format';
import { sumMoney } from '../lib/money';
import { segmentColour, rfmSegmentColour } from '../lib/palette';
import { hrefFor } from '../lib/route';
import { CouponSummary } from '../components/coupon-summary';

export function OverviewPage() {
  const { data, loading, error, refetch } = useQuery(OVERVIEW_QUERY);
  const distribution = useDistribution();

  if (error && !data) return <ErrorNotice error={error} what="Segments" onRetry={() => void refetch()} />;
  if (!data) return <Loading label={loading ? 'Loading segments…' : 'No data'} />;

  const segments = data.segments;
  const model = currentModel(data.segmentationModels, segments[0]?.modelVersion);
  const segmented = segments.reduce((sum, s) => sum + s.size, 0);
  const state = distribution.state;
  const revenue = state.status === 'done' && !state.capped ? sumMoney(state.customers.map((c) => c.monetary)) : undefined;

  return (
    <div className="page">
      <div className="page-title">
        <h1>Overview</h1>
        <p>Segments of the current model, with what each is worth and the coupon it gets.</p>
      </div>
      <div className="stats" data-testid="overview-stats">
        <Stat label="Customers" value={formatInteger(data.rfmSummary.customers)} hint={`${formatInteger(segmented)} in segments`} testId="stat-customers" />
        <Stat
          label="Revenue"
          value={revenue !== undefined ? formatMoney(revenue) : state.status === 'error' ? 'n/a' : state.status === 'done' ? 'too many customers' : '…'}
          hint={state.status === 'loading' ? `adding up ${formatInteger(state.loaded)} of ${formatInteger(state.total)} customers` : state.status === 'error' ? 'needs the customers list' : 'sum of every customer\'s purchases'}
          testId="stat-revenue"
        />
        <Stat label="Segments" value={formatInteger(segments.length)} hint={model ? `k = ${model.k}` : undefined} />
        <Stat label="Model" value={model ? `v${model.version}` : 'none yet'} hint={model ? `trained ${formatDateTime(model.trainedAt)}` : 'no model trained yet'} testId="stat-model" />
        <Stat label="Analysis date" value={data.rfmSummary.asOf ? formatDateTime(data.rfmSummary.asOf).slice(0, 10) : '–'} hint={model?.silhouette != null ? `silhouette ${formatDecimal(model.silhouette, 2)}` : undefined} />
      </div>
      {error ? <ErrorNotice error={error} what="Refreshing" onRetry={() => void refetch()} /> : null}
      {segments.length === 0 ? (
        <Panel title="No segments yet">
          <p>Segments appear once customers are imported and a model is trained. {<a href={hrefFor({ page: 'imports' })}>Go to imports</a>}.</p>
        </Panel>
      ) : (
        <div className="segment-grid" data-testid="segment-cards">
          {segments.map((segment) => (
            <SegmentCard key={segment.id} segment={segment} revenue={revenue} />
          ))}
        </div>
      )}
    </div>
  );
}

function SegmentCard(props: { segment: SegmentSummary; revenue: number | undefined }) {
  const s = props.segment;
  return (
    <article className="segment-card" style={{ borderTopColor: segmentColour(s.cluster) }} data-testid="segment-card">
      <header>
        <h2>
          <a href={hrefFor({ page: 'segment', id: s.id })} data-testid="segment-name">
            {s.name}
          </a>
        </h2>
        <Badge title="The named RFM segment its centroid scores into">
          <span className="dot" style={{ background: rfmSegmentColour(s.rfmSegment) }} />
          {s.rfmSegment}
        </Badge>
      </header>
      <p className="segment-description">{s.description}</p>
      <dl className="figures">
        <div>
          <dt>Customers</dt>
          <dd>
            {formatInteger(s.size)} <span className="muted">({formatPercent(s.customerShare)})</span>
          </dd>
        </div>
        <div>
          <dt>Share of revenue</dt>
          <dd>
            {formatPercent(s.revenueShare)}
            {props.revenue !== undefined ? <span className="muted"> · {formatMoney(props.revenue * s.revenueShare)}</span> : null}
          </dd>
        </div>
      </dl>
      <ShareBar share={s.revenueShare} colour={segmentColour(s.cluster)} label={`${formatPercent(s.revenueShare)} of revenue`} />
      <dl className="figures figures-3" title="Typical customer of the segment">
        <div>
          <dt>Recency</dt>
          <dd>{formatDays(s.typicalRecencyDays)}</dd>
        </div>
        <div>
          <dt>Orders</dt>
          <dd>{formatDecimal(s.typicalFrequency)}</dd>
        </div>
        <div>
          <dt>Spend</dt>
          <dd>{formatMoney(s.typicalMonetary)}</dd>
        </div>
      </dl>
      <CouponSummary coupon={s.coupon} />
      <footer>
        <a href={hrefFor({ page: 'segment', id: s.id })}>Customers, coupon and export →</a>
      </footer>
    </article>
  );
}


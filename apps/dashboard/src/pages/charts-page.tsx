import { useQuery } from '@apollo/client/react';
import { useMemo } from 'react';
import { CHARTS_QUERY } from '../api/operations';
import { HistogramChart } from '../charts/histogram-chart';
import { KSweepChart } from '../charts/k-sweep-chart';
import { ProjectionChart } from '../charts/projection-chart';
import { RfmGridChart } from '../charts/rfm-grid-chart';
import { SegmentSizesChart } from '../charts/segment-sizes-chart';
import { ErrorNotice, Loading, Panel, Unavailable } from '../components/ui';
import { useDistribution, type DistributionState } from '../distribution';
import { formatDecimal, formatInteger, formatPercent } from '../lib/format';
import { countHistogram, linearHistogram, logHistogram } from '../lib/histogram';
import { currentModel } from '../lib/models';
import { RFM_SEGMENTS, rfmSegmentColour } from '../lib/palette';
import { rfmGrid } from '../lib/rfm-grid';

export function ChartsPage() {
  const { data, error, refetch } = useQuery(CHARTS_QUERY);
  const distribution = useDistribution();

  if (error && !data) return <ErrorNotice error={error} what="Charts" onRetry={() => void refetch()} />;
  if (!data) return <Loading label="Loading the model and its metrics…" />;

  const model = currentModel(data.segmentationModels, data.segments[0]?.modelVersion);
  const cutPoints = data.rfmSummary.cutPoints;

  return (
    <div className="page">
      <div className="page-title">
        <h1>Charts</h1>
        <p>
          {model ? `Model v${model.version}: k = ${model.k}, ${formatInteger(model.customers)} customers` : 'No model trained yet'}
          {model?.silhouette != null ? `, silhouette ${formatDecimal(model.silhouette, 2)}` : ''}.
        </p>
      </div>
      <div className="chart-grid">
        <Panel title="Segment sizes" subtitle="Share of customers (light) and of revenue (solid)" className="span-2">
          {data.segments.length > 0 ? <SegmentSizesChart segments={data.segments} /> : <Unavailable title="No segments yet">Segments appear once a model is trained.</Unavailable>}
        </Panel>

        <Distributions state={distribution.state} onReload={() => distribution.load(true)} cutPoints={cutPoints} />
        <RfmPanel state={distribution.state} summary={data.rfmSummary.segments} customers={data.rfmSummary.customers} />

        <Panel title="Segments on two principal components" subtitle={model?.projection ? `${formatInteger(model.projection.points.length)} customers (a sample), centroids as crosses` : undefined} className="span-2">
          {model?.projection ? (
            <ProjectionChart projection={model.projection} segments={data.segments} />
          ) : (
            <Unavailable title="No projection">This model was trained before projections were stored; the next training run adds one.</Unavailable>
          )}
        </Panel>

        <Panel title="Elbow: inertia by k" subtitle="Within-segment spread; the bend suggests k">
          {model && model.kSweep.length > 0 ? <KSweepChart sweep={model.kSweep} metric="inertia" chosenK={model.k} proposedK={model.proposedK} colour="#0072B2" testId="chart-elbow" /> : <Unavailable title="No k sweep">This model has no k sweep stored.</Unavailable>}
        </Panel>
        <Panel title="Silhouette by k" subtitle="How well separated the segments are (higher is better)">
          {model && model.kSweep.length > 0 ? <KSweepChart sweep={model.kSweep} metric="silhouette" chosenK={model.k} proposedK={model.proposedK} colour="#009E73" testId="chart-silhouette" /> : <Unavailable title="No k sweep">This model has no k sweep stored.</Unavailable>}
          {model && model.proposalReasons.length > 0 ? (
            <ul className="reasons compact">
              {model.proposalReasons.map((r) => (
                <li key={r}>{r}</li>
              ))}
            </ul>
          ) : null}
        </Panel>

        <Panel title="Monthly revenue and cancellations" className="placeholder-panel">
          <Unavailable title="Not in the API">
            The GraphQL API serves per-customer totals (RFM), not transactions by month, so revenue and cancellations over time cannot be drawn here. It needs a monthly aggregate
            from the rfm service (for example <code>revenueByMonth</code> with purchases and cancellations).
          </Unavailable>
        </Panel>
        <Panel title="Cohort retention" className="placeholder-panel">
          <Unavailable title="Not in the API">
            A retention heatmap needs each customer's purchase months (first-purchase cohort × months since), which the API does not expose. It needs a cohort aggregate from the rfm
            service.
          </Unavailable>
        </Panel>
      </div>
    </div>
  );
}

function DistributionStatus(props: { state: DistributionState; onReload: () => void }) {
  const { state } = props;
  if (state.status === 'loading' || state.status === 'idle') return <Loading label={state.status === 'loading' && state.total ? `Reading customers: ${formatInteger(state.loaded)} of ${formatInteger(state.total)}…` : 'Reading customers…'} />;
  if (state.status === 'error') return <ErrorNotice error={state.error} what="Customers" onRetry={props.onReload} />;
  return null;
}

function Distributions(props: { state: DistributionState; onReload: () => void; cutPoints: { recency: readonly number[]; frequency: readonly number[]; monetary: readonly number[] } | null }) {
  const { state } = props;
  const histograms = useMemo(() => {
    if (state.status !== 'done') return undefined;
    return {
      recency: linearHistogram(state.customers.map((c) => c.recencyDays), 20, true),
      frequency: countHistogram(state.customers.map((c) => c.frequency)),
      monetary: logHistogram(state.customers.map((c) => c.monetary)),
    };
  }, [state]);
  const note = state.status === 'done' ? `${formatInteger(state.customers.length)} customers${state.capped ? ` (the first of ${formatInteger(state.total)})` : ''}` : undefined;
  const cuts = (values: readonly number[] | undefined, digits = 0) => (values && values.length > 0 ? `cut-points ${values.map((v) => formatDecimal(v, digits)).join(' · ')}` : undefined);
  return (
    <>
      <Panel title="Recency" subtitle={[note, cuts(props.cutPoints?.recency)].filter(Boolean).join('; ')}>
        {histograms ? <HistogramChart histogram={histograms.recency} label="Customers by days since their last purchase" unit="days since last purchase" colour="#56B4E9" testId="chart-recency" /> : <DistributionStatus {...props} />}
      </Panel>
      <Panel title="Frequency" subtitle={[note, cuts(props.cutPoints?.frequency)].filter(Boolean).join('; ')}>
        {histograms ? <HistogramChart histogram={histograms.frequency} label="Customers by number of orders" unit="orders" colour="#E69F00" testId="chart-frequency" /> : <DistributionStatus {...props} />}
      </Panel>
      <Panel title="Monetary (log scale)" subtitle={[note, cuts(props.cutPoints?.monetary, 2)].filter(Boolean).join('; ')}>
        {histograms ? (
          <>
            <HistogramChart histogram={histograms.monetary} label="Customers by total spend, on a log scale" unit="total spend (log scale)" colour="#009E73" testId="chart-monetary" />
            {histograms.monetary.excluded > 0 ? <p className="muted small">{formatInteger(histograms.monetary.excluded)} customers with no positive spend are not shown.</p> : null}
          </>
        ) : (
          <DistributionStatus {...props} />
        )}
      </Panel>
    </>
  );
}

function RfmPanel(props: { state: DistributionState; summary: readonly { segment: string; customers: number }[]; customers: number }) {
  const { state } = props;
  const cells = useMemo(() => (state.status === 'done' ? rfmGrid(state.customers.map((c) => ({ r: c.r, f: c.f, segment: c.segment }))) : undefined), [state]);
  const order = (name: string) => {
    const i = RFM_SEGMENTS.findIndex((s) => s.name === name);
    return i < 0 ? RFM_SEGMENTS.length : i;
  };
  const named = [...props.summary].sort((a, b) => order(a.segment) - order(b.segment));
  return (
    <Panel title="Named RFM segments" subtitle="Customers by R and F score, coloured by their main named segment">
      <div className="rfm-layout">
        {cells ? <RfmGridChart cells={cells} /> : <DistributionStatus state={state} onReload={() => undefined} />}
        <ul className="rfm-legend" data-testid="rfm-segments">
          {named.map((s) => (
            <li key={s.segment}>
              <span className="dot" style={{ background: rfmSegmentColour(s.segment) }} />
              <span className="rfm-legend-name">{s.segment}</span>
              <span className="rfm-legend-count">{formatInteger(s.customers)}</span>
              <span className="muted">{formatPercent(props.customers > 0 ? s.customers / props.customers : 0)}</span>
            </li>
          ))}
        </ul>
      </div>
    </Panel>
  );
}

import { CartesianGrid, Legend, Scatter, ScatterChart, Tooltip, XAxis, YAxis, ZAxis } from 'recharts';
import type { ModelDetail, SegmentSummary } from '../api/operations';
import { formatDecimal, formatPercent } from '../lib/format';
import { projectionSeries } from '../lib/models';
import { segmentColour } from '../lib/palette';
import { AXIS_STYLE, ChartFrame, GRID_STROKE, TOOLTIP_STYLE } from './chart-frame';

type Projection = NonNullable<ModelDetail['projection']>;

/** Customers on the first two principal components, coloured by segment, with the centroids as crosses. */
export function ProjectionChart(props: { projection: Projection; segments: readonly SegmentSummary[] }) {
  const { projection, segments } = props;
  const series = projectionSeries(projection.points, segments);
  const centroids = projection.centroids.map((c) => ({ ...c, name: segments.find((s) => s.cluster === c.cluster)?.name ?? `cluster ${c.cluster}` }));
  const [pc1, pc2] = projection.explainedVarianceRatio;
  return (
    <ChartFrame height={380} label="Customers on the first two principal components, coloured by segment" testId="chart-projection">
      <ScatterChart margin={{ top: 8, right: 16, bottom: 24, left: 0 }}>
        <CartesianGrid stroke={GRID_STROKE} />
        <XAxis type="number" dataKey="x" name="PC1" tick={AXIS_STYLE} tickFormatter={(v: number) => formatDecimal(v)} label={{ value: `PC1 (${formatPercent(pc1 ?? Number.NaN, 0)} of variance)`, position: 'insideBottom', offset: -14, style: AXIS_STYLE }} />
        <YAxis type="number" dataKey="y" name="PC2" tick={AXIS_STYLE} width={40} tickFormatter={(v: number) => formatDecimal(v)} label={{ value: `PC2 (${formatPercent(pc2 ?? Number.NaN, 0)})`, angle: -90, position: 'insideLeft', offset: 12, style: AXIS_STYLE }} />
        <ZAxis range={[14, 14]} />
        <Tooltip contentStyle={TOOLTIP_STYLE} cursor={{ strokeDasharray: '3 3' }} formatter={(value) => formatDecimal(Number(value), 2)} />
        <Legend verticalAlign="top" height={40} />
        {series.map((s) => (
          <Scatter key={s.cluster} name={s.name} data={[...s.points]} fill={segmentColour(s.cluster)} fillOpacity={0.55} isAnimationActive={false} />
        ))}
        <Scatter name="centroids" data={centroids} fill="#111827" shape="cross" legendType="cross" isAnimationActive={false} />
      </ScatterChart>
    </ChartFrame>
  );
}

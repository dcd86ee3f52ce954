import { Bar, BarChart, CartesianGrid, Cell, Legend, Tooltip, XAxis, YAxis } from 'recharts';
import type { SegmentSummary } from '../api/operations';
import { formatInteger, formatPercent } from '../lib/format';
import { segmentColour } from '../lib/palette';
import { AXIS_STYLE, ChartFrame, GRID_STROKE, TOOLTIP_STYLE } from './chart-frame';

/** Share of customers and share of revenue per segment, side by side. */
export function SegmentSizesChart(props: { segments: readonly SegmentSummary[] }) {
  const data = props.segments.map((s) => ({ name: s.name, cluster: s.cluster, customers: s.customerShare, revenue: s.revenueShare, size: s.size }));
  return (
    <ChartFrame height={Math.max(220, 70 + data.length * 56)} label="Segment sizes: share of customers and of revenue" testId="chart-segment-sizes">
      <BarChart data={data} layout="vertical" margin={{ top: 8, right: 24, bottom: 8, left: 8 }} barCategoryGap="22%">
        <CartesianGrid stroke={GRID_STROKE} horizontal={false} />
        <XAxis type="number" domain={[0, 'auto']} tickFormatter={(v: number) => formatPercent(v, 0)} tick={AXIS_STYLE} />
        <YAxis type="category" dataKey="name" width={118} tick={AXIS_STYLE} interval={0} />
        <Tooltip
          contentStyle={TOOLTIP_STYLE}
          formatter={(value, name, item) => [name === 'customers' ? `${formatPercent(Number(value))} (${formatInteger((item.payload as { size: number }).size)})` : formatPercent(Number(value)), name === 'customers' ? 'customers' : 'revenue']}
        />
        <Legend formatter={(v: string) => <span className="legend-text">{v === 'customers' ? 'share of customers' : 'share of revenue'}</span>} />
        <Bar dataKey="customers" fill="#b4bccb" isAnimationActive={false}>
          {data.map((d) => (
            <Cell key={d.name} fill={segmentColour(d.cluster)} fillOpacity={0.45} />
          ))}
        </Bar>
        <Bar dataKey="revenue" fill="#4a5568" isAnimationActive={false}>
          {data.map((d) => (
            <Cell key={d.name} fill={segmentColour(d.cluster)} />
          ))}
        </Bar>
      </BarChart>
    </ChartFrame>
  );
}

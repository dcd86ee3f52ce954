import { Bar, BarChart, CartesianGrid, Tooltip, XAxis, YAxis } from 'recharts';
import type { Histogram } from '../lib/histogram';
import { formatInteger, formatPercent } from '../lib/format';
import { AXIS_STYLE, ChartFrame, GRID_STROKE, TOOLTIP_STYLE } from './chart-frame';

export function HistogramChart(props: { histogram: Histogram; label: string; unit: string; colour: string; testId?: string }) {
  const { histogram } = props;
  const shown = histogram.total - histogram.excluded;
  const data = histogram.bins.map((b) => ({ label: b.label, count: b.count, share: shown > 0 ? b.count / shown : 0 }));
  return (
    <ChartFrame height={240} label={props.label} testId={props.testId}>
      <BarChart data={data} margin={{ top: 8, right: 12, bottom: 28, left: 0 }} barCategoryGap={1}>
        <CartesianGrid stroke={GRID_STROKE} vertical={false} />
        <XAxis dataKey="label" tick={AXIS_STYLE} interval="preserveStartEnd" angle={-30} textAnchor="end" height={44} label={{ value: props.unit, position: 'insideBottom', offset: -22, style: AXIS_STYLE }} />
        <YAxis tick={AXIS_STYLE} width={44} tickFormatter={(v: number) => formatInteger(v)} allowDecimals={false} />
        <Tooltip contentStyle={TOOLTIP_STYLE} formatter={(value, _name, item) => [`${formatInteger(Number(value))} customers (${formatPercent((item.payload as { share: number }).share)})`, props.unit]} />
        <Bar dataKey="count" fill={props.colour} isAnimationActive={false} />
      </BarChart>
    </ChartFrame>
  );
}

import { CartesianGrid, Line, LineChart, ReferenceLine, Tooltip, XAxis, YAxis } from 'recharts';
import type { KSweepPoint } from '../api/operations';
import { formatCompact, formatDecimal } from '../lib/format';
import { AXIS_STYLE, ChartFrame, GRID_STROKE, TOOLTIP_STYLE } from './chart-frame';

/** One metric of the k sweep against k, with the model's k (and the proposed k when it differs) marked. */
export function KSweepChart(props: { sweep: readonly KSweepPoint[]; metric: 'inertia' | 'silhouette'; chosenK: number; proposedK: number | null; colour: string; testId?: string }) {
  const { sweep, metric, chosenK, proposedK } = props;
  const format = metric === 'inertia' ? formatCompact : (v: number) => formatDecimal(v, 2);
  return (
    <ChartFrame height={240} label={metric === 'inertia' ? 'Elbow: inertia by number of segments' : 'Silhouette by number of segments'} testId={props.testId}>
      <LineChart data={[...sweep]} margin={{ top: 20, right: 20, bottom: 20, left: 0 }}>
        <CartesianGrid stroke={GRID_STROKE} />
        <XAxis dataKey="k" type="number" domain={['dataMin', 'dataMax']} allowDecimals={false} tick={AXIS_STYLE} label={{ value: 'k (segments)', position: 'insideBottom', offset: -10, style: AXIS_STYLE }} />
        <YAxis tick={AXIS_STYLE} width={48} tickFormatter={(v: number) => format(v)} domain={metric === 'silhouette' ? ['auto', 'auto'] : [0, 'auto']} />
        <Tooltip contentStyle={TOOLTIP_STYLE} labelFormatter={(k) => `k = ${String(k)}`} formatter={(value) => [format(Number(value)), metric]} />
        <ReferenceLine x={chosenK} stroke="#111827" strokeDasharray="4 3" label={{ value: `model k = ${chosenK}`, position: 'top', style: { ...AXIS_STYLE, fill: '#111827' } }} />
        {proposedK !== null && proposedK !== chosenK ? <ReferenceLine x={proposedK} stroke="#D55E00" strokeDasharray="2 3" label={{ value: `proposed ${proposedK}`, position: 'insideTopRight', style: { ...AXIS_STYLE, fill: '#D55E00' } }} /> : null}
        <Line type="linear" dataKey={metric} stroke={props.colour} strokeWidth={2} dot={{ r: 3 }} isAnimationActive={false} />
      </LineChart>
    </ChartFrame>
  );
}

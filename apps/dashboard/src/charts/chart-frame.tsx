import type { ReactNode } from 'react';
import { ResponsiveContainer } from 'recharts';

/** A chart that takes its panel's width at a fixed height; `label` names it for screen readers. */
export function ChartFrame(props: { height: number; label: string; children: ReactNode; testId?: string }) {
  return (
    <div className="chart" style={{ height: props.height }} role="figure" aria-label={props.label} data-testid={props.testId}>
      <ResponsiveContainer width="100%" height="100%" minWidth={0} debounce={50}>
        {props.children as React.ReactElement}
      </ResponsiveContainer>
    </div>
  );
}

export const AXIS_STYLE = { fontSize: 12, fill: '#4a5568' } as const;
export const GRID_STROKE = '#e3e7ee';
export const TOOLTIP_STYLE = { borderRadius: 8, border: '1px solid #d5dbe5', fontSize: 13 } as const;

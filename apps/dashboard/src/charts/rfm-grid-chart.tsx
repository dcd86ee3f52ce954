import type { RfmCell } from '../lib/rfm-grid';
import { formatInteger, formatPercent } from '../lib/format';
import { rfmSegmentColour } from '../lib/palette';

/**
 * The R x F grid as an SVG: recency score left to right (1 = long ago, 5 = recent), frequency score
 * bottom to top; each cell in the colour of its main named segment, stronger the more customers it holds.
 */
export function RfmGridChart(props: { cells: readonly RfmCell[] }) {
  const size = 64;
  const left = 34;
  const top = 8;
  const max = Math.max(1, ...props.cells.map((c) => c.customers));
  return (
    <div className="rfm-grid" data-testid="chart-rfm-grid">
      <svg viewBox={`0 0 ${left + size * 5 + 4} ${top + size * 5 + 34}`} role="img" aria-label="Customers by recency score and frequency score, coloured by named RFM segment">
        {props.cells.map((cell) => {
          const x = left + (cell.r - 1) * size;
          const y = top + (5 - cell.f) * size;
          const opacity = cell.customers === 0 ? 0.08 : 0.35 + 0.65 * (cell.customers / max);
          return (
            <g key={`${cell.r}-${cell.f}`}>
              <title>{`R ${cell.r}, F ${cell.f}: ${formatInteger(cell.customers)} customers (${formatPercent(cell.share)})${cell.segments.length ? ` — ${cell.segments.map((s) => `${s.name} ${s.customers}`).join(', ')}` : ''}`}</title>
              <rect x={x + 1} y={y + 1} width={size - 2} height={size - 2} rx={6} fill={rfmSegmentColour(cell.dominant)} fillOpacity={opacity} />
              <text x={x + size / 2} y={y + size / 2 + 5} textAnchor="middle" className="rfm-grid-count">
                {cell.customers > 0 ? formatInteger(cell.customers) : ''}
              </text>
            </g>
          );
        })}
        {[1, 2, 3, 4, 5].map((score) => (
          <g key={score}>
            <text x={left + (score - 0.5) * size} y={top + size * 5 + 16} textAnchor="middle" className="rfm-grid-axis">
              {score}
            </text>
            <text x={left - 10} y={top + (5 - score + 0.5) * size + 4} textAnchor="middle" className="rfm-grid-axis">
              {score}
            </text>
          </g>
        ))}
        <text x={left + size * 2.5} y={top + size * 5 + 32} textAnchor="middle" className="rfm-grid-axis">
          R score (5 = bought recently)
        </text>
        <text x={10} y={top + size * 2.5} textAnchor="middle" className="rfm-grid-axis" transform={`rotate(-90 10 ${top + size * 2.5})`}>
          F score
        </text>
      </svg>
    </div>
  );
}

// Colours that stay apart for colour-blind readers (Okabe-Ito first, then Tableau's), one per
// segment of the model, and a fixed colour per named RFM segment so that grids and legends agree.

export const SEGMENT_COLOURS = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442', '#7F7F7F', '#8C564B', '#17BECF'] as const;

/** The colour of the segment at this position (its cluster number or list index). */
export function segmentColour(index: number): string {
  const i = ((Math.trunc(index) % SEGMENT_COLOURS.length) + SEGMENT_COLOURS.length) % SEGMENT_COLOURS.length;
  return SEGMENT_COLOURS[i] as string;
}

/** The 11 named RFM segments, best first, with their colours (greens for the best, reds for slipping value). */
export const RFM_SEGMENTS: readonly { readonly name: string; readonly colour: string }[] = [
  { name: 'Champions', colour: '#1a7f4b' },
  { name: 'Loyal', colour: '#4caf50' },
  { name: 'Potential Loyalist', colour: '#8bc34a' },
  { name: 'New Customers', colour: '#26a69a' },
  { name: 'Promising', colour: '#4fc3f7' },
  { name: 'Need Attention', colour: '#ffb300' },
  { name: 'About To Sleep', colour: '#ffd54f' },
  { name: 'At Risk', colour: '#ef6c00' },
  { name: 'Cannot Lose Them', colour: '#c62828' },
  { name: 'Hibernating', colour: '#90a4ae' },
  { name: 'Lost', colour: '#546e7a' },
];

export function rfmSegmentColour(name: string | undefined): string {
  return RFM_SEGMENTS.find((s) => s.name === name)?.colour ?? '#b0b7c3';
}

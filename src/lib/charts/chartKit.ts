// What every chart shares: sizes, margins, the colour scale and reference-mark colours, number formats.
import { GLOSSARY } from '../article/glossary';
import { glossify, richParts } from '../article/richText';
import { interpolateViridis } from 'd3';

/** One size for every chart (viewBox units; the SVG scales to its box). Text is sized in CSS. */
export const SIZE = { w: 560, h: 260, m: { l: 46, r: 14, t: 12, b: 34 } };

/** Reference marks (noise floor, paper values) and series colours: ≥ 3:1 contrast on white. */
export const INK = {
  text: '#1d232a',
  axis: '#6b6b6b',
  grid: '#e4e4e4',
  reference: '#595959',
  noiseFloor: '#b3261e',
  paper: '#6b6b6b',
  ours: '#1f5fa8',
  contrast: '#b45309',
  /** Runs of the visit ticked for comparison. */
  compared: '#7e22ce',
  sTau: '#b45309',
  gtTau: '#1f5fa8',
};

/**
 * Colour by ground-truth rank: the best children darkest (viridis from dark purple, rank 1, to
 * green-yellow, the worst), so the children a reader looks for are the most visible on white
 * (rank 1 at 13:1 contrast; the paper draws the best lightest instead).
 */
/** How far along viridis the worst child sits: beyond 0.58 its colour falls under 3:1 contrast on white. */
const VIRIDIS_END = 0.58;

/** Colour by ground-truth rank (1 = best, darkest): viridis from deep purple to teal, every one ≥ 3:1 on white. */
export function rankColour(rank: number, n: number): string {
  return interpolateViridis(Math.min(VIRIDIS_END, ((rank - 1) / Math.max(1, n - 1)) * VIRIDIS_END));
}

export const pct = (v: number, d = 1) => (Number.isFinite(v) ? `${(v * 100).toFixed(d)}%` : '—');
export const num = (v: number | null | undefined, d = 3) =>
  typeof v === 'number' && Number.isFinite(v) ? v.toFixed(d) : '—';

/**
 * An axis title's explanation, shown on hover (the caption below marks the same term for a tap): the first glossary
 * term glossify finds in it, by the same table as the cards' statistic names.
 */
export const axisExplained = (label: string): string | undefined => {
  const term = richParts(glossify(label)).find((p) => p.term)?.term;
  return term ? GLOSSARY[term].short : undefined;
};

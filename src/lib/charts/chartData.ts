// Pure functions from run data to what the charts draw (unit-tested; the components only render),
// and the text alternative of each chart (what it shows, with its key numbers).
import { bestFirstRanks, extent, gtTau, kendallTau, mean, sTau, std } from '../../engine/core/metrics';
import type { RunRecord } from '../../engine/schema/record';
import { policyCopies, policyLabel } from '../../engine/space/sharing';
import { spaceOf } from '../../engine/schema/config';
import { lagKendall, periodicity, tauWindow, trainedChildTopShare } from '../../engine/findings/statistics';
import { plural } from '../../engine/core/text';
import { PAPER } from '../../engine/findings/verdicts';
import { denseRows, epochRows, finalRow } from '../../engine/schema/summary';
import { num, pct, rankColour } from './chartKit';

export const childCount = (r: RunRecord) => r.childNames.length;

/** Colour by ground-truth rank (darker = better). Grey without ground truth. */
export function childColours(r: RunRecord): string[] {
  const n = childCount(r);
  if (!r.groundTruth) return new Array(n).fill('#8a8a8a');
  return bestFirstRanks(r.groundTruth.mean).map((k) => rankColour(k, n));
}

export interface Traces {
  steps: number[];
  /** child → accuracy at each point */
  series: number[][];
  /** at each point, the children trained in that step (one per job) */
  trained: number[][];
  dense: boolean;
}

/** Figure 5: every child's accuracy over the dense window (all points if there is none). */
export function traces(r: RunRecord, instance = 0): Traces | undefined {
  const inst = r.instances[instance];
  if (!inst || inst.accuracy.length === 0) return undefined;
  const idx = inst.points.map((p, i) => (p.dense ? i : -1)).filter((i) => i >= 0);
  const use = idx.length >= 2 ? idx : inst.points.map((_, i) => i);
  const steps = use.map((i) => inst.points[i].step);
  return {
    steps,
    series: Array.from({ length: childCount(r) }, (_, c) => use.map((i) => inst.accuracy[i][c])),
    trained: steps.map((s) => inst.trainOrder.map((job) => job[s - 1]).filter((c) => c !== undefined)),
    dense: idx.length >= 2,
  };
}

/** The child whose trace passes closest to (step index, accuracy): what a tap or hover picks. */
export function nearestTrace(t: Traces, i: number, acc: number): number {
  let best = 0;
  let d = Infinity;
  t.series.forEach((s, c) => {
    const e = Math.abs(s[i] - acc);
    if (e < d) {
      d = e;
      best = c;
    }
  });
  return best;
}

export function describeTraces(r: RunRecord, t: Traces): string {
  const last = t.series.map((s) => s[s.length - 1]);
  const bestNow = last.indexOf(Math.max(...last));
  const leaders = new Set(
    t.steps.map((_, i) => t.series.map((s) => s[i]).reduce((b, v, c, a) => (v > a[b] ? c : b), 0)),
  );
  const inst = r.instances[0];
  const top = inst ? trainedChildTopShare(inst) : Number.NaN;
  const [lo, hi] = extent(t.series.flat());
  const span = `steps ${t.steps[0]}–${t.steps[t.steps.length - 1]}`;
  const kind = t.dense ? 'consecutive steps' : 'evaluations';
  return [
    `Accuracy of all ${t.series.length} children over ${t.steps.length} ${kind} (${span}),`,
    `from ${pct(lo)} to ${pct(hi)}.`,
    `${leaders.size} different children lead at some point;`,
    `at the end ${r.childNames[bestNow]} leads with ${pct(last[bestNow])}.`,
    Number.isFinite(top) ? `The child just trained is in the top quarter after ${pct(top, 0)} of the steps.` : '',
  ]
    .filter(Boolean)
    .join(' ');
}

export interface TauCurves {
  epochs: number[];
  /** mean ± std over instance pairs (needs ≥ 2 instances) */
  sTau: { mean: number; std: number }[];
  /** per instance, GT-Tau after each epoch */
  gtTau: number[][];
  /** the ground truth's own seed-to-seed S-Tau: the noise floor */
  noiseFloor?: number;
}

/** Figure 2: S-Tau and GT-Tau after every epoch; finished instances keep their full curves while another trains. */
export function tauCurves(r: RunRecord): TauCurves {
  const insts = r.instances.filter((i) => epochRows(i).length);
  const n = insts.length ? Math.max(...insts.map((i) => epochRows(i).length)) : 0;
  const epochsOf = insts.find((i) => epochRows(i).length === n);
  const epochs = epochsOf ? epochsOf.points.filter((p) => p.epochEnd).map((p) => p.epoch) : [];
  const gt = r.groundTruth?.mean;
  return {
    epochs,
    sTau: epochs.map((_, e) => {
      const rows = insts.map((i) => epochRows(i)[e]).filter((x) => x !== undefined);
      const s = sTau(rows);
      return { mean: s.mean, std: s.std };
    }),
    gtTau: gt ? insts.map((i) => epochRows(i).map((row) => gtTau(row, gt))) : [],
    noiseFloor:
      r.groundTruth?.perSeed && r.groundTruth.perSeed.length > 1 ? sTau(r.groundTruth.perSeed).mean : undefined,
  };
}

/** A compared run on the agreement chart: its GT-Tau after each epoch, the mean over its instances. */
export interface ComparedTau {
  label: string;
  dotted: boolean;
  epochs: number[];
  tau: number[];
}

/** GT-Tau after each epoch, the mean over instances (no ground truth: no epochs). */
export function meanGtTau(r: RunRecord): { epochs: number[]; tau: number[] } {
  const c = tauCurves(r);
  if (!c.gtTau.length) return { epochs: [], tau: [] };
  return {
    epochs: c.epochs,
    tau: c.epochs.map((_, e) => mean(c.gtTau.map((g) => g[e]).filter((v) => v !== undefined && Number.isFinite(v)))),
  };
}

export function describeTau(c: TauCurves, compared: ComparedTau[] = []): string {
  const lastS = c.sTau.at(-1)?.mean;
  const lastGt = c.gtTau.map((g) => g.at(-1)).filter((x): x is number => x !== undefined);
  return [
    `Agreement after each of ${c.epochs.length} epochs.`,
    lastGt.length
      ? `GT-Tau at the last epoch: ${lastGt.map((x) => num(x, 2)).join(', ')}.`
      : 'No ground truth, so no GT-Tau.',
    lastS !== undefined && Number.isFinite(lastS) ? `S-Tau between instances: ${num(lastS, 2)}.` : '',
    c.noiseFloor !== undefined ? `The ground truth's own seeds agree at ${num(c.noiseFloor, 2)} (noise floor).` : '',
    ...compared.map((x) => `Compared, ${x.label}: GT-Tau at its last epoch ${num(x.tau.at(-1) ?? Number.NaN, 2)}.`),
  ]
    .filter(Boolean)
    .join(' ');
}

export interface Spread {
  child: number;
  gtRank: number;
  ranks: number[];
  q1: number;
  median: number;
  q3: number;
  min: number;
  max: number;
  /** the child's rank spread across the ground truth's own seeds (noise floor) */
  gtSeedRanks: number[];
}

const quantile = (s: number[], q: number) => {
  const p = (s.length - 1) * q;
  const lo = Math.floor(p);
  return s[lo] + (s[Math.min(lo + 1, s.length - 1)] - s[lo]) * (p - lo);
};

/**
 * Figure 3: each child's rank across instances (final point), or across the last 10 epochs (or
 * dense steps) of one instance; children ordered by ground truth (best left).
 */
export function rankSpread(r: RunRecord): { source: string; children: Spread[] } | undefined {
  const insts = r.instances.filter((i) => i.accuracy.length);
  if (!insts.length) return undefined;
  const n = childCount(r);
  const one = epochRows(insts[0]).length >= 3 ? epochRows(insts[0]).slice(-10) : insts[0].accuracy.slice(-10);
  const rows = insts.length > 1 ? insts.map(finalRow) : one;
  const ranked = rows.map((row) => bestFirstRanks(row));
  const gtRank = r.groundTruth ? bestFirstRanks(r.groundTruth.mean) : Array.from({ length: n }, (_, i) => i + 1);
  const seedRanks = (r.groundTruth?.perSeed ?? []).map((row) => bestFirstRanks(row));
  const children = Array.from({ length: n }, (_, c) => {
    const ranks = ranked.map((rk) => rk[c]);
    const s = [...ranks].sort((a, b) => a - b);
    return {
      child: c,
      gtRank: gtRank[c],
      ranks,
      q1: quantile(s, 0.25),
      median: quantile(s, 0.5),
      q3: quantile(s, 0.75),
      min: s[0],
      max: s[s.length - 1],
      gtSeedRanks: seedRanks.map((rk) => rk[c]),
    };
  }).sort((a, b) => a.gtRank - b.gtRank);
  return {
    source:
      insts.length > 1
        ? `final ranks of ${insts.length} instances`
        : `the last ${rows.length} evaluations of one instance`,
    children,
  };
}

export function describeSpread(r: RunRecord, s: { source: string; children: Spread[] }): string {
  const n = s.children.length;
  const q = Math.floor(n / 4);
  const worst = s.children.slice(-q);
  const best = s.children.slice(0, q);
  const medianOf = (cs: Spread[]) => Math.round(mean(cs.map((c) => c.median)));
  return [
    `Rank of each child (${s.source}), children ordered by ground truth.`,
    `The ground truth's worst quarter has median ranks ${medianOf(worst)} on average (of ${n});`,
    `its best quarter ${medianOf(best)}.`,
    r.groundTruth ? '' : 'Without ground truth the order is by child index.',
  ]
    .filter(Boolean)
    .join(' ');
}

/** How often each child is the best, over instances × epoch ends, with its true rank. */
export function bestPicks(r: RunRecord): { child: number; count: number; gtRank?: number }[] {
  const counts = new Array(childCount(r)).fill(0);
  for (const inst of r.instances) for (const row of epochRows(inst)) counts[bestFirstRanks(row).indexOf(1)]++;
  const gtRank = r.groundTruth ? bestFirstRanks(r.groundTruth.mean) : undefined;
  return counts
    .map((count, child) => ({ child, count, gtRank: gtRank?.[child] }))
    .filter((x) => x.count > 0)
    .sort((a, b) => b.count - a.count);
}

export function describePicks(r: RunRecord, p: ReturnType<typeof bestPicks>): string {
  const total = p.reduce((a, x) => a + x.count, 0);
  const top = p[0];
  const often = !top
    ? ''
    : top.count === 1 && p.length > 1
      ? 'No child was ranked best twice.'
      : `Most often: ${r.childNames[top.child]} (${top.count}×${top.gtRank ? `, true rank ${top.gtRank}` : ''}).`;
  const where = `${total} rankings (${plural(r.instances.length, 'instance')} × their epochs)`;
  return `${p.length} different children were ranked best in ${where}. ${often}`.trim();
}

/** Fine-tune (paper Fig. 4c/d): GT-Tau after each fine-tune step, per instance. */
export function finetuneCurves(r: RunRecord): { steps: number[]; curves: number[][] } | undefined {
  const gt = r.groundTruth?.mean;
  const insts = r.instances.filter((i) => i.finetune);
  if (!gt || !insts.length) return undefined;
  const curves = insts.map((i) => i.finetune!.accuracy.map((row) => gtTau(row, gt)));
  return { steps: curves[0].map((_, s) => s), curves };
}

export function describeFinetune(f: { steps: number[]; curves: number[][] }): string {
  const first = f.curves.map((c) => num(c[0], 2)).join(', ');
  const last = f.curves.map((c) => num(c[c.length - 1], 2)).join(', ');
  const steps = f.steps.length - 1;
  return `GT-Tau before the fine-tune: ${first}; after ${steps} steps of training each child alone: ${last}.`;
}

export interface LagSeries {
  label: string;
  lags: number[];
  tau: number[];
  /** ours: the run on screen; contrast: a recorded contrast of the finding; compared: a run the visitor ticked. */
  kind: 'ours' | 'contrast' | 'compared' | 'paper';
  /** A second series of the same kind, drawn dotted so the two can be told apart. */
  dotted?: boolean;
}

/** Kendall between the rankings after step i and i + lag, averaged over the dense window, lags up to 1.5 periods. */
export function lagCurve(r: RunRecord, label: string, kind: LagSeries['kind'], dotted = false): LagSeries | undefined {
  const rows = r.instances.map((i) => denseRows(i)).filter((d) => d.length > 8);
  if (!rows.length) return undefined;
  const period = r.jobs[0]?.length ?? childCount(r);
  const maxLag = Math.min(Math.round(period * 1.5), Math.min(...rows.map((d) => d.length)) - 8);
  const lags = Array.from({ length: Math.max(0, Math.floor(maxLag / 4)) }, (_, k) => (k + 1) * 4);
  return { label, kind, dotted, lags, tau: lags.map((lag) => mean(rows.map((d) => lagKendall(d, lag)))) };
}

export function describeLag(series: LagSeries[], period: number): string {
  return series
    .map((s) => {
      const at = (lag: number) => s.tau[s.lags.indexOf(lag)];
      const half = period / 2;
      const last = s.lags.at(-1) ?? 0;
      if (last < period)
        return `${s.label}: lags up to ${last} only (the dense window is too short to measure lag ${period})`;
      return `${s.label}: Kendall ${num(at(half), 2)} at lag ${half}, ${num(at(period), 2)} at lag ${period}`;
    })
    .join('; ')
    .concat('.');
}

const LAG_INK: Record<LagSeries['kind'], string> = {
  ours: 'blue',
  contrast: 'orange',
  compared: 'purple',
  paper: 'grey dashed',
};

/** The lag chart's legend, from the series actually drawn. */
export function lagLegend(series: LagSeries[]): string {
  const ink = (s: LagSeries) => `${LAG_INK[s.kind]}${s.dotted ? ' dotted' : ''}`;
  const inks = [...new Set(series.map(ink))];
  return inks
    .map(
      (k) =>
        `${k}: ${series
          .filter((s) => ink(s) === k)
          .map((s) => s.label)
          .join(', ')}`,
    )
    .join(' · ');
}

export interface SharingPoint {
  label: string;
  /** Sharing degree on a common axis: number of weight copies per op slot (1 = full … children = none). */
  copies: number;
  mean: number;
  std: number;
  source: 'ours' | 'recorded' | 'paper';
}

/** Table 3 as a chart: GT-Tau-Mean-k / Std-k of runs against their sharing degree. */
export function sharingPoints(runs: RunRecord[], source: SharingPoint['source'], k = 64): SharingPoint[] {
  const out: SharingPoint[] = [];
  for (const r of runs) {
    // Only runs whose dense window covers k steps, and one point per policy (the first run of it).
    if (!r.groundTruth || r.config.eval.denseSteps < k) continue;
    if (out.some((p) => p.label === policyLabel(r.config.sharing))) continue;
    const w = tauWindow(r, k);
    if (!w.meanK.n) continue;
    out.push({
      label: policyLabel(r.config.sharing),
      copies: policyCopies(r.config.sharing, spaceOf(r.config)),
      mean: w.meanK.mean,
      std: w.stdK.mean,
      source,
    });
  }
  return out;
}

/** The paper's Table 3 (similarity grouping, random m = 4, prefix k = 0), for reference next to ours. */
export const PAPER_TABLE3: SharingPoint[] = [
  ...[
    [1, 0.4988, 0.1497],
    [2, 0.3425, 0.1442],
    [4, 0.7075, 0.0702],
    [8, 0.6917, 0.0457],
    [16, 0.72, 0.0411],
    [32, 0.736, 0.0364],
    [64, 0.8032, 0.0151],
  ].map(([m, mu, sd]) => ({
    label: `paper: groups m=${m} (similarity)`,
    copies: m,
    mean: mu,
    std: sd,
    source: 'paper' as const,
  })),
  {
    label: 'paper: groups m=4 (random)',
    copies: 4,
    mean: PAPER.table3.rand4[0],
    std: PAPER.table3.rand4[1],
    source: 'paper' as const,
  },
  {
    label: 'paper: prefix k=0',
    copies: 64,
    mean: PAPER.table3.prefix0[0],
    std: PAPER.table3.prefix0[1],
    source: 'paper' as const,
  },
];

export function describeSharing(points: SharingPoint[]): string {
  const ours = points.filter((p) => p.source !== 'paper');
  if (!ours.length)
    return (
      'No run here has ground truth and its last 64 steps evaluated densely (the Less sharing card has them); ' +
      'the paper’s Table 3 is shown for reference.'
    );
  return ours.map((p) => `${p.label}: Mean-64 ${num(p.mean, 2)}, Std-64 ${num(p.std, 2)}`).join('; ') + '.';
}

/** Summary numbers of one instance's dense window, for text. */
export function windowStats(r: RunRecord) {
  const gt = r.groundTruth?.mean;
  const inst = r.instances[0];
  if (!gt || !inst) return undefined;
  const taus = denseRows(inst).map((row) => kendallTau(row, gt));
  const p = periodicity(inst, r.jobs[0]?.length ?? childCount(r));
  return { mean: taus.length ? mean(taus) : Number.NaN, std: taus.length ? std(taus) : Number.NaN, ...p };
}

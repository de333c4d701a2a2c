// Pure functions from run data to what the charts draw (unit-tested; the components only render).
import { interpolateViridis } from 'd3';
import { bestFirstRanks, gtTau, mean, sTau, std } from '../../engine/metrics';
import type { RunRecord } from '../../engine/record';
import { denseRows, epochRows, finalRow } from '../../engine/summary';

/** Viridis by ground-truth rank, as the paper: lighter (yellow) = better. Grey without ground truth. */
export function childColours(r: RunRecord): string[] {
  if (!r.groundTruth) return new Array(64).fill('#8a8a8a');
  const rank = bestFirstRanks(r.groundTruth.mean);
  return rank.map((k) => interpolateViridis(1 - k / 64));
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
    series: Array.from({ length: 64 }, (_, c) => use.map((i) => inst.accuracy[i][c])),
    trained: steps.map((s) => inst.trainOrder.map((job) => job[s - 1]).filter((c) => c !== undefined)),
    dense: idx.length >= 2,
  };
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

/** Figure 2: S-Tau and GT-Tau after every epoch. */
export function tauCurves(r: RunRecord): TauCurves {
  const insts = r.instances.filter((i) => i.accuracy.length);
  const n = insts.length ? Math.min(...insts.map((i) => epochRows(i).length)) : 0;
  const epochs = Array.from({ length: n }, (_, e) => insts[0].points.filter((p) => p.epochEnd)[e].epoch);
  const gt = r.groundTruth?.mean;
  return {
    epochs,
    sTau: epochs.map((_, e) => {
      const s = sTau(insts.map((i) => epochRows(i)[e]));
      return { mean: s.mean, std: s.std };
    }),
    gtTau: gt ? insts.map((i) => epochRows(i).map((row) => gtTau(row, gt))) : [],
    noiseFloor: r.groundTruth?.perSeed && r.groundTruth.perSeed.length > 1 ? sTau(r.groundTruth.perSeed).mean : undefined,
  };
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
 * Figure 3: each child's rank across instances (final point), or across the last 10 epochs when
 * there is one instance; children ordered by ground truth (best left).
 */
export function rankSpread(r: RunRecord): { source: string; children: Spread[] } | undefined {
  const insts = r.instances.filter((i) => i.accuracy.length);
  if (!insts.length) return undefined;
  const rows = insts.length > 1 ? insts.map(finalRow) : epochRows(insts[0]).slice(-10);
  const ranked = rows.map((row) => bestFirstRanks(row));
  const gtRank = r.groundTruth ? bestFirstRanks(r.groundTruth.mean) : Array.from({ length: 64 }, (_, i) => i + 1);
  const seedRanks = (r.groundTruth?.perSeed ?? []).map((row) => bestFirstRanks(row));
  const children = Array.from({ length: 64 }, (_, c) => {
    const ranks = ranked.map((rk) => rk[c]);
    const s = [...ranks].sort((a, b) => a - b);
    return { child: c, gtRank: gtRank[c], ranks, q1: quantile(s, 0.25), median: quantile(s, 0.5), q3: quantile(s, 0.75), min: s[0], max: s[s.length - 1], gtSeedRanks: seedRanks.map((rk) => rk[c]) };
  }).sort((a, b) => a.gtRank - b.gtRank);
  return { source: insts.length > 1 ? `final ranks of ${insts.length} instances` : `last ${rows.length} epochs of one instance`, children };
}

/** How often each child is the best, over instances × epoch ends, with its true rank. */
export function bestPicks(r: RunRecord): { child: number; count: number; gtRank?: number }[] {
  const counts = new Array(64).fill(0);
  for (const inst of r.instances) for (const row of epochRows(inst)) counts[bestFirstRanks(row).indexOf(1)]++;
  const gtRank = r.groundTruth ? bestFirstRanks(r.groundTruth.mean) : undefined;
  return counts
    .map((count, child) => ({ child, count, gtRank: gtRank?.[child] }))
    .filter((x) => x.count > 0)
    .sort((a, b) => b.count - a.count);
}

export interface SharingPoint {
  label: string;
  /** Sharing degree on a common axis: number of weight copies per slot (1 = full … 64 = none). */
  copies: number;
  mean: number;
  std: number;
  source: 'this browser' | 'paper';
}

const copiesOf = (r: RunRecord) => {
  const s = r.config.sharing;
  return s.kind === 'groups' ? s.m : s.kind === 'none' ? 64 : 1;
};

/** Table 3 as a chart: GT-Tau-Mean-k / Std-k of every stored run against its sharing degree. */
export function sharingPoints(runs: RunRecord[]): SharingPoint[] {
  const out: SharingPoint[] = [];
  for (const r of runs) {
    if (!r.groundTruth) continue;
    const per = r.instances.filter((i) => denseRows(i).length > 1).map((i) => {
      const taus = denseRows(i).map((row) => gtTau(row, r.groundTruth!.mean));
      return { m: mean(taus), s: std(taus) };
    });
    if (!per.length) continue;
    const s = r.config.sharing;
    const label = s.kind === 'groups' ? `groups m=${s.m} (${s.partition})` : s.kind === 'prefix' ? `prefix k=${s.k}` : s.kind;
    out.push({ label, copies: copiesOf(r), mean: mean(per.map((p) => p.m)), std: mean(per.map((p) => p.s)), source: 'this browser' });
  }
  return out;
}

/** The paper's Table 3a (similarity grouping), for reference next to the user's runs. */
export const PAPER_TABLE3_SIMILARITY: SharingPoint[] = [
  [1, 0.4988, 0.1497],
  [2, 0.3425, 0.1442],
  [4, 0.7075, 0.0702],
  [8, 0.6917, 0.0457],
  [16, 0.72, 0.0411],
  [32, 0.736, 0.0364],
  [64, 0.8032, 0.0151],
].map(([m, mu, sd]) => ({ label: `paper, similarity m=${m}`, copies: m, mean: mu, std: sd, source: 'paper' as const }));

// The statistics behind the four findings, as pure functions of run records and ground truth.
// Each is checked against hand-computed values in tests/findings.test.ts.
import { bestFirstRanks, kendallTau, mean, sTau, std } from '../core/metrics';
import type { GroundTruth, InstanceRecord, RunRecord } from '../schema/record';
import { denseRows, finalRow } from '../schema/summary';

/** The period of a run's round-robin: the children its first job trains in turn (64 under full sharing). */
export const periodOf = (rec: RunRecord): number => rec.jobs[0]?.length ?? 64;

/** Mean Kendall tau between the ranking after step i and after step i + lag, over the rows of a window. */
export function lagKendall(rows: ArrayLike<number>[], lag: number): number {
  const taus: number[] = [];
  for (let i = 0; i + lag < rows.length; i++) taus.push(kendallTau(rows[i], rows[i + lag]));
  return taus.length ? mean(taus) : Number.NaN;
}

/**
 * Lag-64 minus lag-32 Kendall over an instance's dense window (the paper's trace: 0.795 − 0.435 = 0.36); lags scale
 * with the period.
 */
export function periodicity(
  inst: InstanceRecord,
  period: number,
): { lagPeriod: number; lagHalf: number; difference: number } {
  const rows = denseRows(inst);
  const lagPeriod = lagKendall(rows, period);
  const lagHalf = lagKendall(rows, Math.round(period / 2));
  return { lagPeriod, lagHalf, difference: lagPeriod - lagHalf };
}

/** Share of dense evaluation points at which the child just trained ranks in the top `fraction` (single-job runs). */
export function trainedChildTopShare(inst: InstanceRecord, fraction = 0.25): number {
  if (inst.trainOrder.length !== 1) return Number.NaN;
  let hits = 0;
  let n = 0;
  inst.points.forEach((p, i) => {
    if (!p.dense) return;
    const child = inst.trainOrder[0][p.step - 1];
    if (child === undefined) return;
    const row = inst.accuracy[i];
    n++;
    if (bestFirstRanks(row)[child] <= Math.ceil(row.length * fraction)) hits++;
  });
  return n ? hits / n : Number.NaN;
}

/** Children in the ground truth's bottom quarter (worst first). */
export function bottomQuarter(gt: ArrayLike<number>): number[] {
  const r = bestFirstRanks(gt);
  const n = gt.length;
  return r
    .map((rank, c) => [rank, c])
    .filter(([rank]) => rank > n - Math.floor(n / 4))
    .map(([, c]) => c);
}

/** Per instance: the share of the ground truth's bottom quarter that the instance ranks in its bottom half. */
export function bottomQuarterInBottomHalf(row: ArrayLike<number>, gt: ArrayLike<number>): number {
  const r = bestFirstRanks(row);
  const bq = bottomQuarter(gt);
  return bq.filter((c) => r[c] > row.length / 2).length / bq.length;
}

/** Kendall tau between the ground truth's seeds (its own agreement: the paper's 0.712) and the spread ratio. */
export function groundTruthQuality(gt: GroundTruth): {
  seedAgreement: number;
  spreadRatio: number;
  meanSeedStd: number;
  spreadOfMeans: number;
} {
  const seedAgreement = gt.perSeed && gt.perSeed.length > 1 ? sTau(gt.perSeed).mean : Number.NaN;
  const meanSeedStd = mean(gt.std);
  const spreadOfMeans = std(gt.mean);
  return { seedAgreement, spreadRatio: spreadOfMeans / meanSeedStd, meanSeedStd, spreadOfMeans };
}

/** GT-Tau before (row 0) and after the fine-tune, per instance. */
export function finetuneGain(
  inst: InstanceRecord,
  gt: ArrayLike<number>,
): { before: number; after: number } | undefined {
  const f = inst.finetune?.accuracy;
  if (!f || f.length < 2) return undefined;
  return { before: kendallTau(f[0], gt), after: kendallTau(f[f.length - 1], gt) };
}

export interface MeanStd {
  mean: number;
  std: number;
  n: number;
}
export const meanStd = (v: number[]): MeanStd => {
  const x = v.filter(Number.isFinite);
  return { mean: x.length ? mean(x) : Number.NaN, std: x.length ? std(x) : Number.NaN, n: x.length };
};

/**
 * GT-Tau over the last k dense points of every instance: Mean-k and Std-k per instance, averaged (the paper's Table
 * 3).
 */
export function tauWindow(rec: RunRecord, k: number): { meanK: MeanStd; stdK: MeanStd } {
  const gt = rec.groundTruth?.mean;
  if (!gt) return { meanK: meanStd([]), stdK: meanStd([]) };
  const per = rec.instances
    .map((inst) =>
      denseRows(inst)
        .slice(-k)
        .map((row) => kendallTau(row, gt)),
    )
    .filter((t) => t.length > 1);
  return { meanK: meanStd(per.map(mean)), stdK: meanStd(per.map(std)) };
}

/** GT-Tau-Mean-k of each instance, by instance index (for comparisons paired by instance). */
export function meanKByInstance(rec: RunRecord, k: number): Map<number, number> {
  const gt = rec.groundTruth?.mean;
  const out = new Map<number, number>();
  if (!gt) return out;
  for (const inst of rec.instances) {
    const t = denseRows(inst)
      .slice(-k)
      .map((row) => kendallTau(row, gt));
    if (t.length > 1) out.set(inst.index, mean(t));
  }
  return out;
}

/** Paired by instance index: in how many of the shared instances `a` exceeds `b`. */
export function pairedWins(a: Map<number, number>, b: Map<number, number>): { wins: number; n: number } {
  const both = [...a.keys()].filter((i) => b.has(i));
  return { wins: both.filter((i) => a.get(i)! > b.get(i)!).length, n: both.length };
}

export const finalRows = (rec: RunRecord) => rec.instances.filter((i) => i.accuracy.length).map(finalRow);

/**
 * How sharply the ranking repeats at the period: Kendall at lag P minus the mean of lags P − 2 and P + 2 (the paper's
 * trace: 0.30; a slow wave gives about 0).
 */
export function lagSharpness(inst: InstanceRecord, period: number): number {
  const rows = denseRows(inst);
  return lagKendall(rows, period) - (lagKendall(rows, period - 2) + lagKendall(rows, period + 2)) / 2;
}

/**
 * Rank places the child just trained gains over its step (rank before − rank after; positive = moved up), at every
 * dense point whose previous point is the step before (single-job runs).
 */
export function trainedChildRankGains(inst: InstanceRecord): number[] {
  if (inst.trainOrder.length !== 1) return [];
  const out: number[] = [];
  for (let i = 1; i < inst.points.length; i++) {
    const [p, q] = [inst.points[i - 1], inst.points[i]];
    const child = inst.trainOrder[0][q.step - 1];
    if (!p.dense || !q.dense || q.step !== p.step + 1 || child === undefined) continue;
    out.push(bestFirstRanks(inst.accuracy[i - 1])[child] - bestFirstRanks(inst.accuracy[i])[child]);
  }
  return out;
}

/**
 * One-sided sign test: the chance that k or more of n instances go the predicted way if each went either way with
 * probability ½ (5 of 5: 0.031; 4 of 5: 0.19; 2 of 2: 0.25).
 */
export function signTestP(k: number, n: number): number {
  let p = 0;
  let c = 1; // C(n, i), built up from C(n, 0)
  for (let i = 0; i <= n; i++) {
    if (i >= k) p += c;
    c = (c * (n - i)) / (i + 1);
  }
  return p / 2 ** n;
}

/** Standard error of the mean, from the sample standard deviation (n − 1). */
export const standardError = (v: number[]): number =>
  v.length < 2 ? Number.NaN : (std(v) * Math.sqrt(v.length / (v.length - 1))) / Math.sqrt(v.length);

/** Mean divided by its standard error (NaN with fewer than 2 values or no spread). */
export function tStatistic(v: number[]): number {
  const s = standardError(v);
  return s > 0 ? mean(v) / s : Number.NaN;
}

// Ranking metrics of the paper, as pure functions of accuracy vectors (higher = better).

/** Kendall's tau-b, ties handled as scipy.stats.kendalltau (NaN when either side is constant). */
export function kendallTau(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  if (n !== b.length) throw new Error(`kendallTau: lengths ${n} and ${b.length} differ`);
  let concordant = 0;
  let discordant = 0;
  let tiesA = 0; // tied in a only
  let tiesB = 0; // tied in b only
  for (let i = 0; i < n; i++)
    for (let j = i + 1; j < n; j++) {
      const da = Math.sign(a[i] - a[j]);
      const db = Math.sign(b[i] - b[j]);
      if (da === 0 && db === 0) continue;
      if (da === 0) tiesA++;
      else if (db === 0) tiesB++;
      else if (da === db) concordant++;
      else discordant++;
    }
  const denom = Math.sqrt((concordant + discordant + tiesA) * (concordant + discordant + tiesB));
  return denom === 0 ? NaN : (concordant - discordant) / denom;
}

/** Average ranks (1 = smallest), ties get the mean of their positions (scipy rankdata 'average'). */
export function averageRanks(v: ArrayLike<number>): number[] {
  const idx = Array.from({ length: v.length }, (_, i) => i).sort((i, j) => v[i] - v[j]);
  const r = new Array<number>(v.length);
  for (let i = 0; i < idx.length;) {
    let j = i;
    while (j + 1 < idx.length && v[idx[j + 1]] === v[idx[i]]) j++;
    for (let k = i; k <= j; k++) r[idx[k]] = (i + j) / 2 + 1;
    i = j + 1;
  }
  return r;
}

function pearson(a: number[], b: number[]): number {
  const n = a.length;
  const ma = a.reduce((s, x) => s + x, 0) / n;
  const mb = b.reduce((s, x) => s + x, 0) / n;
  let num = 0;
  let da = 0;
  let db = 0;
  for (let i = 0; i < n; i++) {
    num += (a[i] - ma) * (b[i] - mb);
    da += (a[i] - ma) ** 2;
    db += (b[i] - mb) ** 2;
  }
  return num / Math.sqrt(da * db);
}

export function spearman(a: ArrayLike<number>, b: ArrayLike<number>): number {
  return pearson(averageRanks(a), averageRanks(b));
}

/**
 * Ranks with 1 = best (highest value); ties broken by order of appearance
 * (scipy rankdata(-v, 'ordinal'), as the authors' T1R code does).
 */
export function bestFirstRanks(v: ArrayLike<number>): number[] {
  const idx = Array.from({ length: v.length }, (_, i) => i).sort((i, j) => v[j] - v[i] || i - j);
  const r = new Array<number>(v.length);
  idx.forEach((c, k) => (r[c] = k + 1));
  return r;
}

/** Children sorted best first (ties: lower index first). */
export function topK(v: ArrayLike<number>, k: number): number[] {
  return Array.from({ length: v.length }, (_, i) => i)
    .sort((i, j) => v[j] - v[i] || i - j)
    .slice(0, k);
}

/** TnR: the best ground-truth rank among the n children an instance ranks highest. */
export function topNRank(acc: ArrayLike<number>, gt: ArrayLike<number>, n: number): number {
  const gtRank = bestFirstRanks(gt);
  return Math.min(...topK(acc, n).map((c) => gtRank[c]));
}

/** |top-k(a) ∩ top-k(b)| / k. */
export function topKOverlap(a: ArrayLike<number>, b: ArrayLike<number>, k: number): number {
  const s = new Set(topK(a, k));
  return topK(b, k).filter((c) => s.has(c)).length / k;
}

export interface TauStats {
  mean: number;
  max: number;
  min: number;
  std: number;
  pairs: number;
}

export function mean(v: number[]): number {
  return v.reduce((s, x) => s + x, 0) / v.length;
}

/** Population standard deviation (numpy's default, as in the paper's ± values). */
export function std(v: number[]): number {
  const m = mean(v);
  return Math.sqrt(v.reduce((s, x) => s + (x - m) ** 2, 0) / v.length);
}

/** S-Tau: mean (and max, min) of pairwise tau over instances' accuracy vectors. */
export function sTau(instances: ArrayLike<number>[]): TauStats {
  const taus: number[] = [];
  for (let i = 0; i < instances.length; i++)
    for (let j = i + 1; j < instances.length; j++) taus.push(kendallTau(instances[i], instances[j]));
  if (taus.length === 0) return { mean: NaN, max: NaN, min: NaN, std: NaN, pairs: 0 };
  return { mean: mean(taus), max: Math.max(...taus), min: Math.min(...taus), std: std(taus), pairs: taus.length };
}

export function gtTau(acc: ArrayLike<number>, gt: ArrayLike<number>): number {
  return kendallTau(acc, gt);
}

/** GT-Tau-Mean-k / Std-k over the last k evaluation rows. */
export function gtTauWindow(
  rows: ArrayLike<number>[],
  gt: ArrayLike<number>,
  k: number,
): { mean: number; std: number; k: number } {
  const last = rows.slice(Math.max(0, rows.length - k)).map((r) => gtTau(r, gt));
  return { mean: last.length ? mean(last) : NaN, std: last.length ? std(last) : NaN, k: last.length };
}

/** Smallest and largest of many values without spreading them into Math.min/max (a long array overflows the stack). */
export function extent(v: Iterable<number>): [number, number] {
  let [lo, hi] = [Infinity, -Infinity];
  for (const x of v) {
    if (x < lo) lo = x;
    if (x > hi) hi = x;
  }
  return [lo, hi];
}

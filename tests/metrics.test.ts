import { describe, expect, it } from 'vitest';
import {
  bestFirstRanks,
  gtTauWindow,
  kendallTau,
  spearman,
  sTau,
  topKOverlap,
  topNRank,
} from '../src/engine/core/metrics';

describe('Kendall tau-b', () => {
  it('is 1 for equal and -1 for reversed rankings', () => {
    expect(kendallTau([1, 2, 3, 4], [10, 20, 30, 40])).toBe(1);
    expect(kendallTau([1, 2, 3, 4], [4, 3, 2, 1])).toBe(-1);
  });
  it('matches a hand count without ties', () => {
    // a = 1..5, b = 3,4,1,2,5: concordant 6, discordant 4 → (6-4)/10
    expect(kendallTau([1, 2, 3, 4, 5], [3, 4, 1, 2, 5])).toBeCloseTo(0.2, 12);
  });
  it('handles ties as tau-b (scipy.stats.kendalltau docs example: -0.4714045)', () => {
    // x1 = [12, 2, 1, 12, 2], x2 = [1, 4, 7, 1, 0]: concordant 2, discordant 6, tied only in x 1
    // (pair 1,4), only in y 0, tied in both 1 (pair 0,3): tau_b = (2 - 6) / sqrt((8+1)(8+0))
    expect(kendallTau([12, 2, 1, 12, 2], [1, 4, 7, 1, 0])).toBeCloseTo(-4 / Math.sqrt(72), 12);
    expect(kendallTau([12, 2, 1, 12, 2], [1, 4, 7, 1, 0])).toBeCloseTo(-0.47140452079103173, 12);
  });
  it('is NaN when one side is constant', () => {
    expect(kendallTau([1, 1, 1], [1, 2, 3])).toBeNaN();
  });
});

describe('S-Tau and friends', () => {
  it('S-Tau is the mean (max, min) of pairwise taus', () => {
    const a = [1, 2, 3, 4];
    const b = [1, 2, 4, 3]; // tau(a,b) = (5-1)/6
    const c = [4, 3, 2, 1]; // tau(a,c) = -1, tau(b,c) = -(5-1)/6
    const s = sTau([a, b, c]);
    expect(s.pairs).toBe(3);
    expect(s.mean).toBeCloseTo((4 / 6 - 1 - 4 / 6) / 3, 12);
    expect(s.max).toBeCloseTo(4 / 6, 12);
    expect(s.min).toBe(-1);
  });
  it('Spearman uses average ranks for ties', () => {
    expect(spearman([1, 2, 3], [1, 2, 3])).toBeCloseTo(1);
    expect(spearman([1, 2, 2, 3], [1, 3, 2, 4])).toBeCloseTo(0.9486832980505138, 10);
  });
  it('TnR is the best GT rank among the top n picks', () => {
    const gt = [0.9, 0.8, 0.7, 0.6]; // GT ranks 1..4
    expect(bestFirstRanks(gt)).toEqual([1, 2, 3, 4]);
    const acc = [0.1, 0.5, 0.9, 0.7]; // picks child 2, then 3, then 1
    expect(topNRank(acc, gt, 1)).toBe(3);
    expect(topNRank(acc, gt, 3)).toBe(2);
  });
  it('GT-Tau-Mean-k / Std-k use the last k rows (population std)', () => {
    const gt = [1, 2, 3, 4];
    const rows = [
      [4, 3, 2, 1],
      [1, 2, 3, 4],
      [1, 2, 4, 3],
    ];
    const w = gtTauWindow(rows, gt, 2);
    expect(w.k).toBe(2);
    expect(w.mean).toBeCloseTo((1 + 4 / 6) / 2, 12);
    expect(w.std).toBeCloseTo((1 - 4 / 6) / 2, 12);
  });
  it('top-k overlap', () => {
    expect(topKOverlap([4, 3, 2, 1], [4, 1, 3, 2], 2)).toBe(0.5);
  });
});

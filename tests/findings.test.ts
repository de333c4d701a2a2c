// The statistics behind the findings, against values worked out by hand.
import { describe, expect, it } from 'vitest';
import {
  bottomQuarter,
  bottomQuarterInBottomHalf,
  groundTruthQuality,
  lagKendall,
  lagSharpness,
  periodicity,
  signTestP,
  tauWindow,
  trainedChildRankGains,
  trainedChildTopShare,
  tStatistic,
} from '../src/engine/findings/statistics';
import { findingOne } from '../src/engine/findings/bestVaries';
import { findingThree } from '../src/engine/findings/interference';
import { holdsText, verdictTally } from '../src/engine/findings/verdicts';
import { findingFour } from '../src/engine/findings/lessSharing';
import { findingTwo } from '../src/engine/findings/signal';
import type { InstanceRecord } from '../src/engine/schema/record';
import { fakeRecord } from './fixtures';
import { recordStats } from '../src/engine/findings/instanceStats';
import { denseRows, finalRow } from '../src/engine/schema/summary';
import { kendallTau, mean } from '../src/engine/core/metrics';

describe('lag-k Kendall', () => {
  it('averages Kendall between row i and row i + lag', () => {
    const a = [1, 2, 3, 4];
    const b = [4, 3, 2, 1];
    const c = [1, 2, 4, 3]; // tau(a,c) = 4/6, tau(b,c) = -4/6
    // lag 1: tau(a,b) = -1, tau(b,c) = -4/6  → mean -5/6 ; lag 2: tau(a,c) = 4/6
    expect(lagKendall([a, b, c], 1)).toBeCloseTo(-5 / 6, 12);
    expect(lagKendall([a, b, c], 2)).toBeCloseTo(4 / 6, 12);
    expect(lagKendall([a, b, c], 3)).toBeNaN();
  });
  it('periodicity: lag-period minus lag-half-period over the dense rows', () => {
    const rows = [
      [1, 2, 3, 4],
      [4, 3, 2, 1],
      [1, 2, 3, 4],
      [4, 3, 2, 1],
      [1, 2, 3, 4],
    ];
    const inst = {
      points: rows.map((_, k) => ({ step: k + 1, epoch: 1, epochEnd: false, dense: true })),
      accuracy: rows,
      trainOrder: [[0, 1, 2, 3, 0]],
    } as unknown as InstanceRecord;
    // period 2: lag 2 → every pair identical (tau 1); lag 1 → every pair reversed (tau -1): difference 2
    expect(periodicity(inst, 2)).toEqual({ lagPeriod: 1, lagHalf: -1, difference: 2 });
  });
});

describe('the child just trained', () => {
  it('share of dense steps at which it ranks in the top quarter', () => {
    // 8 children; at step s child (s-1) % 8 was trained; it is best at steps 1 and 2, worst at step 3.
    const rows = [
      [9, 1, 2, 3, 4, 5, 6, 7],
      [1, 9, 2, 3, 4, 5, 6, 7],
      [1, 2, 0, 3, 4, 5, 6, 7],
      [1, 2, 3, 4, 5, 6, 7, 8],
    ];
    const inst = {
      points: rows.map((_, k) => ({ step: k + 1, epoch: 1, epochEnd: false, dense: k < 3 })),
      accuracy: rows,
      trainOrder: [[0, 1, 2, 3]],
    } as unknown as InstanceRecord;
    expect(trainedChildTopShare(inst, 0.25)).toBeCloseTo(2 / 3, 12);
  });
});

describe('bad children stay bad', () => {
  it('the bottom quarter of 8 children is the 2 worst; share ranked in the bottom half', () => {
    const gt = [0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2];
    expect(bottomQuarter(gt).sort()).toEqual([6, 7]);
    expect(bottomQuarterInBottomHalf([8, 7, 6, 5, 4, 3, 2, 1], gt)).toBe(1);
    expect(bottomQuarterInBottomHalf([1, 2, 3, 4, 5, 6, 7, 8], gt)).toBe(0);
    expect(bottomQuarterInBottomHalf([8, 7, 6, 5, 4, 3, 9, 1], gt)).toBe(0.5);
  });
});

describe('ground-truth quality', () => {
  it('seed agreement is S-Tau over the seeds; spread ratio = std of means / mean seed std', () => {
    const q = groundTruthQuality({
      mean: [0.1, 0.2, 0.3],
      std: [0.01, 0.02, 0.03],
      perSeed: [
        [1, 2, 3],
        [1, 3, 2],
      ],
      seeds: 2,
      source: 't',
    });
    expect(q.seedAgreement).toBeCloseTo(1 / 3, 12);
    expect(q.spreadRatio).toBeCloseTo(Math.sqrt(2 / 300) / 0.02, 10);
  });
});

describe('findings from records', () => {
  it('Mean-k / Std-k per instance, averaged (Table 3)', () => {
    const r = fakeRecord();
    const w = tauWindow(r, 64);
    expect(w.meanK.n).toBe(2);
    expect(Number.isFinite(w.meanK.mean)).toBe(true);
  });
  it('finding 1 rows: GT-Tau, T1R, S-Tau against the noise floor', () => {
    const f = findingOne(fakeRecord({ instances: 3 }));
    expect(f.rows).toHaveLength(4);
    expect(f.rows[1].statistic).toMatch(/spread of GT-Tau/);
    expect(f.rows[0].statistic).toMatch(/GT-Tau/);
    expect(typeof f.verdict).toBe('string');
  });
  it('finding 2: the verdict quotes its numbers; a row holds only where a sign test over instances supports it', () => {
    const rec = fakeRecord({ finetune: 3, instances: 5 });
    expect(findingTwo(rec).verdict).toBe(
      "It does: the worst children stay at the bottom (1.00 of the ground truth's worst quarter in the bottom " +
        'half), and a short fine-tune of each child moves the ranking towards the ground truth (higher in 5 of 5): ' +
        'GT-Tau 0.823 → 1.000.',
    );
    // Two instances can never support it (sign test p = 0.25): not distinguishable, and said so.
    const two = findingTwo(fakeRecord({ finetune: 3 }));
    expect(two.rows.map((r) => r.undecided)).toEqual([true, true]);
    expect(two.verdict).toMatch(/^Not here: .*too few to tell from chance \(sign test p = 0\.250 \(2 of 2\)\)/);
    // The fine-tune's last row is its first with one pair of neighbours put in the ground truth's order: GT-Tau
    // rises by 1/1008 only, below the 0.05 a rise must reach.
    const gt = rec.groundTruth!.mean;
    for (const inst of rec.instances) {
      const ft = inst.finetune!.accuracy;
      const row = [...ft[0]];
      const byRow = row.map((_, c) => c).sort((a, b) => row[a] - row[b]);
      const k = byRow.findIndex((c, j) => j + 1 < byRow.length && gt[c] > gt[byRow[j + 1]]);
      [row[byRow[k]], row[byRow[k + 1]]] = [row[byRow[k + 1]], row[byRow[k]]];
      ft[ft.length - 1] = row;
    }
    const little = findingTwo(rec);
    expect(little.rows[1]).toMatchObject({ holds: false });
    expect(little.rows[1].undecided).toBeUndefined();
    expect(little.rows[1].says).toMatch(/raised GT-Tau by ≥ 0\.05 in only 0 of 5 instances/);
  });
  it('finding 3: the period holds only where a sign test over instances supports it; one step must reorder', () => {
    type Order = 'fixed' | 'shuffle-period' | 'shuffle-once';
    const withRecord = (rows: number[][], instances = 1, order: Order = 'fixed') => {
      const rec = fakeRecord({ instances });
      rec.config.train.order = order;
      rec.jobs = [[0, 1]]; // period 2
      for (const inst of rec.instances) {
        inst.points = rows.map((_, k) => ({ step: k + 1, epoch: 1, epochEnd: false, dense: true }));
        inst.accuracy = rows;
        inst.trainOrder = [rows.map((_, k) => k % 2)];
      }
      return rec;
    };
    const withRows = (rows: number[][], instances = 1, order: Order = 'fixed') =>
      findingThree(withRecord(rows, instances, order));
    // Alternating rankings: lag 2 agrees (1), lag 1 reverses (-1): the period at its strongest.
    const alternating = [
      [1, 2, 3, 4],
      [4, 3, 2, 1],
      [1, 2, 3, 4],
      [4, 3, 2, 1],
      [1, 2, 3, 4],
      [4, 3, 2, 1],
    ];
    const one = withRows(alternating);
    // One instance cannot support it (sign test p = 0.5): met, but not distinguishable.
    expect(one.rows[0]).toMatchObject({ holds: false, undecided: true });
    expect(holdsText(one.rows[0])).toBe('not distinguishable');
    expect(one.rows[0].says).toMatch(/1 of 1 instances are not enough .*sign test p = 0\.500/);
    const five = withRows(alternating, 5);
    expect(five.rows[0]).toMatchObject({ holds: true });
    expect(five.rows[0].ours).toMatch(/sign test p = 0\.031 \(5 of 5\)/);
    // One step reverses the ranking: consecutive Kendall -1, judged against ≤ 0.8.
    expect(five.rows[2]).toMatchObject({ ours: '-1.000 ± 0.000 (n=5)', holds: true });
    expect(five.rows[0].says).not.toMatch(/consecutive/);
    // A ranking that never moves: no period, and the row says one step reorders less than in the paper.
    const still = withRows(Array.from({ length: 6 }, () => [1, 2, 3, 4]));
    expect(still.rows[0].holds).toBe(false);
    expect(still.rows[0].undecided).toBeUndefined();
    expect(still.rows[2]).toMatchObject({ ours: '1.000 (n=1)', holds: false });
    expect(still.verdict).toMatch(/consecutive steps 1\.00 against 0\.65/);
    // A reshuffled order predicts no period: the same alternation is then a failure, and the row names the order.
    const reshuffled = withRows(alternating, 5, 'shuffle-period');
    expect(reshuffled.rows[0].statistic).toMatch(/shuffle-period order/);
    expect(reshuffled.rows[0]).toMatchObject({ target: '< 0.05: this order predicts no period', holds: false });
    // A random order fixed once is judged on its own rows (after sharpness): the alternation holds there too, a
    // still ranking does not.
    const random = (rows: number[][]) => {
      return findingThree(withRecord(alternating, 5), undefined, withRecord(rows, 5, 'shuffle-once'));
    };
    const withPeriod = random(alternating);
    expect(withPeriod.rows[2].statistic).toMatch(/random order fixed once \(5 runs\)/);
    expect(withPeriod.rows[2]).toMatchObject({ holds: true });
    expect(withPeriod.rows[3].statistic).toMatch(/sharpness with a random order/);
    const flat = random(Array.from({ length: 6 }, () => [1, 2, 3, 4]));
    expect(flat.rows[2]).toMatchObject({ holds: false });
    expect(flat.rows[2].says).toMatch(/alphabetical runs/);
  });
  it('finding 4: each policy compared with full sharing', () => {
    const full = fakeRecord();
    const f = findingFour([
      { label: 'full', rec: full },
      { label: 'prefix k=0', rec: full },
    ]);
    expect(f.rows[1].holds).toBe(false); // equal, not better
  });
  it('verdicts: the reference row is not judged; a failing row is quoted in plain words', () => {
    const full = fakeRecord({ instances: 5 });
    const f = findingFour([
      { label: 'full', rec: full },
      { label: 'prefix k=0', rec: full },
    ]);
    expect(f.rows[0].reference).toBe(true);
    expect(f.verdict).toBe(`Not here: ${f.rows[1].says}.`);
    // Equal records: neither closer nor steadier; prefix k=0 says why it cannot show here.
    expect(f.rows[1].says).toMatch(/^prefix k=0 was neither closer to the ground truth .* nor steadier .* 8 updates/);
    // A policy whose every dense ranking is the ground truth's: closer (GT-Tau 1) and steadier (std 0).
    const perfect = structuredClone(full);
    for (const inst of perfect.instances) inst.accuracy = inst.accuracy.map(() => [...perfect.groundTruth!.mean]);
    const partly = findingFour([
      { label: 'full', rec: full },
      { label: 'groups m=4 (similarity)', rec: perfect },
      { label: 'prefix k=0', rec: full },
    ]);
    expect(partly.rows[1].holds).toBe(true);
    expect(partly.rows[1].ours).toMatch(/paired sign test p = 0\.031 \(5 of 5\)/);
    // The same with two instances: met, but a paired sign test of 2 of 2 (p = 0.25) cannot support it.
    const pair = (r: typeof full) => ({ ...r, instances: r.instances.slice(0, 2) });
    const fewer = findingFour([
      { label: 'full', rec: pair(full) },
      { label: 'groups m=4 (similarity)', rec: pair(perfect) },
    ]);
    expect(fewer.rows[1]).toMatchObject({ holds: false, undecided: true });
    // Random groups of 4 must rank ≥ 0.1 below similar ones, paired: the perfect policy as similarity, full as random.
    const rand = findingFour([
      { label: 'full', rec: full },
      { label: 'groups m=4 (similarity)', rec: perfect },
      { label: 'groups m=4 (random)', rec: full },
    ]);
    expect(rand.rows[2]).toMatchObject({
      holds: true,
      target: 'Mean ≥ 0.1 below similarity m=4, paired sign test p < 0.05',
    });
    expect(partly.verdict).toMatch(/^Partly here \(1 of 2 statistics hold\); not: prefix k=0 was neither/);
    expect(f.verdict).not.toMatch(/target/);
    // Full sharing alone: nothing to judge against it; the card says so, not "holds" (0 of 0) vacuously.
    const lone = findingFour([{ label: 'full', rec: full }]);
    expect(lone.verdict).toMatch(/^Nothing to compare yet/);
    expect(verdictTally(lone.rows)).toEqual({ word: 'not measurable', held: 0, judged: 0 });
    // The card's one verdict in a word, counting judged rows only (the reference row is not one).
    expect(verdictTally(partly.rows)).toEqual({ word: 'partly', held: 1, judged: 2 });
    expect(verdictTally(f.rows)).toEqual({ word: 'not here', held: 0, judged: 1 });
    expect(verdictTally([partly.rows[1]])).toEqual({ word: 'holds', held: 1, judged: 1 });
    // Rows without a value: "not measurable" only when no judged row has one (or the reference lacks data).
    expect(verdictTally([{ holds: undefined }, { holds: undefined }])).toMatchObject({ word: 'not measurable' });
    expect(verdictTally([{ holds: undefined, reference: true }, { holds: false }])).toMatchObject({
      word: 'not measurable',
    });
    expect(verdictTally([{ holds: undefined }, { holds: false }, { holds: false }])).toEqual({
      word: 'not here',
      held: 0,
      judged: 3,
    });
    expect(verdictTally([{ holds: undefined }, { holds: true }])).toEqual({ word: 'partly', held: 1, judged: 2 });
  });
});

describe('tests over instances and steps', () => {
  it('sign test: one-sided binomial tail at ½', () => {
    expect(signTestP(5, 5)).toBeCloseTo(1 / 32, 12);
    expect(signTestP(4, 5)).toBeCloseTo(6 / 32, 12);
    expect(signTestP(2, 2)).toBeCloseTo(1 / 4, 12);
    expect(signTestP(0, 3)).toBe(1);
  });
  it('t statistic: mean over the standard error (sample standard deviation)', () => {
    // mean 2, sample sd 1 → se 1/√3
    expect(tStatistic([1, 2, 3])).toBeCloseTo(2 * Math.sqrt(3), 12);
    expect(tStatistic([1])).toBeNaN();
  });
  it('the child just trained: rank places gained over its step, on consecutive dense points only', () => {
    // 4 children; step 2 trains child 1 (rank 2 → 1: +1), step 3 trains child 2 (rank 3 → 4: −1); step 5 skips one.
    const rows = [
      [4, 3, 2, 1],
      [3, 5, 2, 1],
      [4, 3, 0, 1],
      [4, 3, 2, 1],
    ];
    const inst = {
      points: [1, 2, 3, 5].map((step) => ({ step, epoch: 1, epochEnd: false, dense: true })),
      accuracy: rows,
      trainOrder: [[0, 1, 2, 3, 0]],
    } as unknown as InstanceRecord;
    expect(trainedChildRankGains(inst)).toEqual([1, -1]);
  });
  it('sharpness: the lag-period Kendall above the mean of its neighbours at ±2', () => {
    // A ranking that repeats exactly every 4 steps and is reversed or shuffled in between.
    const base = [1, 2, 3, 4, 5];
    const others = [
      [5, 4, 3, 2, 1],
      [2, 1, 4, 3, 5],
      [1, 3, 2, 5, 4],
    ];
    const rows = Array.from({ length: 16 }, (_, i) => (i % 4 === 0 ? base : others[(i % 4) - 1]));
    const inst = {
      points: rows.map((_, k) => ({ step: k + 1, epoch: 1, epochEnd: false, dense: true })),
      accuracy: rows,
      trainOrder: [[]],
    } as unknown as InstanceRecord;
    const expected = lagKendall(rows, 4) - (lagKendall(rows, 2) + lagKendall(rows, 6)) / 2;
    expect(lagSharpness(inst, 4)).toBeCloseTo(expected, 12);
    expect(lagKendall(rows, 4)).toBe(1);
  });
});

describe('per-instance statistics (docs/findings-instances.json)', () => {
  it('each instance carries the values the report’s tests are computed from', () => {
    const rec = fakeRecord({ instances: 3 });
    const gt = rec.groundTruth!.mean;
    // A dense window of 8 steps, period 2: the ranking alternates between the truth's and its reverse.
    rec.jobs = [[0, 1]];
    for (const inst of rec.instances) {
      inst.accuracy = Array.from({ length: 8 }, (_, k) => gt.map((g) => (k % 2 ? 1 - g : g) + inst.index * 1e-3));
      inst.points = inst.accuracy.map((_, k) => ({ step: k + 1, epoch: 1, epochEnd: false, dense: true }));
      inst.trainOrder = [inst.accuracy.map((_, k) => k % 2)];
    }
    const stats = recordStats(rec);
    expect(stats.name).toBe(rec.config.name);
    expect(stats.instances.map((i) => i.index)).toEqual(rec.instances.map((i) => i.index));
    rec.instances.forEach((inst, k) => {
      const s = stats.instances[k];
      expect(s.gtTau).toBeCloseTo(kendallTau(finalRow(inst), gt), 4);
      expect(s.bottomQuarterInBottomHalf).toBeCloseTo(bottomQuarterInBottomHalf(finalRow(inst), gt), 4);
      const window = denseRows(inst)
        .slice(-64)
        .map((r) => kendallTau(r, gt));
      expect(s.mean64).toBeCloseTo(mean(window), 4);
      expect(s.lagDifference).toBeCloseTo(periodicity(inst, 2).difference, 4);
      expect(s.lagDifference).toBeCloseTo(2, 4);
      expect(s.consecutive).toBeCloseTo(-1, 4);
      expect(s.trainedGain?.n).toBe(7);
    });
    // Compact: a few hundred bytes an instance, not the accuracy matrix.
    expect(JSON.stringify(stats).length).toBeLessThan(400 * rec.instances.length + 300);
  });
});

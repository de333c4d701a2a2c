// Pure app logic: share links and chart data (views are pure functions of run data).
import { describe, expect, it } from 'vitest';
import { preset } from '../src/engine/config';
import type { RunRecord } from '../src/engine/record';
import { decodeLink, encodeLink } from '../src/lib/state/shareLink';
import { GALLERY } from '../src/lib/state/presets';
import { bestPicks, childColours, rankSpread, sharingPoints, tauCurves, traces } from '../src/lib/views/chartData';
import { computeMetrics } from '../src/engine/summary';
import { summarizeGroundTruth } from '../src/engine/experiment';

describe('share links', () => {
  it('round-trips every preset exactly', () => {
    for (const g of GALLERY) {
      const r = decodeLink(encodeLink(g.config));
      expect(r).toEqual({ kind: 'ok', config: g.config });
    }
  });
  it('explains malformed, truncated, newer and invalid links', () => {
    expect(decodeLink('')).toEqual({ kind: 'none' });
    expect(decodeLink('#foo=bar')).toMatchObject({ kind: 'error', message: expect.stringMatching(/not a Supernet Playground/) });
    const good = encodeLink(preset('tiny'));
    expect(decodeLink(good.slice(0, good.length - 20))).toMatchObject({ kind: 'error', message: expect.stringMatching(/damaged|not valid/) });
    expect(decodeLink(good.replace('v=1', 'v=2'))).toMatchObject({ kind: 'error', message: expect.stringMatching(/newer version/) });
    const bad = preset('tiny');
    bad.train.epochs = -3;
    expect(decodeLink(encodeLink(bad))).toMatchObject({ kind: 'error', message: expect.stringMatching(/train.epochs/) });
  });
});

/** A synthetic record: 2 instances, 3 epochs + 2 dense points; child c's accuracy rises with c. */
function fakeRecord(): RunRecord {
  const cfg = preset('tiny');
  cfg.instances = 2;
  const row = (shift: number) => Array.from({ length: 64 }, (_, c) => (c + shift * ((c * 7) % 5)) / 100);
  const inst = (i: number) => ({
    index: i,
    seeds: { init: i, data: i, order: 0 },
    points: [1, 2, 3, 3.5, 4].map((e, k) => ({ step: (k + 1) * 10, epoch: Math.ceil(e), epochEnd: k < 3 || k === 4, dense: k >= 3 })),
    accuracy: [0, 1, 2, 3, 4].map((k) => row(k + i)),
    trainOrder: [Array.from({ length: 50 }, (_, s) => s % 64)],
    loss: [new Array(50).fill(1)],
    status: 'complete' as const,
  });
  const rec = {
    schemaVersion: 1, kind: 'supernet-playground/run', createdAt: '', config: cfg, configHash: 'x', engine: { backend: 'cpu', tfjs: '' },
    dataset: { name: 's', classes: [], trainSize: 1, valSize: 1, inputSize: 16 }, parameterCount: 1, childNames: [], groupMap: new Array(64).fill(0), jobs: [],
    instances: [inst(0), inst(1)], status: 'complete', seconds: 1,
    groundTruth: summarizeGroundTruth([row(0), row(1)], 'test'),
  } as RunRecord;
  rec.metrics = computeMetrics(rec);
  return rec;
}

describe('chart data', () => {
  const r = fakeRecord();
  it('traces: 64 series over the dense window, with the trained child at each point', () => {
    const t = traces(r)!;
    expect(t.dense).toBe(true);
    expect(t.series).toHaveLength(64);
    expect(t.steps).toEqual([40, 50]);
    expect(t.trained).toEqual([[39], [49]]);
  });
  it('tau curves: one S-Tau and GT-Tau per epoch end, noise floor from the GT seeds', () => {
    const c = tauCurves(r);
    expect(c.epochs).toEqual([1, 2, 3, 4]);
    expect(c.gtTau).toHaveLength(2);
    expect(c.noiseFloor).toBeGreaterThan(0);
  });
  it('rank spread is ordered by ground truth, best first', () => {
    const s = rankSpread(r)!;
    expect(s.children[0].gtRank).toBe(1);
    expect(s.children[63].gtRank).toBe(64);
    expect(s.children[0].ranks).toHaveLength(2);
  });
  it('best picks count instances × epoch ends', () => {
    expect(bestPicks(r).reduce((a, p) => a + p.count, 0)).toBe(8);
  });
  it('colours follow viridis by GT rank (best = yellow end)', () => {
    const col = childColours(r);
    expect(col[63]).not.toBe(col[0]);
  });
  it('sharing points: one per run with ground truth and a dense window', () => {
    expect(sharingPoints([r])).toEqual([expect.objectContaining({ copies: 1, source: 'this browser' })]);
  });
});

// Interference probed directly: train one child a few steps from a supernet's weights and see who moves. Checked on
// cases whose answer is known: without sharing nobody else moves; the grouping by shared edges counts right; the
// supernet is put back exactly.
import { describe, expect, it } from 'vitest';
import { makeBatch } from '../src/engine/data/dataset';
import { WeightStore } from '../src/engine/model/weightStore';
import { PAPER_SPACE } from '../src/engine/space/searchSpace';
import { groupBySharedEdges, probeInterference, sharedEdges } from '../src/engine/train/probe';
import { trainStep } from '../src/engine/train/trainer';
import { useBackend } from '../src/node/backends';
import { child, microConfig, microData, sgd } from './helpers';

describe('interference probe', () => {
  it('counts shared edges and groups the children by them (hand-built changes)', () => {
    expect(sharedEdges(PAPER_SPACE, child('111'), child('111'))).toBe(3);
    expect(sharedEdges(PAPER_SPACE, child('111'), child('141'))).toBe(2);
    expect(sharedEdges(PAPER_SPACE, child('123'), child('321'))).toBe(1);
    expect(sharedEdges(PAPER_SPACE, child('111'), child('222'))).toBe(0);
    const before = new Array(64).fill(0.5);
    // Each child moves by the number of edges it shares with 111; the control by a tenth of that.
    const k = (c: number) => sharedEdges(PAPER_SPACE, c, 0);
    const after = before.map((b, c) => b + k(c));
    const control = before.map((b, c) => b + k(c) / 10);
    const g = groupBySharedEdges(PAPER_SPACE, 0, before, after, control);
    expect(g.map((x) => [x.shared, x.children.length])).toEqual([
      [0, 27],
      [1, 27],
      [2, 9],
    ]);
    for (const x of g) {
      expect(x.change).toBeCloseTo(x.shared, 12);
      expect(x.se).toBeCloseTo(0, 12);
      expect(x.controlChange).toBeCloseTo(x.shared / 10, 12);
    }
  });

  it('without sharing, training one child moves no other; the store is restored exactly', async () => {
    await useBackend('wasm');
    const cfg = microConfig({ sharing: { kind: 'none' } });
    const data = microData(cfg);
    const store = new WeightStore(cfg, 3);
    const batches = [0, 1].map((k) => makeBatch(data.train, [8 * k, 8 * k + 1, 8 * k + 2, 8 * k + 3]));
    const before = await store.snapshot();
    const r = await probeInterference(store, child('234'), batches, sgd(cfg, 0.2), data.val);
    for (let c = 0; c < 64; c++)
      if (c !== r.child) {
        expect(r.after[c], `child ${c}`).toBe(r.before[c]);
        expect(r.control[c], `child ${c}`).toBe(r.before[c]);
      }
    expect(r.groups.every((g) => g.change === 0 && g.controlChange === 0)).toBe(true);
    const back = await store.snapshot();
    for (const [key, s] of before) expect(back.get(key)!.value, key).toEqual(s.value);
    store.dispose();
  });

  it('under full sharing other children move, and the store is restored exactly', async () => {
    await useBackend('wasm');
    const cfg = microConfig();
    const data = microData(cfg);
    const store = new WeightStore(cfg, 3);
    const batches = [0, 1, 2].map((k) => makeBatch(data.train, [8 * k, 8 * k + 1, 8 * k + 2, 8 * k + 3]));
    // A few supernet steps first, so the children are not all at chance.
    for (let s = 0; s < 12; s++) await trainStep(store, (s * 7) % 64, batches[s % 3], sgd(cfg, 0.1));
    const before = await store.snapshot();
    const r = await probeInterference(store, child('111'), batches, sgd(cfg, 0.5), data.val);
    const moved = r.after.filter((a, c) => c !== r.child && a !== r.before[c]).length;
    expect(moved).toBeGreaterThan(0);
    expect(r.groups.map((g) => g.shared)).toEqual([0, 1, 2]);
    const back = await store.snapshot();
    for (const [key, s] of before) expect(back.get(key)!.value, key).toEqual(s.value);
    store.dispose();
  });
});

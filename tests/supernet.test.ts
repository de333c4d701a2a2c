// Weight sharing, isolation, determinism and tensor hygiene of the real engine (tfjs wasm and cpu).
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import type { ExperimentConfig } from '../src/engine/schema/config';
import { makeBatch, subset } from '../src/engine/data/dataset';
import { runExperiment, runInstance, type ChildEvaluator, type InstanceHelper } from '../src/engine/train/experiment';
import { groupMap, jobsOf } from '../src/engine/space/sharing';
import { evaluateChildren, NonFiniteLossError, trainStep } from '../src/engine/train/trainer';
import { WeightStore } from '../src/engine/model/weightStore';
import { forward } from '../src/engine/model/forward';
import { useBackend } from '../src/node/backends';
import { child as childIndex, hygieneRun, microConfig, microData, sgd } from './helpers';
import { PAPER_SPACE } from '../src/engine/space/searchSpace';

/** Eval-mode logits of a child on a fixed batch. */
function logits(store: WeightStore, child: number, x: tf.Tensor4D): Float32Array {
  return tf.tidy(
    () =>
      forward(
        { w: store.resolver(child), training: false },
        x,
        PAPER_SPACE,
        PAPER_SPACE.arch(child),
        store.cfg.model,
      ).dataSync() as Float32Array,
  );
}

async function oneStepChanges(cfg: ExperimentConfig, trained: string, watched: string[]) {
  await useBackend('wasm');
  const data = microData(cfg);
  const store = new WeightStore(cfg, 1);
  const x = tf.tensor4d(makeBatch(data.val, [0, 1, 2, 3]).x, [4, 8, 8, 3]);
  const before = watched.map((c) => logits(store, childIndex(c), x));
  await trainStep(store, childIndex(trained), makeBatch(data.train, [0, 1, 2, 3, 4, 5, 6, 7]), sgd(store.cfg, 0.1));
  const after = watched.map((c) => logits(store, childIndex(c), x));
  x.dispose();
  store.dispose();
  return watched.map((_, i) => ({ changed: before[i].some((v, k) => v !== after[i][k]) }));
}

describe('weight sharing', () => {
  it('full sharing: one step on 111 changes a child that shares slots with it', async () => {
    const [c112, c444] = await oneStepChanges(microConfig(), '111', ['112', '444']);
    expect(c112.changed).toBe(true);
    // 444 shares no op with 111 but shares stem, preprocessing and classifier.
    expect(c444.changed).toBe(true);
  });

  it('groups: a child of another group stays bit-identical', async () => {
    const cfg = microConfig({ sharing: { kind: 'groups', m: 2, partition: 'similarity', partitionSeed: 42 } });
    expect(groupMap(cfg.sharing, PAPER_SPACE)[childIndex('111')]).toBe(0);
    expect(groupMap(cfg.sharing, PAPER_SPACE)[childIndex('444')]).toBe(1);
    const [same, other] = await oneStepChanges(cfg, '111', ['112', '444']);
    expect(same.changed).toBe(true);
    expect(other.changed).toBe(false);
  });

  it('none: every child is its own island', async () => {
    const [c112] = await oneStepChanges(microConfig({ sharing: { kind: 'none' } }), '111', ['112']);
    expect(c112.changed).toBe(false);
  });

  it('prefix-k: stem and first k cells shared, later cells and the classifier per child', async () => {
    await useBackend('wasm');
    const cfg = microConfig({ sharing: { kind: 'prefix', k: 1 } });
    const data = microData(cfg);
    const store = new WeightStore(cfg, 1);
    const a = childIndex('111');
    const b = childIndex('112');
    expect(store.keyOf(a, 'stem.conv0')).toBe(store.keyOf(b, 'stem.conv0'));
    expect(store.keyOf(a, 'cell0.e0.o0.bn.mean')).toBe(store.keyOf(b, 'cell0.e0.o0.bn.mean'));
    expect(store.keyOf(a, 'cell1.pre.conv')).not.toBe(store.keyOf(b, 'cell1.pre.conv'));
    expect(store.keyOf(a, 'head.w')).not.toBe(store.keyOf(b, 'head.w'));
    const snap0 = await store.snapshot();
    await trainStep(store, a, makeBatch(data.train, [0, 1, 2, 3, 4, 5, 6, 7]), sgd(store.cfg, 0.1));
    const snap1 = await store.snapshot();
    const moved = (key: string) => snap0.get(key)!.value.some((v, i) => v !== snap1.get(key)!.value[i]);
    expect(moved(store.keyOf(a, 'stem.conv0'))).toBe(true);
    expect(moved(store.keyOf(a, 'cell1.pre.conv'))).toBe(true);
    expect(moved(store.keyOf(b, 'cell1.pre.conv'))).toBe(false);
    expect(moved(store.keyOf(b, 'head.w'))).toBe(false);
    // Unshared state includes momentum: b has none yet, a has its own.
    expect(store.copies.get(store.keyOf(b, 'head.w'))!.momentum).toBeUndefined();
    expect(store.copies.get(store.keyOf(a, 'head.w'))!.momentum).toBeDefined();
    store.dispose();
  });

  it('a fixed stem: the same convs in every run and child, never trained; its BN and the rest train', async () => {
    await useBackend('wasm');
    const base = microConfig({ sharing: { kind: 'none' } });
    const cfg = { ...base, model: { ...base.model, fixedStem: true } };
    const data = microData(cfg);
    const [s1, s2] = [new WeightStore(cfg, 1), new WeightStore(cfg, 2)];
    const a = childIndex('111');
    const b = childIndex('444');
    const [snap0, other] = [await s1.snapshot(), await s2.snapshot()];
    for (const slot of ['stem.conv0', 'stem.conv1']) {
      const v = snap0.get(s1.keyOf(a, slot))!.value;
      expect(snap0.get(s1.keyOf(b, slot))!.value).toEqual(v);
      expect(other.get(s2.keyOf(a, slot))!.value).toEqual(v);
    }
    // A learned stem differs between seeds.
    const learned = [new WeightStore(base, 1), new WeightStore(base, 2)];
    const [l1, l2] = await Promise.all(
      learned.map(async (s) => (await s.snapshot()).get(s.keyOf(a, 'stem.conv0'))!.value),
    );
    expect(l1).not.toEqual(l2);
    learned.forEach((s) => s.dispose());
    await trainStep(s1, a, makeBatch(data.train, [0, 1, 2, 3, 4, 5, 6, 7]), sgd(cfg, 0.1));
    const snap1 = await s1.snapshot();
    const moved = (slot: string) => {
      const key = s1.keyOf(a, slot);
      return snap0.get(key)!.value.some((v, i) => v !== snap1.get(key)!.value[i]);
    };
    expect(moved('stem.conv0')).toBe(false);
    expect(moved('stem.conv1')).toBe(false);
    expect(moved('stem.bn0.gamma')).toBe(true);
    expect(moved('cell0.pre.conv')).toBe(true);
    expect(s1.trainableCopies(a).some((c) => c.slot.name.startsWith('stem.conv'))).toBe(false);
    s1.dispose();
    s2.dispose();
  });

  it('unshare-bn keys only BN state per child; conv-only shares only convs', () => {
    const s1 = new WeightStore(microConfig({ sharing: { kind: 'unshare-bn' } }), 0);
    expect(s1.keyOf(0, 'stem.bn0.gamma')).not.toBe(s1.keyOf(1, 'stem.bn0.gamma'));
    expect(s1.keyOf(0, 'stem.conv0')).toBe(s1.keyOf(1, 'stem.conv0'));
    s1.dispose();
    const s2 = new WeightStore(microConfig({ sharing: { kind: 'conv-only' } }), 0);
    expect(s2.keyOf(0, 'stem.conv0')).toBe(s2.keyOf(1, 'stem.conv0'));
    expect(s2.keyOf(0, 'head.w')).not.toBe(s2.keyOf(1, 'head.w'));
    s2.dispose();
  });

  it('jobs: groups and none train independent jobs, random partition is seeded', () => {
    expect(jobsOf({ kind: 'groups', m: 16, partition: 'random', partitionSeed: 42 }, PAPER_SPACE)).toHaveLength(16);
    expect(jobsOf({ kind: 'none' }, PAPER_SPACE)).toHaveLength(64);
    expect(jobsOf({ kind: 'prefix', k: 2 }, PAPER_SPACE)).toHaveLength(1);
    const g1 = groupMap({ kind: 'groups', m: 16, partition: 'random', partitionSeed: 42 }, PAPER_SPACE);
    expect(groupMap({ kind: 'groups', m: 16, partition: 'random', partitionSeed: 42 }, PAPER_SPACE)).toEqual(g1);
    expect(groupMap({ kind: 'groups', m: 16, partition: 'random', partitionSeed: 7 }, PAPER_SPACE)).not.toEqual(g1);
    expect(g1.filter((g) => g === 3)).toHaveLength(4);
  });
});

describe('determinism', () => {
  for (const backend of ['cpu', 'wasm'] as const) {
    it(`same config and seed → identical accuracy matrix on ${backend}`, async () => {
      await useBackend(backend);
      const cfg = microConfig({
        train: { ...microConfig().train, order: 'shuffle-period' },
        data: { ...microConfig().data, augment: true },
      });
      const data = microData(cfg);
      const a = await runInstance(cfg, 0, data);
      const b = await runInstance(cfg, 0, data);
      expect(a.accuracy).toEqual(b.accuracy);
      expect(a.loss).toEqual(b.loss);
      expect(a.trainOrder).toEqual(b.trainOrder);
      const c = await runInstance({ ...cfg, seed: 5 }, 0, data);
      expect(c.loss).not.toEqual(a.loss);
    });
  }
});

describe('tensor hygiene', () => {
  it('tf.memory().numTensors stays flat over 200 training steps plus an evaluation', async () => {
    await useBackend('wasm');
    const { before, after, disposed } = await hygieneRun(200);
    expect(after[0]).toBe(before[0]);
    expect(disposed[0]).toBeLessThan(before[0]);
  });

  it('a NaN or absurd loss raises a clear error and applies nothing', async () => {
    await useBackend('wasm');
    const cfg = microConfig();
    const data = microData(cfg);
    const store = new WeightStore(cfg, 0);
    const b = makeBatch(data.train, [0, 1, 2, 3]);
    await trainStep(store, 0, b, sgd(store.cfg, 1e30)); // explodes the weights
    let err: unknown;
    for (let i = 0; i < 5 && !err; i++) {
      const snap = await store.snapshot();
      try {
        await trainStep(store, 0, b, sgd(store.cfg, 1e30), 7);
      } catch (e) {
        err = e;
        const after = await store.snapshot();
        for (const [k, v] of snap) expect(after.get(k)!.value).toEqual(v.value);
      }
    }
    expect(err).toBeInstanceOf(NonFiniteLossError);
    // Exploded weights give NaN, Infinity or a finite loss far past 1000 × ln(classes): all count as divergence.
    const loss = /loss became (NaN|-?Infinity|[\d.]+e\+\d+) at step 7 while training child 111/;
    expect((err as Error).message).toMatch(loss);
    store.dispose();
  });
});

describe('evaluation', () => {
  it('sharing the stem and cell-0 intermediates between children changes no accuracy', async () => {
    await useBackend('wasm');
    for (const sharing of [
      { kind: 'full' as const },
      { kind: 'groups' as const, m: 4, partition: 'random' as const, partitionSeed: 1 },
      { kind: 'prefix' as const, k: 0 },
    ]) {
      const cfg = microConfig({ sharing });
      // Cells after the first pooled 2×2 (cellPool): cell 0's outputs are pooled once, then added per child.
      if (sharing.kind === 'full') cfg.model = { ...cfg.model, numCells: 3, cellPool: 2 };
      const data = microData(cfg);
      const store = new WeightStore(cfg, 2);
      for (let s = 0; s < 6; s++)
        await trainStep(store, (s * 11) % 64, makeBatch(data.train, [s, s + 1, s + 2, s + 3]), sgd(store.cfg, 0.05));
      const all = await evaluateChildren(
        store,
        Array.from({ length: 64 }, (_, i) => i),
        data.val,
        { batchSize: 8 },
      );
      for (const c of [0, 5, 21, 42, 63])
        expect((await evaluateChildren(store, [c], data.val, { batchSize: 8 }))[0]).toBe(all[c]);
      store.dispose();
    }
  });
});

describe('experiment', () => {
  it('records one row per evaluation point, dense rows at the end, and the child trained at each step', async () => {
    await useBackend('wasm');
    const cfg = microConfig({ instances: 2 });
    const rec = await runExperiment(cfg, microData(cfg), undefined);
    expect(rec.status).toBe('complete');
    expect(rec.instances).toHaveLength(2);
    const inst = rec.instances[0];
    // 2 epochs × 4 steps: epoch ends at 4 and 8, dense at 7 and 8 → points 4, 7, 8.
    expect(inst.points.map((p) => p.step)).toEqual([4, 7, 8]);
    expect(inst.points.map((p) => p.dense)).toEqual([false, true, true]);
    expect(inst.trainOrder[0]).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(inst.accuracy.every((r) => r.length === 64 && r.every((v) => v >= 0 && v <= 1))).toBe(true);
    expect(rec.metrics?.sTau.pairs).toBe(1);
  });

  it('instances run by helpers (another worker in the page) give the same record, in index order', async () => {
    await useBackend('wasm');
    const cfg = microConfig({ instances: 3 });
    const data = microData(cfg);
    const alone = await runExperiment(cfg, data, undefined);
    const taken: number[] = [];
    // A helper on the same backend: here the same thread, yielding so both loops interleave.
    const helper: InstanceHelper = async (i, onUpdate) => {
      taken.push(i);
      return runInstance(cfg, i, data, {
        onInstanceStart: onUpdate,
        yieldNow: () => new Promise((r) => setTimeout(r)),
      });
    };
    let shown = 0;
    const together = await runExperiment(
      cfg,
      data,
      undefined,
      {
        // What the page draws while both run: instances in index order, none without an evaluation row.
        onRecord: (r) => {
          shown++;
          expect(r.instances.every((i) => i.accuracy.length > 0)).toBe(true);
          expect(r.instances.map((i) => i.index)).toEqual([...r.instances.map((i) => i.index)].sort());
        },
      },
      { helpers: [helper] },
    );
    expect(shown).toBeGreaterThan(3);
    expect(taken).toEqual([2]);
    expect(together.status).toBe('complete');
    expect(together.instances.map((i) => i.index)).toEqual([0, 1, 2]);
    expect(together.instances).toEqual(alone.instances);
    expect(together.metrics).toEqual(alone.metrics);

    // A helper that fails hands its instance back: same record, trained here.
    const failing: InstanceHelper = () => Promise.reject(new Error('worker crashed'));
    const fallback = await runExperiment(cfg, data, undefined, {}, { helpers: [failing] });
    expect(fallback.status).toBe('complete');
    expect(fallback.instances).toEqual(alone.instances);

    // Resume after a helper finished instance 2 while instance 1 was unfinished: only 1 is trained again.
    const partial = { ...structuredClone(alone), status: 'partial' as const };
    partial.instances = [alone.instances[0], alone.instances[2]].map((i) => structuredClone(i));
    let started: number[] = [];
    const resumed = await runExperiment(
      cfg,
      data,
      undefined,
      { onInstanceStart: (i) => (started = [...started, i.index]) },
      { resume: partial },
    );
    expect(started).toEqual([1]);
    expect(resumed.instances).toEqual(alone.instances);
  });

  it('an evaluator elsewhere (a helper worker) taking half of each evaluation changes no accuracy', async () => {
    await useBackend('wasm');
    for (const sharing of [
      { kind: 'groups' as const, m: 4, partition: 'similarity' as const, partitionSeed: 1 },
      { kind: 'prefix' as const, k: 0 },
    ]) {
      const cfg = microConfig({ sharing });
      const data = microData(cfg);
      const alone = await runInstance(cfg, 0, data);
      let calls = 0;
      // Its own store from the snapshot, as the helper worker builds one.
      const evaluator: ChildEvaluator = async (snap, kids) => {
        calls++;
        const st = new WeightStore(cfg, 12345, kids);
        st.restore(snap);
        const acc = await evaluateChildren(st, kids, subset(data.val, cfg.eval.valSize), {
          batchSize: cfg.eval.batchSize,
        });
        st.dispose();
        return acc;
      };
      const split = await runInstance(cfg, 0, data, {}, { evaluator });
      expect(calls).toBe(alone.points.length);
      expect(split.accuracy).toEqual(alone.accuracy);
      // A failing evaluator: the thread evaluates those children itself.
      const failing = await runInstance(cfg, 0, data, {}, { evaluator: () => Promise.reject(new Error('gone')) });
      expect(failing.accuracy).toEqual(alone.accuracy);
    }
  });

  it('fine-tuning evaluates every child after each step', async () => {
    await useBackend('wasm');
    const cfg = microConfig({ finetune: { steps: 2 } });
    const inst = await runInstance(cfg, 0, microData(cfg));
    expect(inst.finetune?.accuracy).toHaveLength(3);
    expect(inst.finetune?.accuracy[0]).toEqual(inst.accuracy[inst.accuracy.length - 1]);
  });
});

describe('stock-gradient baseline (bench)', () => {
  it('stock tfjs ops and autodiff give the same loss and gradients as ours on cpu', async () => {
    const { useStockGradients } = await import('../src/engine/kernels/gradients');
    const { lossAndGradients } = await import('../src/engine/train/trainer');
    await useBackend('cpu');
    const cfg = microConfig();
    const data = microData(cfg);
    const batch = makeBatch(data.train, [0, 1, 2, 3, 4, 5, 6, 7]);
    for (const child of [childIndex('123'), childIndex('312')]) {
      const store = new WeightStore(cfg, 4);
      useStockGradients(true);
      const stock = await lossAndGradients(store, child, batch);
      useStockGradients(false);
      const ours = await lossAndGradients(store, child, batch);
      store.dispose();
      expect(Math.abs(ours.loss - stock.loss)).toBeLessThan(1e-5 * Math.abs(stock.loss));
      for (const [k, g] of stock.grads) {
        const o = ours.grads.get(k)!;
        const num = Math.hypot(...o.map((v, i) => v - g[i]));
        expect(num / Math.max(Math.hypot(...g), 1e-12), k).toBeLessThan(1e-4);
      }
    }
  });
});

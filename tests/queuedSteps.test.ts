// Steps queued without a read-back each (what a GPU runs): the same losses, weights and records as
// steps that read their loss first; a non-finite loss leaves the weights of the last good step, on
// the device; and the losses come back in one read. On webgpu (Dawn here) with our WGSL kernels, and
// on the cpu backend (tfjs ops: the guard as tf.where).
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { makeBatch } from '../src/engine/data/dataset';
import { runInstance } from '../src/engine/train/experiment';
import { queueStep, readLosses, trainStep, useDeferredLossReads } from '../src/engine/train/trainer';
import { WeightStore } from '../src/engine/model/weightStore';
import { useBackend } from '../src/node/backends';
import { liveCounts, microConfig, microData, sgd } from './helpers';

type Backend = 'webgpu' | 'cpu';

async function weights(store: WeightStore) {
  const out: Record<string, number[]> = {};
  for (const [k, v] of await store.snapshot()) {
    out[k] = [...v.value];
    if (v.momentum) out[`${k}.m`] = [...v.momentum];
  }
  return out;
}

/** Six steps over a few children, step `bad` (if any) on a batch whose pixels are NaN. */
function steps(bad = -1) {
  const cfg = microConfig();
  const data = microData(cfg);
  const nan = makeBatch(data.train, [0, 1, 2, 3]);
  nan.x.fill(Number.NaN);
  return {
    cfg,
    batches: [0, 1, 2, 3, 4, 5].map((s) => ({
      child: [0, 21, 42, 0, 63, 21][s],
      batch: s === bad ? nan : makeBatch(data.train, [s, s + 3, s + 7, s + 11]),
    })),
  };
}

async function immediate(bad = -1) {
  const { cfg, batches } = steps(bad);
  const store = new WeightStore(cfg, 1);
  const losses: number[] = [];
  let error: unknown;
  for (const [s, b] of batches.entries())
    try {
      losses.push(await trainStep(store, b.child, b.batch, sgd(cfg, 0.05), s + 1));
    } catch (e) {
      error = e;
      break;
    }
  const w = await weights(store);
  store.dispose();
  return { losses, error, w };
}

async function queued(bad = -1) {
  const { cfg, batches } = steps(bad);
  const store = new WeightStore(cfg, 1);
  const backend = tf.backend() as unknown as { read(id: object): Promise<unknown> };
  const read = backend.read.bind(backend);
  let reads = 0;
  backend.read = (id: object) => (reads++, read(id));
  try {
    const pending = batches.map((b) => queueStep(store, b.child, b.batch, sgd(cfg, 0.05)));
    const readsWhileQueued = reads;
    const losses = await readLosses(pending);
    const readsForLosses = reads - readsWhileQueued;
    return { losses, readsWhileQueued, readsForLosses, w: await weights(store) };
  } finally {
    backend.read = read;
    store.dispose();
  }
}

describe('queued steps (no read-back per step)', { timeout: 180_000 }, () => {
  for (const backend of ['webgpu', 'cpu'] as Backend[]) {
    it(`${backend}: the same losses and weights as steps that read first, nothing read until the end`, async () => {
      await useBackend(backend);
      const a = await immediate();
      const b = await queued();
      expect(b.losses).toEqual(a.losses);
      expect(b.w).toEqual(a.w);
      if (backend === 'webgpu') {
        expect(b.readsWhileQueued).toBe(0);
        expect(b.readsForLosses).toBe(1);
      }
    });

    it(`${backend}: a NaN loss keeps the last good step's weights; later queued steps change nothing`, async () => {
      await useBackend(backend);
      const a = await immediate(2);
      expect(a.losses).toHaveLength(2);
      const b = await queued(2);
      expect(b.losses.slice(0, 2)).toEqual(a.losses);
      expect(Number.isNaN(b.losses[2])).toBe(true);
      // Steps 4–6 ran on the device after the NaN: their updates were skipped. (They created the momentum
      // buffers of children not trained before, left at zero: the same as none.)
      const extra = Object.keys(b.w).filter((k) => !(k in a.w));
      expect(extra.every((k) => k.endsWith('.m') && b.w[k].every((v) => v === 0))).toBe(true);
      for (const k of extra) delete b.w[k];
      expect(b.w).toEqual(a.w);
    });
  }

  it('webgpu: a run queues its steps and records the same numbers, also when it diverges', async () => {
    await useBackend('webgpu');
    const cfg = microConfig({ instances: 1 });
    const data = microData(cfg);
    const record = async (deferred: boolean, lr: number) => {
      useDeferredLossReads(deferred);
      try {
        return await runInstance({ ...cfg, train: { ...cfg.train, lr } }, 0, data);
      } finally {
        useDeferredLossReads(undefined);
      }
    };
    await record(true, 0.05); // compiles every shader once
    const before = liveCounts();
    expect(await record(true, 0.05)).toEqual(await record(false, 0.05));
    const diverged = await record(true, 1e30);
    expect(diverged.status).toBe('diverged');
    expect(diverged).toEqual(await record(false, 1e30));
    // Nothing left behind: no queued loss, no halted flag, no buffer.
    expect(liveCounts()).toEqual(before);
  });
});

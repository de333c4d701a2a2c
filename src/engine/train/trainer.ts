// One training step and inherited-weight evaluation, on a WeightStore.
import * as tf from '@tensorflow/tfjs';
import { body, forward, stem, type BnStat, type ForwardCtx } from '../model/forward';
import type { Batch, ImageSet } from '../data/dataset';
import { makeBatch } from '../data/dataset';
import type { ModelConfig, TrainConfig } from '../schema/config';
import { lossDiverged, NonFiniteLossError } from '../core/errors';
import { ownKernels } from '../kernels/gradients';
import { run } from '../kernels/wasmKernels';
import type { WeightStore } from '../model/weightStore';

export { NonFiniteLossError };

/** Everything one SGD step needs besides the weights: the trainer reads no hyperparameter from the store. */
export type StepParams = Pick<TrainConfig, 'lr' | 'momentum' | 'weightDecay' | 'bnMomentum' | 'gradClip'>;

export const toTensors = (b: Batch, numClasses: number) => ({
  x: tf.tensor4d(b.x, [b.n, b.size, b.size, 3]),
  y: tf.oneHot(tf.tensor1d(b.y, 'int32'), numClasses),
});

/** Training-mode forward and backward of one child on one batch: loss and a gradient per trainable copy it reads. */
function forwardBackward(store: WeightStore, child: number, batch: Batch, stats?: BnStat[]) {
  const copies = store.trainableCopies(child);
  return tf.tidy(() => {
    const { x, y } = toTensors(batch, store.numClasses);
    const ctx: ForwardCtx = { w: store.resolver(child), training: true, stats };
    const logits = () => forward(ctx, x, store.space, store.space.arch(child), store.cfg.model);
    return tf.variableGrads(
      () => tf.losses.softmaxCrossEntropy(y, logits()) as tf.Scalar,
      copies.map((c) => c.value),
    );
  });
}

/**
 * Trains `child` on one batch: forward, backward, SGD with momentum keyed by weight copy (tfjs's
 * optimizers key momentum by gradient position and would mix children), then the BN running
 * statistics of the copies the child read. Returns the loss. Nothing is applied if the loss is
 * not finite: the loss is read (asynchronously: webgpu in Node has no readSync) before the update.
 */
export async function trainStep(
  store: WeightStore,
  child: number,
  batch: Batch,
  t: StepParams,
  step = 0,
): Promise<number> {
  const stats: BnStat[] = [];
  const { value, grads } = forwardBackward(store, child, batch, stats);
  try {
    const loss = (await value.data())[0];
    if (lossDiverged(loss, store.numClasses)) throw new NonFiniteLossError(store.space.name(child), step, loss);
    tf.tidy(() => applyUpdate(store, child, grads, stats, t));
    return loss;
  } finally {
    disposeStep(value, grads, stats);
  }
}

/**
 * The same step without reading anything back, for a GPU that should never wait for the CPU: the
 * update is applied on the device only if this loss is finite and no earlier queued step of the
 * store had a non-finite one (a sticky flag on the device), so a diverging run keeps the weights of
 * its last good step, as with trainStep. Returns the loss tensor (the caller disposes it): read many
 * at once with readLosses.
 */
export function queueStep(store: WeightStore, child: number, batch: Batch, t: StepParams): tf.Scalar {
  const stats: BnStat[] = [];
  const { value, grads } = forwardBackward(store, child, batch, stats);
  try {
    tf.tidy(() => {
      const halted = store.haltedFlag();
      // ok = 1 if this loss is finite and nothing was halted before; the flag stays 1 once set.
      const ok = tf.cast(tf.logicalAnd(tf.isFinite(value), tf.equal(halted, 0)), 'float32').reshape([1]);
      applyUpdate(store, child, grads, stats, t, ok);
      halted.assign(tf.sub(1, ok.reshape([])));
    });
    return tf.keep(value);
  } catch (e) {
    value.dispose();
    throw e;
  } finally {
    disposeStep(undefined, grads, stats);
  }
}

/** The losses of queued steps in one read-back (the tensors are disposed); numbers pass through. */
export async function readLosses(losses: (tf.Scalar | number)[]): Promise<number[]> {
  const tensors = losses.filter((l): l is tf.Scalar => typeof l !== 'number');
  if (!tensors.length) return losses as number[];
  let values: Float32Array;
  const all = tf.stack(tensors);
  try {
    values = (await all.data()) as Float32Array;
  } finally {
    all.dispose();
    tf.dispose(tensors);
  }
  let i = 0;
  return losses.map((l) => (typeof l === 'number' ? l : values[i++]));
}

let deferOverride: boolean | undefined;

/** Whether steps are queued without a read-back each (a GPU backend); tests can force either way. */
export const deferLossReads = (): boolean => deferOverride ?? tf.getBackend() === 'webgpu';
export function useDeferredLossReads(on: boolean | undefined): void {
  deferOverride = on;
}

/**
 * SGD with momentum and weight decay on every copy the child trains, then its BN running statistics.
 * With `ok` (a one-element 0/1 tensor), each new value is taken only where ok is 1.
 */
function applyUpdate(
  store: WeightStore,
  child: number,
  grads: tf.NamedTensorMap,
  stats: BnStat[],
  t: StepParams,
  ok?: tf.Tensor,
): void {
  const copies = store.trainableCopies(child);
  const keep = ok ? tf.cast(ok.reshape([]), 'bool') : undefined;
  const guard = <T extends tf.Tensor>(next: T, old: T): T => (keep ? (tf.where(keep, next, old) as T) : next);
  let scale: tf.Scalar | number = 1;
  if (t.gradClip > 0) {
    const norm = tf.sqrt(tf.addN(copies.map((c) => tf.sum(tf.square(grads[c.value.name])))));
    scale = tf.minimum(1, tf.div(t.gradClip, tf.add(norm, 1e-6))) as tf.Scalar;
  }
  for (const c of copies) {
    const w = c.value;
    let g: tf.Tensor = grads[w.name];
    if (scale !== 1) g = tf.mul(g, scale);
    if (ownKernels() && t.momentum > 0) {
      // One kernel for the whole update (the same arithmetic, in the same order, as below).
      const inputs = { ...(c.momentum ? { w, g, m: c.momentum } : { w, g }), ...(ok ? { ok } : {}) };
      const [wNew, mNew] = run('SPSgd', inputs, {
        lr: t.lr,
        momentum: t.momentum,
        weightDecay: t.weightDecay,
      }) as tf.Tensor[];
      if (!c.momentum) c.momentum = tf.variable(tf.zerosLike(w), false);
      c.momentum.assign(mNew);
      w.assign(wNew);
      continue;
    }
    if (t.weightDecay > 0) g = tf.add(g, tf.mul(w, t.weightDecay));
    if (t.momentum > 0) {
      if (!c.momentum) c.momentum = tf.variable(tf.zerosLike(w), false);
      c.momentum.assign(guard(tf.add(tf.mul(c.momentum, t.momentum), g), c.momentum));
      g = c.momentum;
    }
    w.assign(guard(tf.sub(w, tf.mul(g, t.lr)), w));
  }
  const m = t.bnMomentum;
  const w = store.resolver(child);
  for (const s of stats) {
    const mean = w(`${s.slot}.mean`);
    const v = w(`${s.slot}.var`);
    mean.assign(guard(tf.add(tf.mul(mean, 1 - m), tf.mul(s.mean, m)), mean));
    // PyTorch stores the unbiased batch variance in running_var.
    v.assign(guard(tf.add(tf.mul(v, 1 - m), tf.mul(s.variance, (m * s.count) / Math.max(1, s.count - 1))), v));
  }
}

function disposeStep(value: tf.Tensor | undefined, grads: tf.NamedTensorMap, stats: BnStat[]): void {
  value?.dispose();
  for (const g of Object.values(grads)) g.dispose();
  for (const s of stats) {
    s.mean.dispose();
    s.variance.dispose();
  }
}

/**
 * BN statistics re-estimated for one child from training batches (cumulative average), returned
 * as an override map for evaluation; the stored running statistics are left untouched.
 */
export function recalibrateBn(store: WeightStore, child: number, batches: Batch[]): Map<string, tf.Tensor> {
  const sums = new Map<string, { mean: tf.Tensor; var: tf.Tensor }>();
  for (const b of batches) {
    const stats: BnStat[] = [];
    tf.tidy(() => {
      const { x } = toTensors(b, store.numClasses);
      forward(
        { w: store.resolver(child), training: true, stats },
        x,
        store.space,
        store.space.arch(child),
        store.cfg.model,
      );
    });
    for (const s of stats) {
      const unbiased = tf.tidy(() => tf.mul(s.variance, s.count / Math.max(1, s.count - 1)));
      const prev = sums.get(s.slot);
      if (prev) {
        sums.set(s.slot, { mean: tf.add(prev.mean, s.mean), var: tf.add(prev.var, unbiased) });
        prev.mean.dispose();
        prev.var.dispose();
        unbiased.dispose();
      } else sums.set(s.slot, { mean: tf.clone(s.mean), var: unbiased });
      s.mean.dispose();
      s.variance.dispose();
    }
  }
  const out = new Map<string, tf.Tensor>();
  for (const [slot, s] of sums) {
    out.set(`${slot}.mean`, tf.div(s.mean, batches.length));
    out.set(`${slot}.var`, tf.div(s.var, batches.length));
    s.mean.dispose();
    s.var.dispose();
  }
  return out;
}

/**
 * Images per evaluation forward pass that fit the wasm backend's 4 GB heap: a child's forward keeps
 * its activations until its tidy ends, ~40 maps of the widest layer per image (measured: the paper
 * model at 512 images traps with "memory access out of bounds", at 250 it runs). Larger eval batches
 * are split; the accuracy is a sum of per-image results, so the split does not change it.
 */
export function maxEvalImages(m: ModelConfig, budgetBytes = 2 ** 31): number {
  const perImage = m.inputSize * m.inputSize * 4 * Math.max(m.stemChannels, 2 * m.cellChannels) * 40;
  return Math.max(16, Math.floor(budgetBytes / perImage));
}

/**
 * Top-1 accuracy of each child on `val` with inherited weights (BN running statistics).
 * The stem is computed once per batch for every group of children reading the same stem copy —
 * the stem is the largest cost of the forward pass. Counts stay on the device until the end.
 */
export async function evaluateChildren(
  store: WeightStore,
  children: readonly number[],
  val: ImageSet,
  opts: { batchSize: number; recalibration?: Batch[] },
): Promise<number[]> {
  const cfg = store.cfg;
  const counts = new Map<number, tf.Tensor>();
  const overrides = new Map<number, Map<string, tf.Tensor>>();
  if (opts.recalibration && opts.recalibration.length > 0)
    for (const c of children) overrides.set(c, recalibrateBn(store, c, opts.recalibration));
  const byStem = new Map<string, number[]>();
  for (const c of children) {
    const sig = overrides.size ? `child${c}` : store.stemSignature(c);
    byStem.set(sig, [...(byStem.get(sig) ?? []), c]);
  }
  try {
    const step = Math.min(opts.batchSize, maxEvalImages(cfg.model));
    for (let start = 0; start < val.n; start += step) {
      const idx = Array.from({ length: Math.min(step, val.n - start) }, (_, i) => start + i);
      const b = makeBatch(val, idx);
      tf.tidy(() => {
        const x = tf.tensor4d(b.x, [b.n, b.size, b.size, 3]);
        const y = tf.tensor1d(b.y, 'int32');
        for (const [sig, group] of byStem) {
          const ctx0: ForwardCtx = {
            w: store.resolver(group[0]),
            training: false,
            statOverride: overrides.get(group[0]),
          };
          const s = stem(ctx0, x);
          // Cell-0 intermediates shared between children of this stem (not with per-child BN overrides).
          const cache = new Map<string, tf.Tensor>();
          for (const c of group) {
            const memo = overrides.size
              ? undefined
              : { key: (slot: string) => store.keyOf(c, slot), cache, inputKey: sig };
            // One tidy per child: 64 children's activations at once would exhaust wasm's 4 GB heap.
            const total = tf.tidy(() => {
              const ctx: ForwardCtx = { w: store.resolver(c), training: false, statOverride: overrides.get(c), memo };
              const logits = body(ctx, s, store.space, store.space.arch(c), cfg.model);
              const correct = tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), y), 'int32'));
              const prev = counts.get(c);
              return prev ? tf.add(prev, correct) : correct;
            });
            counts.get(c)?.dispose();
            counts.set(c, tf.keep(total));
          }
          for (const t of cache.values()) t.dispose();
        }
      });
    }
    const all = tf.tidy(() => tf.stack(children.map((c) => counts.get(c)!)));
    const data = await all.data();
    all.dispose();
    return children.map((_, i) => data[i] / val.n);
  } finally {
    for (const t of counts.values()) t.dispose();
    for (const m of overrides.values()) for (const t of m.values()) t.dispose();
  }
}

/**
 * Loss and gradient of every trainable copy a child reads, on one batch, without updating
 * anything: for backend self-tests and gradient checks.
 */
export async function lossAndGradients(
  store: WeightStore,
  child: number,
  batch: Batch,
): Promise<{ loss: number; grads: Map<string, Float32Array> }> {
  const { value, grads } = forwardBackward(store, child, batch);
  try {
    const out = new Map<string, Float32Array>();
    for (const c of store.trainableCopies(child)) out.set(c.key, (await grads[c.value.name].data()) as Float32Array);
    return { loss: (await value.data())[0], grads: out };
  } finally {
    value.dispose();
    for (const g of Object.values(grads)) g.dispose();
  }
}

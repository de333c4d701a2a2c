// The child network's forward pass, reading weights through a Resolver (one child's view of the store).
import * as tf from '@tensorflow/tfjs';
import type { ModelConfig } from './config';
import { batchNormTrain, conv2dSame, depthwiseSame, maxPool3x3, pointwise } from './gradients';
import type { Arch } from './searchSpace';
import type { Resolver } from './weightStore';

export const BN_EPS = 1e-5;

/** Batch statistics recorded by a training-mode forward pass, for the running-statistics update. */
export interface BnStat {
  slot: string;
  mean: tf.Tensor;
  variance: tf.Tensor;
  count: number;
}

/**
 * Evaluation-only cache of cell-0 intermediates shared between children: x0 (same stem and
 * preprocessing copy), op_a(x0), op_b(x0) and op_c(x1) (same op copy on the same input): with full
 * sharing 25 op evaluations per batch serve all 64 children instead of 192. `key(slot)` names the copy a slot
 * reads; `cache` holds tensors kept alive by the caller for one batch.
 */
export interface EvalMemo {
  key: (slot: string) => string;
  cache: Map<string, tf.Tensor4D>;
  inputKey: string;
}

export interface ForwardCtx {
  w: Resolver;
  memo?: EvalMemo;
  training: boolean;
  /** Filled in training mode (tensors are tf.keep'd: the caller disposes them). */
  stats?: BnStat[];
  /** Evaluation-mode override of BN statistics (BN recalibration). */
  statOverride?: Map<string, tf.Tensor>;
}

function bn(ctx: ForwardCtx, x: tf.Tensor4D, name: string, affine: boolean): tf.Tensor4D {
  if (ctx.training) {
    const c = x.shape[3];
    const gamma = (affine ? ctx.w(`${name}.gamma`) : tf.ones([c])) as tf.Tensor1D;
    const beta = (affine ? ctx.w(`${name}.beta`) : tf.zeros([c])) as tf.Tensor1D;
    const { y, mean, variance } = batchNormTrain(x, gamma, beta, BN_EPS);
    ctx.stats?.push({ slot: name, mean: tf.keep(mean), variance: tf.keep(variance), count: x.shape[0] * x.shape[1] * x.shape[2] });
    return y;
  }
  // Evaluation: one fused kernel (broadcast sub/mul are slow on wasm).
  const mean = ctx.statOverride?.get(`${name}.mean`) ?? ctx.w(`${name}.mean`);
  const variance = ctx.statOverride?.get(`${name}.var`) ?? ctx.w(`${name}.var`);
  return (affine ? tf.batchNorm(x, mean, variance, ctx.w(`${name}.beta`), ctx.w(`${name}.gamma`), BN_EPS) : tf.batchNorm(x, mean, variance, undefined, undefined, BN_EPS)) as tf.Tensor4D;
}

/** Stem: conv3×3 → BN → conv3×3 → BN (affine), as in the authors' code. */
export function stem(ctx: ForwardCtx, x: tf.Tensor4D): tf.Tensor4D {
  let h = bn(ctx, conv2dSame(x, ctx.w('stem.conv0') as tf.Tensor4D), 'stem.bn0', true);
  h = bn(ctx, conv2dSame(h, ctx.w('stem.conv1') as tf.Tensor4D), 'stem.bn1', true);
  return h;
}

function reluDwPwBn(ctx: ForwardCtx, x: tf.Tensor4D, p: string, bnName: string, dilation: number): tf.Tensor4D {
  const h = depthwiseSame(tf.relu(x), ctx.w(`${p}.dw`) as tf.Tensor4D, dilation);
  return bn(ctx, pointwise(h, ctx.w(`${p}.pw`) as tf.Tensor2D), bnName, false);
}

function op(ctx: ForwardCtx, x: tf.Tensor4D, cell: number, edge: number, o: number): tf.Tensor4D {
  const p = `cell${cell}.e${edge}.o${o}`;
  switch (o) {
    case 0:
      return bn(ctx, maxPool3x3(x), `${p}.bn`, false);
    case 1:
    case 2: {
      const h = reluDwPwBn(ctx, x, `${p}.b0`, `${p}.b0.bn`, 1);
      return reluDwPwBn(ctx, h, `${p}.b1`, `${p}.b1.bn`, 1);
    }
    case 3:
      return reluDwPwBn(ctx, x, p, `${p}.bn`, 2);
    default:
      throw new RangeError(`op ${o}`);
  }
}

/** relu(concat(a, b)) · W without materialising the concat: the weight is split instead (concat is slow on wasm). */
function pointwisePair(a: tf.Tensor4D, b: tf.Tensor4D, w: tf.Tensor2D): tf.Tensor4D {
  const c = a.shape[3];
  const wa = tf.slice(w, [0, 0], [c, -1]) as tf.Tensor2D;
  const wb = tf.slice(w, [c, 0], [-1, -1]) as tf.Tensor2D;
  return tf.add(pointwise(tf.relu(a), wa), pointwise(tf.relu(b), wb)) as tf.Tensor4D;
}

/** Cells and classifier on top of a stem output; returns logits. A cell's output is concat(x1, x2), kept as a pair. */
export function body(ctx: ForwardCtx, s: tf.Tensor4D, arch: Arch, m: ModelConfig): tf.Tensor2D {
  let out: [tf.Tensor4D, tf.Tensor4D] | undefined;
  for (let l = 0; l < m.numCells; l++) {
    const memo = l === 0 && !ctx.training ? ctx.memo : undefined;
    const cached = (key: string, f: () => tf.Tensor4D): tf.Tensor4D => {
      if (!memo) return f();
      let t = memo.cache.get(key);
      if (!t) memo.cache.set(key, (t = tf.keep(f())));
      return t;
    };
    const w = ctx.w(`cell${l}.pre.conv`) as tf.Tensor2D;
    const x0Key = memo ? `x0|${memo.key(`cell${l}.pre.conv`)}|${memo.inputKey}` : '';
    const x0 = cached(x0Key, () => bn(ctx, out ? pointwisePair(out[0], out[1], w) : pointwise(tf.relu(s), w), `cell${l}.pre.bn`, false));
    const opKey = (e: number, inputKey: string) => (memo ? `${memo.key(firstSlot(l, e, arch[e]))}|${inputKey}` : '');
    const x1Key = opKey(0, x0Key);
    const x1 = cached(x1Key, () => op(ctx, x0, l, 0, arch[0]));
    const x2 = tf.add(
      cached(opKey(1, x0Key), () => op(ctx, x0, l, 1, arch[1])),
      cached(opKey(2, x1Key), () => op(ctx, x1, l, 2, arch[2])),
    ) as tf.Tensor4D;
    out = [x1, x2];
  }
  const pooled = out ? tf.concat([tf.mean(out[0], [1, 2]), tf.mean(out[1], [1, 2])], 1) : tf.mean(s, [1, 2]);
  return tf.add(tf.matMul(pooled as tf.Tensor2D, ctx.w('head.w') as tf.Tensor2D), ctx.w('head.b')) as tf.Tensor2D;
}

/** A slot that identifies the weight copy of an op (every op has one). */
function firstSlot(cell: number, edge: number, o: number): string {
  return `cell${cell}.e${edge}.o${o}.${o === 0 ? 'bn.mean' : o === 3 ? 'dw' : 'b0.dw'}`;
}

export function forward(ctx: ForwardCtx, x: tf.Tensor4D, arch: Arch, m: ModelConfig): tf.Tensor2D {
  return body(ctx, stem(ctx, x), arch, m);
}

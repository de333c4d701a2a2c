// Building blocks shared by the ops and the network: batch norm (train / eval) and ReLU-conv-BN.
import * as tf from '@tensorflow/tfjs';
import {
  avgPool3x3,
  batchNormEval,
  batchNormTrain,
  depthwiseSame,
  maxPool3x3,
  pointwise,
  pointwiseBnEval,
  relu,
} from '../kernels/gradients';
import type { BlockRelu, Kit } from '../space/ops';
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
 * sharing 25 op evaluations per batch serve all 64 children instead of 192. `key(slot)` names the
 * copy a slot reads; `cache` holds tensors kept alive by the caller for one batch.
 */
export interface EvalMemo {
  key: (slot: string) => string;
  cache: Map<string, tf.Tensor>;
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

/** BN (with `reluAfter`, then ReLU, fused where our kernels allow). */
export function bn(ctx: ForwardCtx, x: tf.Tensor4D, name: string, affine: boolean, reluAfter = false): tf.Tensor4D {
  if (ctx.training) {
    const c = x.shape[3];
    const gamma = (affine ? ctx.w(`${name}.gamma`) : tf.ones([c])) as tf.Tensor1D;
    const beta = (affine ? ctx.w(`${name}.beta`) : tf.zeros([c])) as tf.Tensor1D;
    const { y, mean, variance } = batchNormTrain(x, gamma, beta, BN_EPS, reluAfter);
    ctx.stats?.push({
      slot: name,
      mean: tf.keep(mean),
      variance: tf.keep(variance),
      count: x.shape[0] * x.shape[1] * x.shape[2],
    });
    return y;
  }
  // Evaluation: one fused kernel (broadcast sub/mul are slow on wasm).
  const { mean, variance } = evalStats(ctx, name);
  const y = affine
    ? batchNormEval(x, mean, variance, ctx.w(`${name}.beta`), ctx.w(`${name}.gamma`), BN_EPS)
    : batchNormEval(x, mean, variance, undefined, undefined, BN_EPS);
  return reluAfter ? (tf.relu(y) as tf.Tensor4D) : y;
}

/** The running statistics evaluation uses (or those of a BN recalibration). */
function evalStats(ctx: ForwardCtx, name: string) {
  return {
    mean: ctx.statOverride?.get(`${name}.mean`) ?? ctx.w(`${name}.mean`),
    variance: ctx.statOverride?.get(`${name}.var`) ?? ctx.w(`${name}.var`),
  };
}

/**
 * pointwise → BN (no affine) → ReLU if `reluAfter`; in evaluation one pass where our kernels allow
 * (the same numbers).
 */
export function pointwiseBn(
  ctx: ForwardCtx,
  h: tf.Tensor4D,
  w: tf.Tensor2D,
  name: string,
  reluAfter = false,
): tf.Tensor4D {
  if (ctx.training) return bn(ctx, pointwise(h, w), name, false, reluAfter);
  const { mean, variance } = evalStats(ctx, name);
  return pointwiseBnEval(h, w, mean, variance, BN_EPS, reluAfter);
}

/**
 * ReLU → depthwise k×k (dilation d) → pointwise → BN (no affine), the block of DARTS's sep/dil convs.
 * `reluAt` (ops.ts, a sep conv): 'in-out' also applies the next block's ReLU, fused into the BN; that
 * block then takes 'none'.
 */
export function reluDwPwBn(
  ctx: ForwardCtx,
  x: tf.Tensor4D,
  p: string,
  dilation: number,
  reluAt: BlockRelu = 'in',
): tf.Tensor4D {
  const h = depthwiseSame(reluAt === 'none' ? x : relu(x), ctx.w(`${p}.dw`) as tf.Tensor4D, dilation);
  return pointwiseBn(ctx, h, ctx.w(`${p}.pw`) as tf.Tensor2D, `${p}.bn`, reluAt === 'in-out');
}

/** The tfjs layers the op table's forward passes are written against, for one forward context. */
export function kitFor(ctx: ForwardCtx): Kit<tf.Tensor4D> {
  return {
    reluDwPwBn: (x, p, d, r) => reluDwPwBn(ctx, x, p, d, r),
    bn: (x, name) => bn(ctx, x, name, false),
    maxPool3x3,
    avgPool3x3,
  };
}

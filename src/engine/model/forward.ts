// The child network's forward pass, reading weights through a Resolver (one child's view of the store).
import * as tf from '@tensorflow/tfjs';
import type { ModelConfig } from '../schema/config';
import { conv2dSame, pointwise, relu, spatialMean } from '../kernels/gradients';
import { bn, kitFor, pointwiseBn, type ForwardCtx } from './layers';
import type { Arch, SearchSpace } from '../space/searchSpace';
import { opCopySlot, opPrefix } from './slots';

export { BN_EPS, type BnStat, type EvalMemo, type ForwardCtx } from './layers';

/** Stem: conv3×3 → BN → conv3×3 → BN (affine), as in the authors' code. The image needs no gradient. */
export function stem(ctx: ForwardCtx, x: tf.Tensor4D): tf.Tensor4D {
  const h = bn(ctx, conv2dSame(x, ctx.w('stem.conv0') as tf.Tensor4D, false), 'stem.bn0', true);
  return bn(ctx, conv2dSame(h, ctx.w('stem.conv1') as tf.Tensor4D), 'stem.bn1', true);
}

/** relu(concat(a, b)) · W without materialising the concat: the weight is split instead (concat is slow on wasm). */
function pointwisePair(a: tf.Tensor4D, b: tf.Tensor4D, w: tf.Tensor2D): tf.Tensor4D {
  const c = a.shape[3];
  const wa = tf.slice(w, [0, 0], [c, -1]) as tf.Tensor2D;
  const wb = tf.slice(w, [c, 0], [-1, -1]) as tf.Tensor2D;
  return tf.add(pointwise(relu(a), wa), pointwise(relu(b), wb)) as tf.Tensor4D;
}

/** A cell's output, concat(x1, x2), kept as a pair (concat is slow on wasm). */
type CellOut = [tf.Tensor4D, tf.Tensor4D];

/** k×k average pooling with stride k (model.cellPool); identity for k = 1. */
const poolBy = (x: tf.Tensor4D, k: number): tf.Tensor4D => (k > 1 ? tf.avgPool(x, k, k, 'valid') : x);

/** Cells and classifier on top of a stem output; returns logits. */
export function body(ctx: ForwardCtx, s: tf.Tensor4D, space: SearchSpace, arch: Arch, m: ModelConfig): tf.Tensor2D {
  const k = m.cellPool ?? 1;
  let out: CellOut | undefined;
  for (let l = 0; l < m.numCells; l++) {
    const memo = l === 0 && !ctx.training ? ctx.memo : undefined;
    const cached = (key: string, f: () => tf.Tensor4D): tf.Tensor4D => {
      if (!memo) return f();
      let t = memo.cache.get(key) as tf.Tensor4D | undefined;
      if (!t) memo.cache.set(key, (t = tf.keep(f())));
      return t;
    };
    const kit = kitFor(ctx);
    const op = (e: number, x: tf.Tensor4D) => space.ops[arch[e]].forward(kit, x, opPrefix(l, e, arch[e]));
    const w = ctx.w(`cell${l}.pre.conv`) as tf.Tensor2D;
    const x0Key = memo ? `x0|${memo.key(`cell${l}.pre.conv`)}|${memo.inputKey}` : '';
    // A later cell's input is already pooled (cellPool): ReLU and the 1×1 conv run on the smaller map.
    const x0 = cached(x0Key, () =>
      out
        ? bn(ctx, pointwisePair(out[0], out[1], w), `cell${l}.pre.bn`, false)
        : pointwiseBn(ctx, relu(s), w, `cell${l}.pre.bn`),
    );
    // The memo key of an op's output: the copy it reads (or the op itself, if it has no parameters) and its input.
    const opKey = (e: number, inputKey: string) => {
      if (!memo) return '';
      const slot = opCopySlot(space, l, e, arch[e]);
      return `${slot ? memo.key(slot) : space.opIds[arch[e]]}|${inputKey}`;
    };
    const x1Key = opKey(0, x0Key);
    const x1 = cached(x1Key, () => op(0, x0));
    const bKey = opKey(1, x0Key);
    const cKey = opKey(2, x1Key);
    const last = l === m.numCells - 1;
    if (memo && (last || k > 1)) {
      // Evaluation: pooling (global at the end, k×k before the next cell) is linear, so pool each cached op output
      // once and add the pooled maps per child, instead of adding whole feature maps.
      const pool = (key: string, t: () => tf.Tensor4D) => cachedPool(memo, key, t, last ? 0 : k);
      const p2 = tf.add(
        pool(bKey, () => cached(bKey, () => op(1, x0))),
        pool(cKey, () => cached(cKey, () => op(2, x1))),
      );
      if (last) return head(ctx, tf.concat([pool(x1Key, () => x1), p2], 1) as tf.Tensor2D);
      out = [pool(x1Key, () => x1) as tf.Tensor4D, p2 as tf.Tensor4D];
      continue;
    }
    const x2 = tf.add(
      cached(bKey, () => op(1, x0)),
      cached(cKey, () => op(2, x1)),
    ) as tf.Tensor4D;
    out = last ? [x1, x2] : [poolBy(x1, k), poolBy(x2, k)];
  }
  const pooled = out ? tf.concat([tf.mean(out[0], [1, 2]), tf.mean(out[1], [1, 2])], 1) : tf.mean(s, [1, 2]);
  return head(ctx, pooled as tf.Tensor2D);
}

/** A cached map pooled (k = 0: its [batch, channels] mean; else k×k average pooling), cached under its own key. */
function cachedPool(memo: NonNullable<ForwardCtx['memo']>, key: string, t: () => tf.Tensor4D, k: number): tf.Tensor {
  const name = `pool${k}|${key}`;
  let p = memo.cache.get(name);
  if (!p) memo.cache.set(name, (p = tf.keep(k ? poolBy(t(), k) : spatialMean(t()))));
  return p;
}

function head(ctx: ForwardCtx, pooled: tf.Tensor2D): tf.Tensor2D {
  return tf.add(tf.matMul(pooled, ctx.w('head.w') as tf.Tensor2D), ctx.w('head.b')) as tf.Tensor2D;
}

export function forward(ctx: ForwardCtx, x: tf.Tensor4D, space: SearchSpace, arch: Arch, m: ModelConfig): tf.Tensor2D {
  return body(ctx, stem(ctx, x), space, arch, m);
}

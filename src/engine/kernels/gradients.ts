// Differentiable conv / depthwise / max-pool built from forward ops.
//
// Why: tfjs-backend-wasm 4.22 has no Conv2DBackpropFilter and no depthwise backprop kernels, its
// MaxPoolGrad is wrong for 3×3 stride-1 pooling, and stock tfjs has no gradient at all for
// depthwiseConv2d with dilation > 1. Writing every gradient as a *forward* conv (or matMul) also
// runs far faster than tfjs-webgpu's backprop kernels. All ops here are stride 1, NHWC.
import * as tf from '@tensorflow/tfjs';
import { run, wasmKernels } from './wasmKernels';
import { webgpuKernels } from './webgpuKernels';

/** Our kernels (wasm SIMD or WGSL) are registered for the current backend under the same names. */
export const ownKernels = (): boolean => wasmKernels() || webgpuKernels();

type Pads = { top: number; bottom: number; left: number; right: number };
type Explicit = [[number, number], [number, number], [number, number], [number, number]];

/** 'same' padding for stride 1: total (k-1)·d, the extra pixel (even spans) at the bottom/right, as TF does. */
export function samePads(k: number, dilation = 1): Pads {
  const total = (k - 1) * dilation;
  const before = Math.floor(total / 2);
  return { top: before, bottom: total - before, left: before, right: total - before };
}
const explicit = (p: Pads): Explicit => [
  [0, 0],
  [p.top, p.bottom],
  [p.left, p.right],
  [0, 0],
];
/** Padding of the input-gradient conv (a full correlation with the flipped kernel). */
const backPads = (k: number, d: number, p: Pads): Pads => ({
  top: (k - 1) * d - p.top,
  bottom: (k - 1) * d - p.bottom,
  left: (k - 1) * d - p.left,
  right: (k - 1) * d - p.right,
});

// tf.customGrad's typing wants (...inputs) => …; ours name their inputs and the save function.
const custom = (
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  f: (...args: any[]) => { value: tf.Tensor; gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor | tf.Tensor[] },
) => tf.customGrad(f as unknown as Parameters<typeof tf.customGrad>[0]);

/**
 * Benchmark baseline only: route the layers below to stock tfjs ops and autodiff (where stock has a
 * gradient at all: dilated depthwise stays ours). Not for training on wasm, which lacks the kernels.
 */
let stock = false;
export function useStockGradients(on: boolean): void {
  stock = on;
}

/** Reverses a [kh, kw, …] kernel in both spatial axes. */
const flip = (w: tf.Tensor4D) => tf.reverse(w, [0, 1]) as tf.Tensor4D;

/**
 * dW[kh,kw,ci,co] = Σ x_pad[n, h+kh·d, w+kw·d, ci] · dy[n,h,w,co], computed as one forward conv in
 * which the batch axis plays the channel role and dy is the (large) kernel.
 */
export function conv2dFilterGrad(x: tf.Tensor4D, dy: tf.Tensor4D, k: number, p: Pads): tf.Tensor4D {
  return tf.tidy(() => {
    const xt = tf.transpose(x, [3, 1, 2, 0]) as tf.Tensor4D; // [ci, H, W, n]
    const f = tf.transpose(dy, [1, 2, 0, 3]) as tf.Tensor4D; // [Ho, Wo, n, co]
    const out = tf.conv2d(xt, f, 1, explicit(p)); // [ci, k, k, co]
    if (out.shape[1] !== k || out.shape[2] !== k) throw new Error(`conv2dFilterGrad: got ${out.shape}, kernel ${k}`);
    return tf.transpose(out, [1, 2, 0, 3]) as tf.Tensor4D;
  });
}

/**
 * Conv2d, stride 1, no dilation, 'same' padding, with forward-conv gradients. `inputGrad` false: the
 * input is data (the stem's image batch), whose gradient nobody reads — zeros instead of a full conv.
 */
function makeConv2d(inputGrad: boolean) {
  return custom((x: tf.Tensor, w: tf.Tensor, save: tf.GradSaveFunc) => {
    const x4 = x as tf.Tensor4D;
    const w4 = w as tf.Tensor4D;
    const k = w4.shape[0];
    const p = samePads(k);
    save([x4, w4]);
    return {
      value: tf.conv2d(x4, w4, 1, explicit(p)),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sx, sw] = saved as [tf.Tensor4D, tf.Tensor4D];
        const dy4 = dy as tf.Tensor4D;
        const dx = inputGrad
          ? tf.conv2d(dy4, tf.transpose(flip(sw), [0, 1, 3, 2]) as tf.Tensor4D, 1, explicit(backPads(k, 1, p)))
          : tf.zerosLike(sx);
        const dw = webgpuKernels()
          ? (run('SPConv2dFilterGrad', { x: sx, dy: dy4 }, { k, pt: p.top, pl: p.left }) as tf.Tensor4D)
          : conv2dFilterGrad(sx, dy4, k, p);
        return [dx, dw];
      },
    };
  }) as (x: tf.Tensor4D, w: tf.Tensor4D) => tf.Tensor4D;
}
const conv2dCustom = makeConv2d(true);
const conv2dOnData = makeConv2d(false);

export const conv2dSame = (x: tf.Tensor4D, w: tf.Tensor4D, inputGrad = true): tf.Tensor4D =>
  stock ? tf.conv2d(x, w, 1, 'same') : (inputGrad ? conv2dCustom : conv2dOnData)(x, w);

/**
 * Depthwise filter gradient: dW[kh,kw,c] = Σ_{n,h,w} x_pad[n, h+kh·d, w+kw·d, c] · dy[n,h,w,c],
 * as one forward depthwise conv: batch folded into channels, dy as an H×W kernel, stride d.
 * On wasm this is 8–25× faster than k² slice-multiply-sum taps (scratch measurements in bench).
 */
export function depthwiseFilterGrad(x: tf.Tensor4D, dy: tf.Tensor4D, k: number, d: number, p: Pads): tf.Tensor4D {
  return tf.tidy(() => {
    const [n, h, w, c] = x.shape;
    const xt = tf.reshape(tf.transpose(x, [1, 2, 0, 3]), [1, h, w, n * c]) as tf.Tensor4D;
    const f = tf.reshape(tf.transpose(dy, [1, 2, 0, 3]), [dy.shape[1], dy.shape[2], n * c, 1]) as tf.Tensor4D;
    const out = tf.depthwiseConv2d(xt, f, d, explicit(p)); // [1, k, k, n·c]
    if (out.shape[1] !== k || out.shape[2] !== k) throw new Error(`depthwiseFilterGrad: got ${out.shape}, kernel ${k}`);
    return tf.reshape(tf.sum(tf.reshape(out, [k, k, n, c]), 2), [k, k, c, 1]) as tf.Tensor4D;
  });
}

/** Depthwise conv (channel multiplier 1), stride 1, 'same' padding, any dilation, with forward-op gradients. */
export function depthwiseSame(x: tf.Tensor4D, w: tf.Tensor4D, dilation = 1): tf.Tensor4D {
  if (stock && dilation === 1) return tf.depthwiseConv2d(x, w, 1, 'same');
  return depthwiseOps[dilation]
    ? depthwiseOps[dilation](x, w)
    : (depthwiseOps[dilation] = makeDepthwise(dilation))(x, w);
}
const depthwiseOps: Record<number, (x: tf.Tensor4D, w: tf.Tensor4D) => tf.Tensor4D> = {};
function makeDepthwise(d: number) {
  return custom((x: tf.Tensor, w: tf.Tensor, save: tf.GradSaveFunc) => {
    const x4 = x as tf.Tensor4D;
    const w4 = w as tf.Tensor4D;
    const k = w4.shape[0];
    const p = samePads(k, d);
    save([x4, w4]);
    if (ownKernels()) {
      // Our kernels: forward, input gradient (the flipped kernel) and filter gradient directly.
      const bp = backPads(k, d, p);
      return {
        value: run('SPDepthwise', { x: x4, w: w4 }, { k, d, pt: p.top, pl: p.left, flip: 0 }) as tf.Tensor4D,
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
          const [sx, sw] = saved as [tf.Tensor4D, tf.Tensor4D];
          const dx = run('SPDepthwise', { x: dy, w: sw }, { k, d, pt: bp.top, pl: bp.left, flip: 1 }) as tf.Tensor;
          return [dx, run('SPDepthwiseFilterGrad', { x: sx, dy }, { k, d, pt: p.top, pl: p.left }) as tf.Tensor];
        },
      };
    }
    return {
      value: tf.depthwiseConv2d(x4, w4, 1, explicit(p), 'NHWC', d),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sx, sw] = saved as [tf.Tensor4D, tf.Tensor4D];
        const dy4 = dy as tf.Tensor4D;
        const dx = tf.depthwiseConv2d(dy4, flip(sw), 1, explicit(backPads(k, d, p)), 'NHWC', d);
        return [dx, depthwiseFilterGrad(sx, dy4, k, d, p)];
      },
    };
  }) as (x: tf.Tensor4D, w: tf.Tensor4D) => tf.Tensor4D;
}

/** Large negative used as the pooling pad value; like PyTorch's -inf padding it never wins a max. */
const POOL_PAD = -3.0e38;

/**
 * 3×3 max-pool, stride 1, 'same' padding. wasm's MaxPoolGrad is wrong for this case and its
 * MaxPoolWithArgmax returns 0 for some argmaxes, so the gradient is built from plain ops: one
 * depthwise conv with one-hot kernels gathers each window's 9 values, argMax picks the first
 * maximum in row-major order (as the cpu backend and PyTorch do), and ScatterNd adds dy there.
 */
const maxPoolCustom = custom((x: tf.Tensor, save: tf.GradSaveFunc) => {
  const x4 = x as tf.Tensor4D;
  save([x4]);
  return {
    value: tf.maxPool(x4, 3, 1, 'same'),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const sx = saved[0] as tf.Tensor4D;
      if (ownKernels()) return [run('SPMaxPoolGrad', { x: sx, dy }) as tf.Tensor];
      const [n, h, w, c] = sx.shape;
      const xp = tf.pad(sx, explicit(samePads(3)), POOL_PAD);
      const onehot = new Float32Array(9 * c * 9);
      for (let t = 0; t < 9; t++) for (let ch = 0; ch < c; ch++) onehot[(t * c + ch) * 9 + t] = 1; // [3,3,c,9]
      const windows = tf.depthwiseConv2d(xp, tf.tensor4d(onehot, [3, 3, c, 9]), 1, 'valid'); // [n,h,w,c·9]
      const tap = tf.argMax(tf.reshape(windows, [-1, 9]), 1);
      // Source offset of tap t = (i, j): ((i-1)·w + (j-1))·c, from integer ops (GatherV2 is slow on wasm).
      const int = (v: number) => tf.scalar(v, 'int32');
      const row = tf.floorDiv(tap, int(3));
      const delta = tf.sub(
        tf.mul(tf.add(tf.mul(row, int(w)), tf.sub(tap, tf.mul(row, int(3)))), int(c)),
        int((w + 1) * c),
      );
      // Clamped: with NaN inputs argMax may name a padded tap, and ScatterNd on wasm does not bounds-check.
      const src = tf.minimum(
        tf.maximum(tf.add(tf.range(0, n * h * w * c, 1, 'int32'), delta), int(0)),
        int(sx.size - 1),
      );
      return [tf.reshape(tf.scatterND(tf.reshape(src, [-1, 1]), tf.reshape(dy, [-1]), [sx.size]), sx.shape)];
    },
  };
}) as (x: tf.Tensor4D) => tf.Tensor4D;

export const maxPool3x3 = (x: tf.Tensor4D): tf.Tensor4D => (stock ? tf.maxPool(x, 3, 1, 'same') : maxPoolCustom(x));

/** 1 / (number of in-image taps) of a 3×3 'same' window at each pixel, [1, h, w, 1] (count_include_pad = False). */
function inverseCounts(h: number, w: number): tf.Tensor4D {
  const a = new Float32Array(h * w);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      a[y * w + x] =
        1 / ((Math.min(y + 1, h - 1) - Math.max(y - 1, 0) + 1) * (Math.min(x + 1, w - 1) - Math.max(x - 1, 0) + 1));
  return tf.tensor4d(a, [1, h, w, 1]);
}

/**
 * 3×3 average pool, stride 1, 'same', padding excluded from the count (DARTS's avg_pool_3x3); its gradient is the same
 * pool transposed.
 */
const avgPoolCustom = custom((x: tf.Tensor) => {
  const x4 = x as tf.Tensor4D;
  const [, h, w, c] = x4.shape;
  const ones = tf.ones([3, 3, c, 1]) as tf.Tensor4D;
  const inv = inverseCounts(h, w);
  return {
    value: tf.mul(tf.depthwiseConv2d(x4, ones, 1, 'same'), inv) as tf.Tensor4D,
    gradFunc: (dy: tf.Tensor) => tf.depthwiseConv2d(tf.mul(dy, inv) as tf.Tensor4D, ones, 1, 'same'),
  };
}) as (x: tf.Tensor4D) => tf.Tensor4D;

export const avgPool3x3 = (x: tf.Tensor4D): tf.Tensor4D => avgPoolCustom(x);

/** Σ over the rows of a [m, c] matrix as a matMul with ones: ~10× faster than tf.sum(axis 0) on wasm. */
export function colSum(x2: tf.Tensor2D): tf.Tensor1D {
  return tf.reshape(tf.matMul(tf.ones([1, x2.shape[0]]), x2), [x2.shape[1]]) as tf.Tensor1D;
}

/**
 * 1×1 conv as a matMul over all pixels, with explicit transposes in the gradient: tfjs-wasm's
 * matMul with transposeA / transposeB is 4–6× slower than transposing first.
 */
const pointwiseCustom = custom((x: tf.Tensor, w: tf.Tensor, save: tf.GradSaveFunc) => {
  const x4 = x as tf.Tensor4D;
  const w2 = w as tf.Tensor2D;
  const [n, h, wd, c] = x4.shape;
  save([x4, w2]); // inputs only: saving an intermediate (the reshaped x) leaks one tensor per call
  if (wasmKernels()) {
    // Our kernels: the product, the input gradient (against the transposed weight) and the weight gradient.
    return {
      value: tf.reshape(
        run('SPPointwise', { x: tf.reshape(x4, [n * h * wd, c]), w: w2 }, { transposeW: 0 }) as tf.Tensor,
        [n, h, wd, w2.shape[1]],
      ),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const sx = tf.reshape(saved[0], [n * h * wd, c]);
        const dy2 = tf.reshape(dy, [sx.shape[0], (saved[1] as tf.Tensor2D).shape[1]]);
        return [
          tf.reshape(run('SPPointwise', { x: dy2, w: saved[1] }, { transposeW: 1 }) as tf.Tensor, [n, h, wd, c]),
          run('SPPointwiseFilterGrad', { x: sx, dy: dy2 }) as tf.Tensor,
        ];
      },
    };
  }
  return {
    value: tf.reshape(tf.matMul(tf.reshape(x4, [n * h * wd, c]), w2), [n, h, wd, w2.shape[1]]),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const sx = tf.reshape(saved[0], [n * h * wd, c]) as tf.Tensor2D;
      const sw = saved[1] as tf.Tensor2D;
      const dy2 = tf.reshape(dy, [sx.shape[0], sw.shape[1]]) as tf.Tensor2D;
      if (webgpuKernels())
        // WebGPU: the transpose folded into the matMul, and the weight gradient as our split-K kernel.
        return [
          tf.reshape(tf.matMul(dy2, sw, false, true), [n, h, wd, c]),
          run('SPPointwiseFilterGrad', { x: sx, dy: dy2 }) as tf.Tensor,
        ];
      return [tf.reshape(tf.matMul(dy2, tf.transpose(sw)), [n, h, wd, c]), tf.matMul(tf.transpose(sx), dy2)];
    },
  };
}) as (x: tf.Tensor4D, w: tf.Tensor2D) => tf.Tensor4D;

export function pointwise(x: tf.Tensor4D, w: tf.Tensor2D): tf.Tensor4D {
  if (!stock) return pointwiseCustom(x, w);
  const [n, h, wd, c] = x.shape;
  return tf.reshape(tf.matMul(tf.reshape(x, [n * h * wd, c]), w), [n, h, wd, w.shape[1]]) as tf.Tensor4D;
}

/** Per-channel a·x + b in one fused kernel (tf.batchNorm with mean 0, variance 1, ε 0). */
function affine(x: tf.Tensor2D, a: tf.Tensor1D, b: tf.Tensor1D): tf.Tensor2D {
  const c = x.shape[1];
  return tf.batchNorm(x, tf.zeros([c]), tf.ones([c]), b, a, 0) as tf.Tensor2D;
}

let fuseBnRelu = true;

/** Benchmarks compare BN and the ReLU after it in one pass (default) with two (the same numbers). */
export function useFusedBnRelu(on: boolean): void {
  fuseBnRelu = on;
}

export interface BatchNormTrainOut {
  y: tf.Tensor4D;
  mean: tf.Tensor1D;
  /** Biased batch variance. */
  variance: tf.Tensor1D;
}

/**
 * Training-mode batch norm over N·H·W with learnable (or fixed) scale and shift, and a closed-form
 * backward: dx = γ·σ⁻¹·(dy − mean(dy) − x̂·mean(dy·x̂)). Reductions are matMuls with ones and the
 * per-channel affine steps fused kernels, instead of the many slow broadcasts of autodiff.
 * With `reluAfter`, y is relu(BN(x)): with our kernels the ReLU is applied in the affine pass and its
 * gradient folded into the BN backward (a mask read by the column sums and the input gradient), one
 * pass and one kernel fewer each way — the same numbers as the separate ReLU.
 */
export function batchNormTrain(
  x: tf.Tensor4D,
  gamma: tf.Tensor1D,
  beta: tf.Tensor1D,
  eps: number,
  reluAfter = false,
): BatchNormTrainOut {
  if (stock) {
    const { mean, variance } = tf.moments(x, [0, 1, 2]);
    const y = tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, eps))), gamma), beta) as tf.Tensor4D;
    return {
      y: reluAfter ? (tf.relu(y) as tf.Tensor4D) : y,
      mean: mean as tf.Tensor1D,
      variance: variance as tf.Tensor1D,
    };
  }
  const [n, h, w, c] = x.shape;
  const m = n * h * w;
  const x2 = tf.reshape(x, [m, c]) as tf.Tensor2D;
  const k = ownKernels();
  const [mean, variance] = k
    ? (run('SPMoments', { x: x2 }) as [tf.Tensor1D, tf.Tensor1D])
    : (() => {
        const mu = tf.div(colSum(x2), m) as tf.Tensor1D;
        return [mu, tf.div(colSum(tf.square(tf.sub(x2, mu)) as tf.Tensor2D), m) as tf.Tensor1D];
      })();
  const fused = k && reluAfter && fuseBnRelu;
  const op = custom((xx: tf.Tensor, g: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
    const xs = xx as tf.Tensor2D;
    const inv = tf.rsqrt(tf.add(variance, eps)) as tf.Tensor1D;
    const value = k
      ? (run(
          'SPAffine',
          { x: xs, a: tf.mul(g, inv), b: tf.sub(b, tf.mul(tf.mul(mean, inv), g)) },
          { relu: fused ? 1 : 0 },
        ) as tf.Tensor2D)
      : tf.batchNorm(xs, mean, variance, b as tf.Tensor1D, g as tf.Tensor1D, eps);
    // Saved, or the forward scope would dispose them before backward; the ReLU's output is its gradient's mask.
    save(fused ? [xs, g, mean, variance, value] : [xs, g, mean, variance]);
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sx, sg, smean, svar, mask] = saved as [tf.Tensor2D, tf.Tensor1D, tf.Tensor1D, tf.Tensor1D, tf.Tensor2D?];
        const dy2 = dy as tf.Tensor2D;
        const sinv = tf.rsqrt(tf.add(svar, eps)) as tf.Tensor1D;
        const kk = tf.mul(sg, sinv) as tf.Tensor1D; // γ/σ
        if (k) {
          const xhat = run('SPAffine', { x: sx, a: sinv, b: tf.neg(tf.mul(smean, sinv)) }) as tf.Tensor2D;
          const masked: Record<string, tf.Tensor> = mask ? { mask } : {};
          const [sumDy, sumDyXhat] = run('SPColSums', { a: dy2, b: xhat, ...masked }) as [tf.Tensor1D, tf.Tensor1D];
          return [
            run('SPBnInputGrad', { dy: dy2, xhat, k: kk, sdy: sumDy, sdx: sumDyXhat, ...masked }) as tf.Tensor,
            sumDyXhat,
            sumDy,
          ];
        }
        const xhat = tf.batchNorm(sx, smean, svar, undefined, undefined, eps) as tf.Tensor2D;
        const sumDy = colSum(dy2);
        const sumDyXhat = colSum(tf.mul(dy2, xhat) as tf.Tensor2D);
        const dx = tf.sub(
          affine(dy2, kk, tf.neg(tf.div(tf.mul(kk, sumDy), m)) as tf.Tensor1D),
          affine(xhat, tf.div(tf.mul(kk, sumDyXhat), m) as tf.Tensor1D, tf.zeros([c])),
        );
        return [dx, sumDyXhat, sumDy];
      },
    };
  });
  const y = tf.reshape(op(x2, gamma, beta), [n, h, w, c]) as tf.Tensor4D;
  // Not fused: the ReLU is a separate op (ours, or tfjs's without our kernels).
  return { y: reluAfter && !fused ? relu(y) : y, mean, variance };
}

/** Evaluation-mode batch norm: (x − mean)/√(var + ε)·γ + β, one fused pass. */
export function batchNormEval(
  x: tf.Tensor4D,
  mean: tf.Tensor,
  variance: tf.Tensor,
  beta: tf.Tensor | undefined,
  gamma: tf.Tensor | undefined,
  eps: number,
): tf.Tensor4D {
  if (!ownKernels())
    return tf.batchNorm(
      x,
      mean as tf.Tensor1D,
      variance as tf.Tensor1D,
      beta as tf.Tensor1D | undefined,
      gamma as tf.Tensor1D | undefined,
      eps,
    ) as tf.Tensor4D;
  const [a, b] = bnScaleShift(mean, variance, beta, gamma, eps);
  return run('SPAffine', { x, a, b }) as tf.Tensor4D;
}

/** Evaluation-mode batch norm as y = a·x + b: a = γ/√(var + ε), b = β − mean·a. */
function bnScaleShift(
  mean: tf.Tensor,
  variance: tf.Tensor,
  beta: tf.Tensor | undefined,
  gamma: tf.Tensor | undefined,
  eps: number,
): [tf.Tensor, tf.Tensor] {
  let a = tf.rsqrt(tf.add(variance, eps));
  if (gamma) a = tf.mul(a, gamma);
  let b = tf.neg(tf.mul(mean, a));
  if (beta) b = tf.add(b, beta);
  return [a, b];
}

/**
 * batchNormEval(pointwise(x, w), mean, variance) (no affine parameters) for evaluation, then ReLU with
 * `reluAfter`: on wasm one pass of our kernel that applies BN (and the ReLU) to each output before storing
 * it — bitwise the separate kernels' result.
 */
export function pointwiseBnEval(
  x: tf.Tensor4D,
  w: tf.Tensor2D,
  mean: tf.Tensor,
  variance: tf.Tensor,
  eps: number,
  reluAfter = false,
): tf.Tensor4D {
  if (!wasmKernels() || (reluAfter && !fuseBnRelu)) {
    const y = wasmKernels()
      ? pointwiseBnEval(x, w, mean, variance, eps)
      : batchNormEval(pointwise(x, w), mean, variance, undefined, undefined, eps);
    return reluAfter ? relu(y) : y;
  }
  const [n, h, wd, c] = x.shape;
  const [a, b] = bnScaleShift(mean, variance, undefined, undefined, eps);
  const y = run(
    'SPPointwise',
    { x: tf.reshape(x, [n * h * wd, c]), w, a, b },
    { transposeW: 0, relu: reluAfter ? 1 : 0 },
  );
  return tf.reshape(y as tf.Tensor, [n, h, wd, w.shape[1]]) as tf.Tensor4D;
}

/** ReLU with its gradient as one kernel of ours: tfjs's dy·step(x) without Step, Cast and Multiply. */
const reluCustom = custom((x: tf.Tensor, save: tf.GradSaveFunc) => {
  save([x]);
  return {
    value: tf.relu(x),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => run('SPReluGrad', { x: saved[0], dy }) as tf.Tensor,
  };
}) as (x: tf.Tensor4D) => tf.Tensor4D;

export const relu = (x: tf.Tensor4D): tf.Tensor4D => (ownKernels() ? reluCustom(x) : (tf.relu(x) as tf.Tensor4D));

/** Global average pool [n,h,w,c] → [n,c] (evaluation: no gradient needed). */
export function spatialMean(x: tf.Tensor4D): tf.Tensor2D {
  return ownKernels() ? (run('SPSpatialMean', { x }) as tf.Tensor2D) : (tf.mean(x, [1, 2]) as tf.Tensor2D);
}

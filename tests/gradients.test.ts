// Every custom gradient against the cpu backend's stock gradient and against finite differences,
// on cpu and on wasm (whose own backprop kernels are missing or wrong for these ops).
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { conv2dSame, depthwiseSame, maxPool3x3 } from '../src/engine/kernels/gradients';
import { useBackend } from '../src/node/backends';

type Op = (x: tf.Tensor4D, w: tf.Tensor4D) => tf.Tensor4D;

// Fixed pseudo-random inputs made in JS, so every backend sees identical numbers.
function fill(shape: number[], seed: number): tf.Tensor4D {
  const n = shape.reduce((a, b) => a * b, 1);
  let s = seed;
  const a = Float32Array.from({ length: n }, () => ((s = (s * 16807) % 2147483647) / 2147483647) * 2 - 1);
  return tf.tensor(a, shape as [number, number, number, number]) as tf.Tensor4D;
}

/** Loss = Σ y ⊙ r with a fixed r, so dy is not all ones. */
function grads(op: Op, x: tf.Tensor4D, w: tf.Tensor4D, withW = true) {
  return tf.tidy(() => {
    const y0 = op(x, w);
    const r = fill(y0.shape, 7);
    const g = withW
      ? tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(op(a as tf.Tensor4D, b as tf.Tensor4D), r)))([x, w])
      : tf.grads((a: tf.Tensor) => tf.sum(tf.mul(op(a as tf.Tensor4D, w), r)))([x]);
    return g.map((t) => Array.from(t.dataSync()));
  });
}

function lossAt(op: Op, x: tf.Tensor4D, w: tf.Tensor4D): number {
  return tf.tidy(() => {
    const y = op(x, w);
    return tf.sum(tf.mul(y, fill(y.shape, 7))).dataSync()[0];
  });
}

/** Central differences on a few coordinates of each input (float32: h = 1e-2, tolerance 2e-2 relative). */
function checkFiniteDifferences(op: Op, x: tf.Tensor4D, w: tf.Tensor4D, analytic: number[][], inputs = [0, 1]) {
  const h = 1e-2;
  for (const which of inputs) {
    const base = [x, w][which];
    const vals = Array.from(base.dataSync());
    for (const i of [0, 3, Math.floor(vals.length / 2), vals.length - 1]) {
      const plus = vals.slice();
      plus[i] += h;
      const minus = vals.slice();
      minus[i] -= h;
      const mk = (v: number[]) => tf.tensor(v, base.shape) as tf.Tensor4D;
      const [xp, wp] = which === 0 ? [mk(plus), w] : [x, mk(plus)];
      const [xm, wm] = which === 0 ? [mk(minus), w] : [x, mk(minus)];
      const fd = (lossAt(op, xp, wp) - lossAt(op, xm, wm)) / (2 * h);
      expect(Math.abs(fd - analytic[which][i])).toBeLessThan(2e-2 * Math.max(1, Math.abs(fd)));
    }
  }
}

function maxRelDiff(a: number[], b: number[]) {
  const scale = Math.max(1e-6, ...b.map(Math.abs));
  return Math.max(...a.map((v, i) => Math.abs(v - b[i]))) / scale;
}

const X = [2, 7, 6, 5];
const cases: { name: string; op: Op; stock?: Op; w: number[] }[] = [
  { name: 'conv2d 3×3', op: conv2dSame, stock: (x, w) => tf.conv2d(x, w, 1, 'same'), w: [3, 3, 5, 4] },
  {
    name: 'depthwise 3×3',
    op: (x, w) => depthwiseSame(x, w, 1),
    stock: (x, w) => tf.depthwiseConv2d(x, w, 1, 'same'),
    w: [3, 3, 5, 1],
  },
  {
    name: 'depthwise 5×5',
    op: (x, w) => depthwiseSame(x, w, 1),
    stock: (x, w) => tf.depthwiseConv2d(x, w, 1, 'same'),
    w: [5, 5, 5, 1],
  },
  // Stock tfjs has no gradient for dilation > 1: finite differences only.
  { name: 'depthwise 5×5 dilation 2', op: (x, w) => depthwiseSame(x, w, 2), w: [5, 5, 5, 1] },
  {
    name: 'max-pool 3×3 stride 1',
    op: (x) => maxPool3x3(x),
    stock: (x) => tf.maxPool(x, 3, 1, 'same'),
    w: [1, 1, 1, 1],
  },
];

describe.each(['cpu', 'wasm'] as const)('custom gradients on %s', (backend) => {
  afterAll(() => tf.disposeVariables());
  for (const c of cases) {
    it(`${c.name}: matches the cpu backend's stock gradient and finite differences`, async () => {
      const inputs = c.name.startsWith('max-pool') ? [0] : [0, 1];
      let reference: number[][] | undefined;
      if (c.stock) {
        await useBackend('cpu');
        reference = grads(c.stock, fill(X, 1), fill(c.w, 2), inputs.length === 2);
      }
      await useBackend(backend);
      const x = fill(X, 1);
      const w = fill(c.w, 2);
      const ours = grads(c.op, x, w, inputs.length === 2);
      if (reference) for (const i of inputs) expect(maxRelDiff(ours[i], reference[i])).toBeLessThan(1e-5);
      checkFiniteDifferences(c.op, x, w, ours, inputs);
    });
  }

  it('max-pool sends a tie to the first maximum only (no double counting)', async () => {
    await useBackend(backend);
    const x = tf.tensor4d([1, 1, 0, 0], [1, 2, 2, 1]);
    const g = tf.grad((a: tf.Tensor) => tf.sum(maxPool3x3(a as tf.Tensor4D)))(x);
    // All four windows see max 1 at positions 0 and 1; the first (row-major) takes all 4.
    expect(Array.from(g.dataSync())).toEqual([4, 0, 0, 0]);
  });
});

import { batchNormTrain, pointwise } from '../src/engine/kernels/gradients';

/** Reference batch norm written with plain ops (autodiff gradient). */
function bnReference(x: tf.Tensor4D, g: tf.Tensor1D, b: tf.Tensor1D) {
  const m = tf.moments(x, [0, 1, 2]);
  return tf.add(tf.mul(tf.div(tf.sub(x, m.mean), tf.sqrt(tf.add(m.variance, 1e-5))), g), b);
}

describe.each(['cpu', 'wasm'] as const)('matMul-based layers on %s', (backend) => {
  it("pointwise (1×1 conv as matMul, explicit transposes) matches the cpu backend's tf.conv2d gradient", async () => {
    const inputs = () => [fill([3, 4, 5, 6], 11), fill([1, 1, 6, 7], 12), fill([3, 4, 5, 7], 13)] as const;
    await useBackend('cpu');
    const [x0, w0, r0] = inputs();
    const ref = tf
      .grads((a: tf.Tensor, b: tf.Tensor) =>
        tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'valid'), r0)),
      )([x0, w0])
      .map((t) => Array.from(t.dataSync()));
    await useBackend(backend);
    const [x, w, r] = inputs();
    const ours = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
      tf.sum(tf.mul(pointwise(a as tf.Tensor4D, tf.reshape(b, [6, 7]) as tf.Tensor2D), r)),
    )([x, w]);
    for (let i = 0; i < 2; i++) expect(maxRelDiff(Array.from(ours[i].dataSync()), ref[i])).toBeLessThan(1e-5);
  });

  it('batchNormTrain: closed-form backward matches autodiff of the plain formula and finite differences', async () => {
    await useBackend(backend);
    const x = tf.add(tf.mul(fill([4, 3, 3, 5], 21), 3), 1) as tf.Tensor4D;
    const g = tf.add(fill([1, 1, 1, 5], 22).reshape([5]), 1.5) as tf.Tensor1D;
    const b = fill([1, 1, 1, 5], 23).reshape([5]) as tf.Tensor1D;
    const r = fill([4, 3, 3, 5], 24);
    const f =
      (bnf: (x: tf.Tensor4D, g: tf.Tensor1D, b: tf.Tensor1D) => tf.Tensor) =>
      (a: tf.Tensor, gg: tf.Tensor, bb: tf.Tensor) =>
        tf.sum(tf.mul(bnf(a as tf.Tensor4D, gg as tf.Tensor1D, bb as tf.Tensor1D), r));
    const oursF = f((a, gg, bb) => batchNormTrain(a, gg, bb, 1e-5).y);
    const refF = f(bnReference);
    expect(maxRelDiff(Array.from(oursF(x, g, b).dataSync()), Array.from(refF(x, g, b).dataSync()))).toBeLessThan(1e-5);
    const ours = tf
      .grads(oursF)([x, g, b])
      .map((t) => Array.from(t.dataSync()));
    const ref = tf
      .grads(refF)([x, g, b])
      .map((t) => Array.from(t.dataSync()));
    for (let i = 0; i < 3; i++) expect(maxRelDiff(ours[i], ref[i]), `input ${i}`).toBeLessThan(1e-4);
    // finite differences on x
    const xv = Array.from(x.dataSync());
    for (const i of [0, 17, 100, xv.length - 1]) {
      const h = 1e-2;
      const p = xv.slice();
      p[i] += h;
      const q = xv.slice();
      q[i] -= h;
      const fd =
        (oursF(tf.tensor4d(p, x.shape), g, b).dataSync()[0] - oursF(tf.tensor4d(q, x.shape), g, b).dataSync()[0]) /
        (2 * h);
      expect(Math.abs(fd - ours[0][i])).toBeLessThan(2e-2 * Math.max(1, Math.abs(fd)));
    }
  });
});

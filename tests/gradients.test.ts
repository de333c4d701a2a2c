// Every custom gradient against the cpu backend's stock gradient and against finite differences,
// on cpu and on wasm (whose own backprop kernels are missing or wrong for these ops).
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { conv2dSame, depthwiseSame, maxPool3x3 } from '../src/engine/gradients';
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
  { name: 'depthwise 3×3', op: (x, w) => depthwiseSame(x, w, 1), stock: (x, w) => tf.depthwiseConv2d(x, w, 1, 'same'), w: [3, 3, 5, 1] },
  { name: 'depthwise 5×5', op: (x, w) => depthwiseSame(x, w, 1), stock: (x, w) => tf.depthwiseConv2d(x, w, 1, 'same'), w: [5, 5, 5, 1] },
  // Stock tfjs has no gradient for dilation > 1: finite differences only.
  { name: 'depthwise 5×5 dilation 2', op: (x, w) => depthwiseSame(x, w, 2), w: [5, 5, 5, 1] },
  { name: 'max-pool 3×3 stride 1', op: (x) => maxPool3x3(x), stock: (x) => tf.maxPool(x, 3, 1, 'same'), w: [1, 1, 1, 1] },
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

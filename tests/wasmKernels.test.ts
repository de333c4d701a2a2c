// Our WebAssembly SIMD kernels against the same layers built from tfjs ops (on wasm and on the cpu
// backend): forward values and gradients, full SIMD blocks (8 channels) and scalar tails (6).
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import {
  batchNormEval,
  batchNormTrain,
  depthwiseSame,
  maxPool3x3,
  pointwise,
  pointwiseBnEval,
  relu,
  spatialMean,
} from '../src/engine/kernels/gradients';
import { evaluateChildren } from '../src/engine/train/trainer';
import { run, useWasmKernels, wasmKernels } from '../src/engine/kernels/wasmKernels';
import { useBackend } from '../src/node/backends';
import { fill, microTraining, rel, valueAndGrads } from './kernelCheck';

async function compare(f: (...t: tf.Tensor[]) => tf.Tensor, shapes: number[][], tol = 2e-5) {
  await useBackend('wasm');
  expect(wasmKernels()).toBe(true);
  const mk = () => shapes.map((s, i) => fill(s, 11 + i));
  const ours = await valueAndGrads(f, mk());
  useWasmKernels(false);
  const ops = await valueAndGrads(f, mk());
  useWasmKernels(true);
  await useBackend('cpu');
  const cpu = await valueAndGrads(f, mk());
  for (let i = 0; i < ours.length; i++) {
    expect(rel(ours[i], ops[i]), `output ${i} vs tfjs ops on wasm`).toBeLessThan(tol);
    expect(rel(ours[i], cpu[i]), `output ${i} vs cpu`).toBeLessThan(tol);
  }
}

describe('wasm SIMD kernels', () => {
  // 13 columns: every tap pattern has pixels at both borders and a block of four inside (also 5×5 dilated);
  // 12 channels: a pair of vectors and a single one.
  for (const c of [8, 6, 12])
    for (const [k, d] of [
      [3, 1],
      [5, 1],
      [5, 2],
      [3, 2],
    ])
      it(`depthwise ${k}×${k} dilation ${d}, ${c} channels: value, input and filter gradient`, () =>
        compare(
          (x, w) => depthwiseSame(x as tf.Tensor4D, w as tf.Tensor4D, d),
          [
            [3, 7, 13, c],
            [k, k, c, 1],
          ],
        ));

  // 8→8: the dedicated kernel; 16→16, 16→20, 20→16 (the input gradient): blocks of 16 and of 4 outputs; 6→7: tails.
  for (const [ci, co] of [
    [8, 8],
    [16, 16],
    [16, 20],
    [20, 16],
    [6, 7],
  ])
    it(`pointwise ${ci}→${co}: value and both gradients`, () =>
      compare(
        (x, w) => pointwise(x as tf.Tensor4D, w as tf.Tensor2D),
        [
          [2, 5, 4, ci],
          [ci, co],
        ],
      ));

  for (const c of [8, 6]) {
    it(`batch norm (training), ${c} channels: value and gradients of x, γ, β`, () =>
      compare(
        (x, g, b) =>
          batchNormTrain(tf.add(tf.mul(x, 3), 1) as tf.Tensor4D, tf.add(g, 1.5) as tf.Tensor1D, b as tf.Tensor1D, 1e-5)
            .y,
        [[4, 5, 3, c], [c], [c]],
        1e-4,
      ));
    it(`max-pool 3×3, ${c} channels: value and gradient`, () =>
      compare((x) => maxPool3x3(x as tf.Tensor4D), [[2, 6, 5, c]]));
    it(`batch norm then ReLU (training, fused), ${c} channels: bitwise the separate ReLU, ≈ cpu`, async () => {
      const bnRelu = (fused: boolean) => (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
        const args = [tf.add(tf.mul(x, 3), 1) as tf.Tensor4D, tf.add(g, 0.5) as tf.Tensor1D, b as tf.Tensor1D] as const;
        return fused ? batchNormTrain(...args, 1e-5, true).y : relu(batchNormTrain(...args, 1e-5).y);
      };
      const shapes = [[4, 5, 3, c], [c], [c]];
      await compare(bnRelu(true), shapes, 1e-4);
      await useBackend('wasm');
      const mk = () => shapes.map((sh, i) => fill(sh, 11 + i));
      const [fused, apart] = [await valueAndGrads(bnRelu(true), mk()), await valueAndGrads(bnRelu(false), mk())];
      expect(fused[0].filter((v) => v === 0).length).toBeGreaterThan(fused[0].length / 5); // the ReLU clips
      expect(fused).toEqual(apart);
    });
  }

  // 360 values: whole SIMD blocks; 225: a scalar tail.
  for (const shape of [
    [3, 5, 4, 6],
    [3, 5, 3, 5],
  ])
    it(`relu over ${shape.join('×')}: value and gradient`, () => compare((x) => relu(x as tf.Tensor4D), [shape]));

  it('relu gradient with NaN, ±0 and infinities: exactly tfjs dy·step(x), so a diverging run stays so', async () => {
    await useBackend('wasm');
    // 9 values: two SIMD blocks and a scalar tail.
    const x = tf.tensor1d([NaN, -1, 0, 2, 3, NaN, -0, 5, NaN]);
    const dy = tf.tensor1d([1, Infinity, -2, NaN, -4, -1, Infinity, 1, -Infinity]);
    const ours = Array.from((run('SPReluGrad', { x, dy }) as tf.Tensor).dataSync());
    expect(ours).toEqual(Array.from(tf.mul(dy, tf.step(x)).dataSync()));
    expect(ours.map((v) => Object.is(v, -0))).toEqual(
      Array.from(tf.mul(dy, tf.step(x)).dataSync(), (v) => Object.is(v, -0)),
    );
  });

  it('evaluation layers: batch norm with running statistics and the global average pool', async () => {
    await useBackend('wasm');
    const x = fill([3, 4, 5, 8], 1) as tf.Tensor4D;
    const [mean, variance, beta, gamma] = [fill([8], 2), tf.add(tf.abs(fill([8], 3)), 0.1), fill([8], 4), fill([8], 5)];
    const a = [
      Array.from(batchNormEval(x, mean, variance, beta, gamma, 1e-5).dataSync()),
      Array.from(spatialMean(x).dataSync()),
    ];
    useWasmKernels(false);
    const b = [
      Array.from(batchNormEval(x, mean, variance, beta, gamma, 1e-5).dataSync()),
      Array.from(spatialMean(x).dataSync()),
    ];
    useWasmKernels(true);
    expect(rel(a[0], b[0])).toBeLessThan(1e-5);
    expect(rel(a[1], b[1])).toBeLessThan(1e-5);
  });

  // 8→8: the register kernel; 16→20 and 6→7: blocks of 16 and 4, and scalar tails.
  for (const [ci, co] of [
    [8, 8],
    [16, 20],
    [6, 7],
  ])
    it(`pointwise then evaluation BN in one pass, ${ci}→${co}: bitwise the two kernels' result`, async () => {
      await useBackend('wasm');
      const x = fill([3, 4, 5, ci], 1) as tf.Tensor4D;
      const w = fill([ci, co], 2) as tf.Tensor2D;
      const [mean, variance] = [fill([co], 3), tf.add(tf.abs(fill([co], 4)), 0.1)];
      const fused = pointwiseBnEval(x, w, mean, variance, 1e-5).dataSync();
      const apart = batchNormEval(pointwise(x, w), mean, variance, undefined, undefined, 1e-5).dataSync();
      expect(Array.from(fused)).toEqual(Array.from(apart));
      useWasmKernels(false);
      const ops = batchNormEval(pointwise(x, w), mean, variance, undefined, undefined, 1e-5).dataSync();
      useWasmKernels(true);
      expect(rel(Array.from(fused), Array.from(ops))).toBeLessThan(1e-5);
      // With the ReLU that follows the BN (a sep conv's inner block) in the same pass.
      const withRelu = Array.from(pointwiseBnEval(x, w, mean, variance, 1e-5, true).dataSync());
      expect(withRelu).toEqual(Array.from(tf.relu(tf.tensor(apart)).dataSync()));
      expect(withRelu.some((v) => v === 0) && withRelu.some((v) => v > 0)).toBe(true);
    });

  it('a training run: the SGD kernel updates exactly as the tfjs ops, and accuracies agree', async () => {
    await useBackend('wasm');
    const run = async (kernels: boolean) => {
      useWasmKernels(kernels);
      const { losses, store, data } = await microTraining(12, 4);
      const acc = await evaluateChildren(store, [0, 21, 42, 63], data.val, { batchSize: 16 });
      store.dispose();
      useWasmKernels(true);
      return { losses, acc };
    };
    const a = await run(true);
    const b = await run(false);
    expect(rel(a.losses, b.losses)).toBeLessThan(1e-3);
    for (let i = 0; i < 4; i++) expect(Math.abs(a.acc[i] - b.acc[i])).toBeLessThanOrEqual(1 / 16);
  });
});

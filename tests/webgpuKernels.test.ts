// Our WGSL kernels on a real WebGPU device (Dawn in Node over lavapipe or SwiftShader) against the
// same layers on the cpu backend: forward values and gradients, odd channel counts and image sizes,
// reductions longer than a workgroup and not a power of two, and max-pool ties.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import {
  batchNormEval,
  batchNormTrain,
  conv2dSame,
  depthwiseSame,
  maxPool3x3,
  pointwise,
  relu,
  spatialMean,
} from '../src/engine/kernels/gradients';
import { useBackend } from '../src/node/backends';
import { hygieneRun } from './helpers';
import { fill, microTraining, rel, valueAndGrads } from './kernelCheck';
import { useWebgpuKernels, webgpuKernels } from '../src/engine/kernels/webgpuKernels';
import { run } from '../src/engine/kernels/wasmKernels';

/** Runs f on webgpu with our kernels (checking they are in use) and on cpu; `inputs` may shape the fill. */
async function compare(
  f: (...t: tf.Tensor[]) => tf.Tensor,
  shapes: number[][],
  tol = 2e-5,
  prepare: (t: tf.Tensor, i: number) => tf.Tensor = (t) => t,
) {
  const mk = () => shapes.map((s, i) => tf.tidy(() => prepare(fill(s, 11 + i), i)));
  await useBackend('webgpu');
  expect(webgpuKernels()).toBe(true);
  const ours = await valueAndGrads(f, mk());
  await useBackend('cpu');
  const cpu = await valueAndGrads(f, mk());
  for (let i = 0; i < ours.length; i++) expect(rel(ours[i], cpu[i]), `output ${i} vs cpu`).toBeLessThan(tol);
}

describe('WGSL kernels (webgpu on Dawn) against the cpu backend', { timeout: 120_000 }, () => {
  // 8 channels: the vec4 forward; 6: the scalar one.
  for (const [k, d, c] of [
    [3, 1, 8],
    [5, 1, 6],
    [5, 2, 8],
    [5, 2, 6],
  ])
    it(`depthwise ${k}×${k} dilation ${d}, ${c} channels: value, input and filter gradient`, () =>
      compare(
        (x, w) => depthwiseSame(x as tf.Tensor4D, w as tf.Tensor4D, d),
        [
          [5, 9, 11, c],
          [k, k, c, 1],
        ],
        1e-4,
      ));

  it('conv 3×3: value and both gradients; the stem form (no input gradient) has the same filter gradient', async () => {
    const shapes = [
      [5, 9, 11, 3],
      [3, 3, 3, 7],
    ];
    await compare((x, w) => conv2dSame(x as tf.Tensor4D, w as tf.Tensor4D), shapes, 1e-4);
    await useBackend('webgpu');
    const [x, w] = shapes.map((s, i) => fill(s, 11 + i));
    const [full, stem] = await Promise.all(
      [true, false].map((g) =>
        valueAndGrads((a, b) => conv2dSame(a as tf.Tensor4D, b as tf.Tensor4D, g), [tf.clone(x), tf.clone(w)]),
      ),
    );
    tf.dispose([x, w]);
    expect(stem[0]).toEqual(full[0]);
    expect(stem[2]).toEqual(full[2]);
    expect(Math.max(...stem[1].map(Math.abs))).toBe(0);
  });

  it('pointwise 6→7: value and both gradients', () =>
    compare(
      (x, w) => pointwise(x as tf.Tensor4D, w as tf.Tensor2D),
      [
        [5, 9, 11, 6],
        [6, 7],
      ],
      1e-4,
    ));

  // 8 channels: the vec4 elementwise kernels; 7: the scalar ones.
  for (const c of [8, 7])
    it(`batch norm (training) over 495 rows, ${c} channels: value and gradients of x, γ, β`, () =>
      compare(
        (x, g, b) =>
          batchNormTrain(tf.add(tf.mul(x, 3), 1) as tf.Tensor4D, tf.add(g, 1.5) as tf.Tensor1D, b as tf.Tensor1D, 1e-5)
            .y,
        [[5, 9, 11, c], [c], [c]],
        1e-4,
      ));
  for (const c of [8, 7])
    it(`batch norm then ReLU (training, fused) over 495 rows, ${c} channels: value and gradients of x, γ, β`, () =>
      compare(
        (x, g, b) =>
          batchNormTrain(
            tf.add(tf.mul(x, 3), 1) as tf.Tensor4D,
            tf.add(g, 0.5) as tf.Tensor1D,
            b as tf.Tensor1D,
            1e-5,
            true,
          ).y,
        [[5, 9, 11, c], [c], [c]],
        1e-4,
      ));

  // 360 values: vec4 reads; 225: scalar.
  for (const shape of [
    [3, 5, 4, 6],
    [3, 5, 3, 5],
  ])
    it(`relu over ${shape.join('×')}: value and gradient`, () => compare((x) => relu(x as tf.Tensor4D), [shape]));

  it('relu gradient with NaN, ±0 and infinities: exactly tfjs dy·step(x)', async () => {
    await useBackend('webgpu');
    for (const n of [8, 9]) {
      const x = tf.tensor1d([NaN, -1, 0, 2, 3, NaN, -0, 5, NaN].slice(0, n));
      const dy = tf.tensor1d([1, Infinity, -2, NaN, -4, -1, Infinity, 1, -Infinity].slice(0, n));
      const ours = Array.from(await (run('SPReluGrad', { x, dy }) as tf.Tensor).data());
      const want = Array.from(await tf.mul(dy, tf.step(x)).data());
      expect(ours.map(String)).toEqual(want.map(String));
    }
  });

  it('max-pool 3×3: value and gradient, with ties (the first maximum in row-major order wins)', () =>
    compare(
      (x) => maxPool3x3(x as tf.Tensor4D),
      [[2, 7, 6, 5]],
      2e-5,
      // Four levels only: most windows hold several equal maxima.
      (t) => tf.round(tf.mul(t, 1.5)),
    ));

  it('evaluation layers: batch norm with running statistics and the global average pool', async () => {
    const inputs = () => [
      fill([3, 4, 5, 8], 1),
      fill([8], 2),
      tf.tidy(() => tf.add(tf.abs(fill([8], 3)), 0.1)),
      fill([8], 4),
      fill([8], 5),
    ];
    const both = async () => {
      const [x, mean, variance, beta, gamma] = inputs();
      const y = [batchNormEval(x as tf.Tensor4D, mean, variance, beta, gamma, 1e-5), spatialMean(x as tf.Tensor4D)];
      const out = await Promise.all(y.map(async (t) => Array.from(await t.data())));
      tf.dispose([...y, x, mean, variance, beta, gamma]);
      return out;
    };
    await useBackend('webgpu');
    const a = await both();
    await useBackend('cpu');
    const b = await both();
    expect(rel(a[0], b[0])).toBeLessThan(1e-5);
    expect(rel(a[1], b[1])).toBeLessThan(1e-5);
  });

  it('a training run (SGD with momentum, weight decay) loses the same with our kernels as with tfjs ops', async () => {
    await useBackend('webgpu');
    const losses = async (kernels: boolean) => {
      useWebgpuKernels(kernels);
      const run = await microTraining(8, 3);
      run.store.dispose();
      useWebgpuKernels(true);
      return run.losses;
    };
    const a = await losses(true);
    const b = await losses(false);
    for (let s = 0; s < a.length; s++) expect(Math.abs(a[s] - b[s]) / b[s], `step ${s}`).toBeLessThan(1e-4);
  });

  it('leaves no tensor and no GPU buffer behind over 64 training steps and an evaluation', async () => {
    await useBackend('webgpu');
    const { before, after } = await hygieneRun(64);
    expect(after).toEqual(before);
  });

  it('can be turned off (benchmarks compare against the tfjs-op path)', async () => {
    await useBackend('webgpu');
    useWebgpuKernels(false);
    expect(webgpuKernels()).toBe(false);
    useWebgpuKernels(true);
    expect(webgpuKernels()).toBe(true);
  });
});

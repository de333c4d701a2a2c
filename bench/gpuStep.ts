// The GPU benchmark's script (bundled by `npm run bench:gpu` into gpu-bench/bench.mjs, run by
// gpu-bench/run.sh on a lent GPU machine): one training step of the paper model on tfjs-backend-webgpu
// through Dawn — with our WGSL kernels, with our forward-op gradients on tfjs's own kernels, and with
// stock tfjs gradients — at batch 64 and 256.
// Prints one JSON line per case.
import * as tf from '@tensorflow/tfjs';
import { useStockGradients } from '../src/engine/gradients';
import { trainStep } from '../src/engine/trainer';
import { useWebgpuKernels } from '../src/engine/webgpuKernels';
import { useBackend } from '../src/node/backends';
import { BENCH_CHILDREN, stepSetup } from './stepSetup';

const seconds = Number(process.env.BENCH_SECONDS ?? 20);
const device = await useBackend('webgpu');
console.log(JSON.stringify({ device, tfjs: tf.version.tfjs }));
const children = BENCH_CHILDREN;
for (const batchSize of [64, 256])
  for (const variant of ['ours', 'forward-op gradients', 'stock'] as const) {
    useStockGradients(variant === 'stock');
    useWebgpuKernels(variant === 'ours');
    const { batch, store, params } = stepSetup('paper', batchSize);
    for (const c of children) await trainStep(store, c, batch, params); // warm-up: shader compilation
    let steps = 0;
    const t0 = performance.now();
    while ((performance.now() - t0) / 1000 < seconds)
      await trainStep(store, children[steps++ % children.length], batch, params);
    const s = (performance.now() - t0) / 1000;
    store.dispose();
    console.log(
      JSON.stringify({
        stack: {
          ours: 'tfjs webgpu, our WGSL kernels',
          'forward-op gradients': 'tfjs webgpu, our gradients on tfjs kernels',
          stock: 'tfjs webgpu, stock gradients',
        }[variant],
        batch: batchSize,
        steps,
        imgPerS: (batchSize * steps) / s,
        msPerStep: (1000 * s) / steps,
      }),
    );
  }

// The GPU benchmark's script (bundled by `npm run bench:gpu` into gpu-bench/bench.mjs, run by
// gpu-bench/run.sh on a lent GPU machine): one training step of the paper model on tfjs-backend-webgpu
// through Dawn — with our WGSL kernels (steps queued without a read-back each, as a run does on a GPU,
// and read one by one), with our forward-op gradients on tfjs's own kernels, and with stock tfjs
// gradients — at batch 64 and 256.
// Prints one JSON line per case.
import * as tf from '@tensorflow/tfjs';
import { useStockGradients } from '../src/engine/kernels/gradients';
import { useWebgpuKernels } from '../src/engine/kernels/webgpuKernels';
import { useBackend } from '../src/node/backends';
import { stepSetup, timedSteps } from './stepSetup';

const seconds = Number(process.env.BENCH_SECONDS ?? 20);
const device = await useBackend('webgpu');
console.log(JSON.stringify({ device, tfjs: tf.version.tfjs }));
const STACKS = {
  queued: 'tfjs webgpu, our WGSL kernels, queued steps',
  ours: 'tfjs webgpu, our WGSL kernels, read each step',
  'forward-op gradients': 'tfjs webgpu, our gradients on tfjs kernels',
  stock: 'tfjs webgpu, stock gradients',
} as const;
for (const batchSize of [64, 256])
  for (const variant of Object.keys(STACKS) as (keyof typeof STACKS)[]) {
    useStockGradients(variant === 'stock');
    useWebgpuKernels(variant === 'ours' || variant === 'queued');
    const { batch, store, params } = stepSetup('paper', batchSize);
    const { steps, wall: s } = await timedSteps(store, batch, params, seconds, variant === 'queued');
    store.dispose();
    console.log(
      JSON.stringify({
        stack: STACKS[variant],
        batch: batchSize,
        steps,
        imgPerS: (batchSize * steps) / s,
        msPerStep: (1000 * s) / steps,
      }),
    );
  }

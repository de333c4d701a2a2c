// The WebGPU path for real: tfjs-backend-webgpu on Dawn (npm `webgpu`) over a software Vulkan
// driver (Mesa lavapipe, or chromium's SwiftShader), against the cpu backend.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { makeBatch } from '../src/engine/data/dataset';
import { lossAndGradients, trainStep } from '../src/engine/train/trainer';
import { WeightStore } from '../src/engine/model/weightStore';
import { useBackend } from '../src/node/backends';
import { child as childIndex, microConfig, microData, sgd } from './helpers';

const cfg = microConfig();
const children = ['111', '234', '344', '423'].map(childIndex);

async function trace(backend: 'cpu' | 'webgpu') {
  await useBackend(backend);
  const data = microData(cfg);
  const store = new WeightStore(cfg, 3);
  const batch = (s: number) =>
    makeBatch(
      data.train,
      [0, 1, 2, 3, 4, 5, 6, 7].map((i) => (i + 8 * s) % 32),
    );
  const grads = [];
  for (const c of children) grads.push(await lossAndGradients(store, c, batch(0)));
  const losses: number[] = [];
  for (let s = 0; s < 6; s++)
    losses.push(await trainStep(store, children[s % children.length], batch(s), sgd(cfg, 0.05), s));
  store.dispose();
  return { grads, losses };
}

const rel = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) {
    num += (a[i] - b[i]) ** 2;
    den += b[i] ** 2;
  }
  return Math.sqrt(num) / Math.max(Math.sqrt(den), 1e-12);
};

describe('webgpu backend (Dawn in Node)', () => {
  it('trains a small supernet with the losses and gradients of the cpu backend (1e-4 relative)', async () => {
    const cpu = await trace('cpu');
    const device = await useBackend('webgpu');
    expect(tf.getBackend()).toBe('webgpu');
    console.log(`webgpu device: ${device}`);
    const gpu = await trace('webgpu');
    for (let s = 0; s < cpu.losses.length; s++)
      expect(Math.abs(gpu.losses[s] - cpu.losses[s]) / cpu.losses[s]).toBeLessThan(1e-4);
    for (let c = 0; c < children.length; c++) {
      expect(Math.abs(gpu.grads[c].loss - cpu.grads[c].loss) / cpu.grads[c].loss).toBeLessThan(1e-4);
      for (const [key, g] of cpu.grads[c].grads)
        expect(rel(gpu.grads[c].grads.get(key)!, g), `${key}`).toBeLessThan(1e-4);
    }
  });
});

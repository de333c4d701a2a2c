// Shared by the kernel tests (wasm SIMD, WGSL): seeded inputs, value and gradients read back, relative error.
import * as tf from '@tensorflow/tfjs';
import { makeBatch } from '../src/engine/data/dataset';
import { trainStep } from '../src/engine/train/trainer';
import { WeightStore } from '../src/engine/model/weightStore';
import { microConfig, microData, sgd } from './helpers';

/** A tensor of seeded values in [-1, 1). */
export function fill(shape: number[], seed: number): tf.Tensor {
  let s = seed;
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(
    Float32Array.from({ length: n }, () => ((s = (s * 16807) % 2147483647) / 2147483647) * 2 - 1),
    shape,
  );
}

/**
 * Value and gradients of Σ f(inputs)·r, read back as plain arrays (async: webgpu in Node has no
 * dataSync); disposes the inputs.
 */
export async function valueAndGrads(f: (...t: tf.Tensor[]) => tf.Tensor, inputs: tf.Tensor[], seed = 99) {
  const out = tf.tidy(() => {
    const y = f(...inputs);
    const r = fill(y.shape, seed);
    const g = tf.grads((...t: tf.Tensor[]) => tf.sum(tf.mul(f(...t), r)))(inputs);
    return [y, ...g];
  });
  const arrays = await Promise.all(out.map(async (t) => Array.from(await t.data())));
  tf.dispose([...out, ...inputs]);
  return arrays;
}

/** Largest absolute difference relative to the largest reference magnitude. */
export const rel = (a: number[], b: number[]) =>
  Math.max(...a.map((v, i) => Math.abs(v - b[i]))) / Math.max(1e-6, ...b.map(Math.abs));

/**
 * A short training run of the micro supernet (SGD with momentum and weight decay, children in a fixed
 * spread order, batches of `batch` images): the losses, and the store and data for the caller to use and
 * dispose.
 */
export async function microTraining(steps: number, batch: number) {
  const cfg = microConfig();
  const data = microData(cfg);
  const store = new WeightStore(cfg, 5);
  const losses: number[] = [];
  for (let s = 0; s < steps; s++) {
    const rows = [s, s + 5, s + 9, s + 17].slice(0, batch).map((i) => i % 32);
    losses.push(await trainStep(store, (s * 13) % 64, makeBatch(data.train, rows), sgd(cfg, 0.05), s));
  }
  return { losses, store, data };
}

import * as tf from '@tensorflow/tfjs';
import type { ExperimentConfig } from '../src/engine/schema/config';
import { makeBatch } from '../src/engine/data/dataset';
import { builtInSplits } from '../src/engine/data/sources';
import { prepareData } from '../src/engine/train/experiment';
import { preset } from '../src/engine/schema/scales';
import { PAPER_SPACE } from '../src/engine/space/searchSpace';
import { evaluateChildren, trainStep } from '../src/engine/train/trainer';
import { WeightStore } from '../src/engine/model/weightStore';

/** A very small supernet that trains in milliseconds per step even on the cpu backend. */
export function microConfig(over: Partial<ExperimentConfig> = {}): ExperimentConfig {
  const c = preset('tiny');
  c.model = { stemChannels: 4, cellChannels: 4, numCells: 2, inputSize: 8 };
  c.data = { ...c.data, trainSize: 32, valSize: 16 };
  // BN momentum 0.4 and a truth trained and judged as the supernet is, whatever the classroom preset uses: what
  // these tests were written for.
  c.train = { ...c.train, epochs: 2, batchSize: 8, lr: 0.05, bnMomentum: 0.4 };
  c.eval = { ...c.eval, denseSteps: 2, batchSize: 16, valSize: 16 };
  c.groundTruthSeeds = 2;
  delete c.groundTruthTrain;
  delete c.groundTruthBnRecalibration;
  return { ...c, ...over };
}

export function microData(cfg: ExperimentConfig) {
  return prepareData(cfg, builtInSplits(cfg)!);
}

/** Child index by name in the paper's space. */
export const child = (name: string) => PAPER_SPACE.index(name);

/** The SGD parameters of a config at a given learning rate. */
export const sgd = (cfg: ExperimentConfig, lr: number) => ({ ...cfg.train, lr });

/** Live tensors and backend buffers (data ids): what a step or an evaluation must leave as it found. */
export const liveCounts = () => [
  tf.memory().numTensors,
  (tf.backend() as unknown as { numDataIds(): number }).numDataIds(),
];

/**
 * The tensor-hygiene run on the current backend: every child trained once (so every momentum buffer
 * exists) and an evaluation, then `steps` more steps and another evaluation. Returns liveCounts()
 * after the warm-up, at the end, and after the store is disposed.
 */
export async function hygieneRun(steps: number) {
  const cfg = microConfig();
  const data = microData(cfg);
  const store = new WeightStore(cfg, 0);
  const all = Array.from({ length: 64 }, (_, i) => i);
  const step = (s: number) =>
    trainStep(store, s % 64, makeBatch(data.train, [s % 32, (s + 3) % 32, (s + 7) % 32]), sgd(cfg, 0.01), s);
  for (let s = 0; s < 64; s++) await step(s);
  await evaluateChildren(store, all, data.val, { batchSize: 8 });
  const before = liveCounts();
  for (let s = 0; s < steps; s++) await step(s);
  await evaluateChildren(store, all, data.val, { batchSize: 8 });
  const after = liveCounts();
  store.dispose();
  return { before, after, disposed: liveCounts() };
}

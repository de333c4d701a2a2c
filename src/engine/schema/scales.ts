// Scale presets: one registry the page's scale menu, the CLI's --preset and the gallery build on.
import { CONFIG_SCHEMA_VERSION, stripControl, type ExperimentConfig } from './config';
import { PAPER_OPS } from '../space/searchSpace';

const PAPER: ExperimentConfig = {
  schemaVersion: CONFIG_SCHEMA_VERSION,
  name: 'paper',
  seed: 0,
  instances: 10,
  vary: 'seed',
  space: { ops: [...PAPER_OPS] },
  model: { stemChannels: 48, cellChannels: 16, numCells: 4, inputSize: 32 },
  data: { source: 'cifar10', trainSize: 50000, valSize: 10000, augment: true, synthSeed: 0 },
  sharing: { kind: 'full' },
  train: {
    epochs: 200,
    batchSize: 256,
    lr: 0.025,
    lrMin: 0.001,
    momentum: 0.9,
    weightDecay: 1e-3,
    bnMomentum: 0.4,
    gradClip: 0,
    order: 'fixed',
  },
  eval: { everyEpoch: true, denseSteps: 128, bnRecalibrationBatches: 0, batchSize: 250, valSize: 10000 },
  finetune: { steps: 0 },
  groundTruthSeeds: 10,
};

/**
 * Classroom scale: the built-in gratings at 16×16, a fixed stem and two cells of 8 channels, the second on a 4×4
 * average-pooled map (model.cellPool), 512 steps of 64 images, so every child is trained about 8 times and every op
 * copy ~128 times (docs/findings.md has what it shows). The second cell's input BN, shared by all 64 children and fed
 * child-specific input, is the paper's channel of interference; BN momentum 0.9 keeps its statistics those of the
 * last few steps' children (docs/classroom-scale.md: a classroom model that interferes). Its ground truth trains
 * each child alone for 8 epochs at the paper's BN momentum 0.4 (groundTruthTrain) and ships precomputed
 * (public/groundtruth/tiny.json). The stem is fixed because a learned one made the truth noisy: some runs' stems
 * never learned one orientation (docs/classroom-scale.md: why the stem is fixed).
 */
const TINY: ExperimentConfig = {
  ...PAPER,
  name: 'tiny',
  instances: 1,
  model: { stemChannels: 8, cellChannels: 8, numCells: 2, inputSize: 16, fixedStem: true, cellPool: 4 },
  data: { source: 'gratings', trainSize: 8192, valSize: 8192, augment: false, synthSeed: 0 },
  train: { ...PAPER.train, epochs: 4, batchSize: 64, lr: 0.1, lrMin: 0.001, bnMomentum: 0.9 },
  // Batches of 1,024: the pooled second cell's many small kernels pay per call (docs/performance.md).
  eval: { everyEpoch: true, denseSteps: 128, bnRecalibrationBatches: 0, batchSize: 1024, valSize: 1024 },
  groundTruthSeeds: 5,
  groundTruthTrain: { bnMomentum: 0.4, epochs: 8 },
  groundTruthBnRecalibration: 32,
};

/** Paper-shaped model (4 cells) at reduced width on the built-in gratings: minutes per instance. */
const SMALL: ExperimentConfig = {
  ...PAPER,
  name: 'small',
  instances: 3,
  model: { stemChannels: 16, cellChannels: 8, numCells: 4, inputSize: 32 },
  data: { source: 'gratings', trainSize: 8192, valSize: 1024, augment: true, synthSeed: 0 },
  train: { ...PAPER.train, epochs: 8, batchSize: 64, lr: 0.05, lrMin: 0.002 },
  eval: { everyEpoch: true, denseSteps: 64, bnRecalibrationBatches: 0, batchSize: 256, valSize: 1024 },
  groundTruthSeeds: 2,
};

export const SCALES = {
  tiny: {
    title: 'classroom (tiny)',
    help: 'built-in gratings, a fixed stem and two cells of 8 channels at 16×16: a minute or two in a browser',
    config: TINY,
  },
  small: { title: 'small', help: 'four cells at 32×32, narrower than the paper: minutes per instance', config: SMALL },
  paper: {
    title: 'paper (CIFAR-10)',
    help: 'the paper’s full protocol: 50k CIFAR-10 images, 200 epochs — days on a CPU',
    config: PAPER,
  },
} satisfies Record<string, { title: string; help: string; config: ExperimentConfig }>;

export type ScaleId = keyof typeof SCALES;
export const SCALE_IDS = Object.keys(SCALES) as ScaleId[];

export function preset(name: string): ExperimentConfig {
  // Own entries only: 'toString' or '__proto__' are not presets.
  const p = Object.hasOwn(SCALES, name) ? (SCALES as Record<string, { config: ExperimentConfig }>)[name] : undefined;
  if (!p) throw new Error(`unknown preset '${stripControl(name).slice(0, 40)}' (known: ${SCALE_IDS.join(', ')})`);
  return structuredClone(p.config);
}

// Experiment configuration: one typed, versioned document. Every random choice is seeded from it.

export const CONFIG_SCHEMA_VERSION = 1;

export interface ModelConfig {
  /** Channels of the two stem convs (paper: 48). */
  stemChannels: number;
  /** Channels of each cell node (paper: 16; a cell outputs 2× this). */
  cellChannels: number;
  /** Stacked cells sharing one choice (paper: 4). */
  numCells: number;
  /** Square input side in pixels (paper: 32). Smaller sides are average-pooled down from 32. */
  inputSize: number;
  numClasses: number;
}

export interface DataConfig {
  source: 'synthetic' | 'cifar10';
  /** Training images used (a prefix of the training split). */
  trainSize: number;
  /** Validation images used (a prefix of the test split, as in the paper's code). */
  valSize: number;
  augment: boolean;
  /** Seed of the synthetic generator (ignored for CIFAR-10). */
  synthSeed: number;
}

export type SharingPolicy =
  | { kind: 'full' }
  | { kind: 'groups'; m: number; partition: 'random' | 'similarity'; partitionSeed: number }
  | { kind: 'prefix'; k: number }
  | { kind: 'unshare-bn' }
  | { kind: 'conv-only' }
  | { kind: 'none' };

export type OrderMode = 'fixed' | 'shuffle-once' | 'shuffle-period' | 'uniform';

export interface TrainConfig {
  epochs: number;
  batchSize: number;
  lr: number;
  lrMin: number;
  momentum: number;
  weightDecay: number;
  /** BatchNorm running-statistics momentum in PyTorch's convention (new = (1-m)·old + m·batch). */
  bnMomentum: number;
  /** Global-norm gradient clip; 0 = off (the paper's experiments). */
  gradClip: number;
  order: OrderMode;
}

export interface EvalConfig {
  everyEpoch: boolean;
  /** Evaluate all children after each of the last N steps (paper: 128). */
  denseSteps: number;
  /** Batches of training data used to re-estimate BN statistics per child before evaluation; 0 = off (paper). */
  bnRecalibrationBatches: number;
  batchSize: number;
}

export interface FinetuneConfig {
  /** Steps each child is trained alone from the final supernet snapshot; 0 = off. */
  steps: number;
}

export interface ExperimentConfig {
  schemaVersion: number;
  name: string;
  /** Base seed. */
  seed: number;
  /** Number of supernet instances. */
  instances: number;
  /** What differs between instances: init+data seed ('seed'), child order ('order'), or both ('all'). */
  vary: 'seed' | 'order' | 'all';
  model: ModelConfig;
  data: DataConfig;
  sharing: SharingPolicy;
  train: TrainConfig;
  eval: EvalConfig;
  finetune: FinetuneConfig;
  /** Seeds of stand-alone training that make the ground truth. */
  groundTruthSeeds: number;
}

export interface InstanceSeeds {
  init: number;
  data: number;
  order: number;
}

export function instanceSeeds(cfg: ExperimentConfig, i: number): InstanceSeeds {
  const s = cfg.seed;
  return {
    init: cfg.vary === 'order' ? s : s + i,
    data: cfg.vary === 'order' ? s : s + i,
    order: cfg.vary === 'seed' ? s : s + i,
  };
}

const PAPER: ExperimentConfig = {
  schemaVersion: CONFIG_SCHEMA_VERSION,
  name: 'paper',
  seed: 0,
  instances: 10,
  vary: 'seed',
  model: { stemChannels: 48, cellChannels: 16, numCells: 4, inputSize: 32, numClasses: 10 },
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
  eval: { everyEpoch: true, denseSteps: 128, bnRecalibrationBatches: 0, batchSize: 250 },
  finetune: { steps: 0 },
  groundTruthSeeds: 10,
};

/**
 * Classroom default: synthetic data at 16×16, one cell, 8 channels. About 30 s on 2 CPU cores
 * (wasm); its ground truth ships precomputed in public/groundtruth/tiny.json.
 */
const TINY: ExperimentConfig = {
  ...PAPER,
  name: 'tiny',
  instances: 1,
  model: { stemChannels: 8, cellChannels: 8, numCells: 1, inputSize: 16, numClasses: 10 },
  data: { source: 'synthetic', trainSize: 512, valSize: 512, augment: false, synthSeed: 0 },
  train: { ...PAPER.train, epochs: 16, batchSize: 32, lr: 0.03, lrMin: 0.003 },
  eval: { everyEpoch: true, denseSteps: 12, bnRecalibrationBatches: 0, batchSize: 256 },
  groundTruthSeeds: 3,
};

/** A few minutes on a laptop: paper-shaped model at reduced width on synthetic data. */
const SMALL: ExperimentConfig = {
  ...PAPER,
  name: 'small',
  instances: 3,
  model: { stemChannels: 16, cellChannels: 8, numCells: 4, inputSize: 32, numClasses: 10 },
  data: { source: 'synthetic', trainSize: 4096, valSize: 512, augment: true, synthSeed: 0 },
  train: { ...PAPER.train, epochs: 8, batchSize: 64, lr: 0.05, lrMin: 0.002 },
  eval: { everyEpoch: true, denseSteps: 64, bnRecalibrationBatches: 0, batchSize: 256 },
  groundTruthSeeds: 2,
};

export const PRESETS: Record<string, ExperimentConfig> = { tiny: TINY, small: SMALL, paper: PAPER };

export function preset(name: string): ExperimentConfig {
  const p = PRESETS[name];
  if (!p) throw new Error(`unknown preset '${name}' (known: ${Object.keys(PRESETS).join(', ')})`);
  return structuredClone(p);
}

/** Deterministic JSON: object keys sorted, so equal configs hash equally. */
export function stableStringify(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(stableStringify).join(',')}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${stableStringify(o[k])}`)
    .join(',')}}`;
}

/** 64-bit (two 32-bit lanes) string hash as 16 hex digits; not cryptographic, just a cache key. */
export function hashHex(s: string): string {
  let h1 = 0xdeadbeef ^ s.length;
  let h2 = 0x41c6ce57 ^ s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (h2 >>> 0).toString(16).padStart(8, '0') + (h1 >>> 0).toString(16).padStart(8, '0');
}

export function configHash(cfg: unknown): string {
  return hashHex(stableStringify(cfg));
}

/** The part of a config that determines its stand-alone ground truth. */
export function groundTruthKey(cfg: ExperimentConfig) {
  return {
    v: CONFIG_SCHEMA_VERSION,
    model: cfg.model,
    data: cfg.data,
    train: { ...cfg.train, order: 'fixed' },
    eval: { bnRecalibrationBatches: cfg.eval.bnRecalibrationBatches },
    seeds: cfg.groundTruthSeeds,
    seed: cfg.seed,
  };
}

const POS_INT = (x: unknown) => Number.isInteger(x) && (x as number) > 0;

/** Throws an Error naming the first invalid field. */
export function validateConfig(cfg: ExperimentConfig): ExperimentConfig {
  const fail = (path: string, why: string): never => {
    throw new Error(`invalid config: ${path} ${why}`);
  };
  if (cfg.schemaVersion !== CONFIG_SCHEMA_VERSION) fail('schemaVersion', `is ${cfg.schemaVersion}, this build reads ${CONFIG_SCHEMA_VERSION}`);
  if (!Number.isInteger(cfg.seed) || cfg.seed < 0) fail('seed', 'must be a non-negative integer');
  if (!POS_INT(cfg.instances) || cfg.instances > 100) fail('instances', 'must be an integer in 1..100');
  if (!['seed', 'order', 'all'].includes(cfg.vary)) fail('vary', `must be seed|order|all`);
  const m = cfg.model;
  for (const k of ['stemChannels', 'cellChannels', 'numCells', 'inputSize', 'numClasses'] as const) if (!POS_INT(m[k])) fail(`model.${k}`, 'must be a positive integer');
  if (m.inputSize > 32 || 32 % m.inputSize !== 0) fail('model.inputSize', 'must divide 32 (32, 16, 8)');
  const d = cfg.data;
  if (!['synthetic', 'cifar10'].includes(d.source)) fail('data.source', 'must be synthetic|cifar10');
  if (!POS_INT(d.trainSize)) fail('data.trainSize', 'must be a positive integer');
  if (!POS_INT(d.valSize)) fail('data.valSize', 'must be a positive integer');
  const s = cfg.sharing;
  switch (s.kind) {
    case 'groups':
      if (!POS_INT(s.m) || 64 % s.m !== 0) fail('sharing.m', 'must divide 64');
      if (s.partition !== 'random' && s.partition !== 'similarity') fail('sharing.partition', 'must be random|similarity');
      break;
    case 'prefix':
      if (!Number.isInteger(s.k) || s.k < 0 || s.k > m.numCells) fail('sharing.k', `must be in 0..${m.numCells}`);
      break;
    case 'full':
    case 'none':
    case 'unshare-bn':
    case 'conv-only':
      break;
    default:
      fail('sharing.kind', `'${(s as { kind: string }).kind}' is unknown`);
  }
  const t = cfg.train;
  if (!POS_INT(t.epochs)) fail('train.epochs', 'must be a positive integer');
  if (!POS_INT(t.batchSize)) fail('train.batchSize', 'must be a positive integer');
  for (const k of ['lr', 'lrMin', 'momentum', 'weightDecay', 'bnMomentum', 'gradClip'] as const)
    if (!Number.isFinite(t[k]) || t[k] < 0) fail(`train.${k}`, 'must be a finite non-negative number');
  if (t.bnMomentum > 1 || t.momentum >= 1) fail('train', 'momentum must be < 1 and bnMomentum ≤ 1');
  if (!['fixed', 'shuffle-once', 'shuffle-period', 'uniform'].includes(t.order)) fail('train.order', 'must be fixed|shuffle-once|shuffle-period|uniform');
  if (!Number.isInteger(cfg.eval.denseSteps) || cfg.eval.denseSteps < 0) fail('eval.denseSteps', 'must be a non-negative integer');
  if (!POS_INT(cfg.eval.batchSize)) fail('eval.batchSize', 'must be a positive integer');
  if (!Number.isInteger(cfg.finetune.steps) || cfg.finetune.steps < 0) fail('finetune.steps', 'must be a non-negative integer');
  if (!POS_INT(cfg.groundTruthSeeds)) fail('groundTruthSeeds', 'must be a positive integer');
  return cfg;
}

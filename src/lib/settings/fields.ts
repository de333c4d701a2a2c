// The editable config fields, listed once: the settings panel renders them, and the ground-truth
// warning knows which of them the shipped ground truth depends on.
import type { ExperimentConfig } from '../../engine/schema/config';
import { DATASETS, DATASET_IDS } from '../../engine/data/sources';
import { ORDER_IDS, ORDER_MODES } from '../../engine/space/orders';
import type { TermId } from '../article/glossary';

export interface Field {
  path: string;
  label: string;
  kind: 'int' | 'number' | 'select' | 'bool' | 'text';
  min?: number;
  max?: number;
  step?: number;
  options?: { value: string | number; label: string }[];
  help: string;
  term?: TermId;
  /** Part of the ground truth's key: changing it needs new ground truth. */
  groundTruth?: boolean;
  group: 'run' | 'training' | 'evaluation' | 'model' | 'data';
}

export const FIELDS: Field[] = [
  { path: 'name', label: 'Name', kind: 'text', help: 'names the experiment (and its preset)', group: 'run' },
  {
    path: 'instances',
    label: 'Instances',
    kind: 'int',
    min: 1,
    max: 20,
    help: 'supernet runs to compare',
    term: 'instance',
    group: 'run',
  },
  {
    path: 'vary',
    label: 'Instances differ in',
    kind: 'select',
    options: [
      { value: 'seed', label: 'seed' },
      { value: 'order', label: 'child order' },
      { value: 'all', label: 'both' },
    ],
    help: 'what changes between instances',
    group: 'run',
  },
  {
    path: 'seed',
    label: 'Seed',
    kind: 'int',
    min: 0,
    max: 1_000_000,
    help: 'base seed of every random choice',
    group: 'run',
    groundTruth: true,
  },
  {
    path: 'train.order',
    label: 'Order',
    kind: 'select',
    options: ORDER_IDS.map((o) => ({ value: o, label: ORDER_MODES[o].title })),
    help: 'the round-robin order of children',
    term: 'roundRobin',
    group: 'training',
  },
  {
    path: 'train.epochs',
    label: 'Epochs',
    kind: 'int',
    min: 1,
    max: 200,
    help: 'passes over the training images',
    group: 'training',
    groundTruth: true,
  },
  {
    path: 'train.batchSize',
    label: 'Batch',
    kind: 'int',
    min: 1,
    max: 512,
    help: 'images per step',
    group: 'training',
    groundTruth: true,
  },
  {
    path: 'train.lr',
    label: 'Learning rate',
    kind: 'number',
    min: 0,
    max: 1,
    step: 0.005,
    help: 'at the start; cosine-annealed',
    group: 'training',
    groundTruth: true,
  },
  {
    path: 'train.lrMin',
    label: 'Final learning rate',
    kind: 'number',
    min: 0,
    max: 1,
    step: 0.001,
    help: 'at the end of the cosine',
    group: 'training',
    groundTruth: true,
  },
  {
    path: 'train.bnMomentum',
    label: 'BN momentum',
    kind: 'number',
    min: 0,
    max: 1,
    step: 0.05,
    help: 'weight of the last batch in the running statistics (paper 0.4)',
    term: 'bn',
    group: 'training',
    groundTruth: true,
  },
  {
    path: 'eval.everyEpoch',
    label: 'Evaluate every epoch',
    kind: 'bool',
    help: 'all children after each epoch',
    group: 'evaluation',
  },
  {
    path: 'eval.denseSteps',
    label: 'Dense steps',
    kind: 'int',
    min: 0,
    max: 512,
    help: 'all children after each of the last N steps',
    term: 'dense',
    group: 'evaluation',
  },
  {
    path: 'eval.valSize',
    label: 'Evaluation images',
    kind: 'int',
    min: 16,
    max: 20_000,
    help: 'the supernet’s children are evaluated on the first N validation images',
    group: 'evaluation',
  },
  {
    path: 'finetune.steps',
    label: 'Fine-tune steps',
    kind: 'int',
    min: 0,
    max: 64,
    help: 'per child, from the final supernet',
    term: 'finetune',
    group: 'evaluation',
  },
  {
    path: 'model.stemChannels',
    label: 'Stem channels',
    kind: 'int',
    min: 1,
    max: 64,
    help: 'width of the two stem convs',
    group: 'model',
    groundTruth: true,
  },
  {
    path: 'model.fixedStem',
    label: 'Fixed stem',
    kind: 'bool',
    help: 'the stem’s convs drawn once, the same in every run, and not trained',
    group: 'model',
    groundTruth: true,
  },
  {
    path: 'model.cellChannels',
    label: 'Cell channels',
    kind: 'int',
    min: 1,
    max: 32,
    help: 'width of each node',
    group: 'model',
    groundTruth: true,
  },
  {
    path: 'model.numCells',
    label: 'Cells',
    kind: 'int',
    min: 1,
    max: 4,
    help: 'stacked cells sharing one choice',
    group: 'model',
    groundTruth: true,
  },
  {
    path: 'model.inputSize',
    label: 'Input size',
    kind: 'select',
    options: [8, 16, 32].map((v) => ({ value: v, label: `${v}×${v}` })),
    help: 'images are box-downsampled from 32',
    group: 'model',
    groundTruth: true,
  },
  {
    path: 'data.source',
    label: 'Dataset',
    kind: 'select',
    options: DATASET_IDS.map((d) => ({ value: d, label: DATASETS[d].title })),
    help: 'built-in or your CIFAR-10 files',
    group: 'data',
    groundTruth: true,
  },
  {
    path: 'data.trainSize',
    label: 'Training images',
    kind: 'int',
    min: 64,
    max: 50_000,
    help: 'a prefix of the training split',
    group: 'data',
    groundTruth: true,
  },
  {
    path: 'data.valSize',
    label: 'Validation images',
    kind: 'int',
    min: 64,
    max: 20_000,
    help: 'the ground truth judges every child on these',
    group: 'data',
    groundTruth: true,
  },
  {
    path: 'data.augment',
    label: 'Augment',
    kind: 'bool',
    help: 'random crops and flips (as the paper)',
    group: 'data',
    groundTruth: true,
  },
];

export function getField(cfg: ExperimentConfig, path: string): unknown {
  return path.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], cfg);
}

/** A copy of cfg with one field set (the value converted to the field's kind). */
export function setField(cfg: ExperimentConfig, f: Field, raw: string | boolean): ExperimentConfig {
  const c = structuredClone(cfg);
  const keys = f.path.split('.');
  const parent = keys
    .slice(0, -1)
    .reduce<Record<string, unknown>>(
      (o, k) => o[k] as Record<string, unknown>,
      c as unknown as Record<string, unknown>,
    );
  const value =
    f.kind === 'text'
      ? String(raw)
      : f.kind === 'bool'
        ? Boolean(raw)
        : f.kind === 'select'
          ? (f.options?.find((o) => String(o.value) === String(raw))?.value ?? raw)
          : Number(raw);
  parent[keys[keys.length - 1]] = value;
  return c;
}

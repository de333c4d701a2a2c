// The datasets an experiment can name: one registry for the config schema, the CLI and the page.
import { CIFAR10_CLASSES } from './cifar10';
import type { DataSplits } from './dataset';
import { GRATING_CLASSES, gratingSplits } from './gratings';
import { SHAPE_CLASSES, shapeSplits } from './shapes';

export interface DataSource {
  title: string;
  help: string;
  classes: readonly string[];
  /** Built in and seeded (no download), or read from CIFAR-10 files the user provides. */
  builtIn: boolean;
  maxTrain: number;
  maxVal: number;
  /** Built-in sources only. */
  generate?(trainSize: number, valSize: number, seed: number): DataSplits;
}

export const DATASETS = {
  gratings: {
    title: 'noisy gratings (built in)',
    help:
      'synthetic 32×32 images: the class is the wavelength and orientation of a grating hidden under ' +
      'distractors; children rank by receptive field and depth',
    classes: GRATING_CLASSES,
    builtIn: true,
    maxTrain: 100_000,
    maxVal: 20_000,
    generate: gratingSplits,
  },
  shapes: {
    title: 'shapes and textures (built in, v1)',
    help: 'the first synthetic set: stripes, blobs, pairs and rings; its children barely rank (kept for old links)',
    classes: SHAPE_CLASSES,
    builtIn: true,
    maxTrain: 100_000,
    maxVal: 20_000,
    generate: shapeSplits,
  },
  cifar10: {
    title: 'CIFAR-10 (your files)',
    help:
      'the official binary files (data_batch_*.bin, test_batch.bin or cifar-10-binary.tar.gz); validation ' +
      '= the test split, as in the paper’s code',
    classes: CIFAR10_CLASSES,
    builtIn: false,
    maxTrain: 50_000,
    maxVal: 10_000,
  },
} satisfies Record<string, DataSource>;

export type DataSourceId = keyof typeof DATASETS;
export const DATASET_IDS = Object.keys(DATASETS) as DataSourceId[];
/** The registry entry of a dataset id, if there is one: own entries only (not __proto__, toString…). */
export const dataSource = (id: string): DataSource | undefined =>
  Object.hasOwn(DATASETS, id) ? (DATASETS as Record<string, DataSource>)[id] : undefined;

/** The generated splits of a built-in source, or undefined when the data must come from files. */
export function builtInSplits(cfg: {
  data: { source: DataSourceId; trainSize: number; valSize: number; synthSeed: number };
}): DataSplits | undefined {
  const src = dataSource(cfg.data.source);
  if (!src) throw new Error(`unknown dataset '${String(cfg.data.source).slice(0, 40)}'`);
  return src.generate?.(cfg.data.trainSize, cfg.data.valSize, cfg.data.synthSeed);
}

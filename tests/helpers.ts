import type { ExperimentConfig } from '../src/engine/config';
import { builtInSplits } from '../src/engine/data/sources';
import { prepareData } from '../src/engine/experiment';
import { preset } from '../src/engine/presets';
import { PAPER_SPACE } from '../src/engine/searchSpace';

/** A very small supernet that trains in milliseconds per step even on the cpu backend. */
export function microConfig(over: Partial<ExperimentConfig> = {}): ExperimentConfig {
  const c = preset('tiny');
  c.model = { stemChannels: 4, cellChannels: 4, numCells: 2, inputSize: 8 };
  c.data = { ...c.data, trainSize: 32, valSize: 16 };
  c.train = { ...c.train, epochs: 2, batchSize: 8, lr: 0.05 };
  c.eval = { ...c.eval, denseSteps: 2, batchSize: 16, valSize: 16 };
  c.groundTruthSeeds = 2;
  return { ...c, ...over };
}

export function microData(cfg: ExperimentConfig) {
  return prepareData(cfg, builtInSplits(cfg)!);
}

/** Child index by name in the paper's space. */
export const child = (name: string) => PAPER_SPACE.index(name);

/** The SGD parameters of a config at a given learning rate. */
export const sgd = (cfg: ExperimentConfig, lr: number) => ({ ...cfg.train, lr });

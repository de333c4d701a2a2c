import { preset, type ExperimentConfig } from '../src/engine/config';
import { syntheticSplits } from '../src/engine/data/synthetic';
import { prepareData } from '../src/engine/experiment';

/** A very small supernet that trains in milliseconds per step even on the cpu backend. */
export function microConfig(over: Partial<ExperimentConfig> = {}): ExperimentConfig {
  const c = preset('tiny');
  c.model = { stemChannels: 4, cellChannels: 4, numCells: 2, inputSize: 8, numClasses: 10 };
  c.data = { ...c.data, trainSize: 32, valSize: 16 };
  c.train = { ...c.train, epochs: 2, batchSize: 8, lr: 0.05 };
  c.eval = { ...c.eval, denseSteps: 2, batchSize: 16 };
  c.groundTruthSeeds = 2;
  return { ...c, ...over };
}

export function microData(cfg: ExperimentConfig) {
  return prepareData(cfg, syntheticSplits(cfg.data.trainSize, cfg.data.valSize, cfg.data.synthSeed));
}

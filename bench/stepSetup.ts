// What both step benchmarks (bench/run.ts on the CPU backends, bench/gpuStep.ts on a GPU) train: one
// fixed batch of gratings, a fresh weight store and the children taken in turn, as the PyTorch script does.
import type { ExperimentConfig } from '../src/engine/config';
import { downsample, makeBatch } from '../src/engine/data/dataset';
import { gratingSplits } from '../src/engine/data/gratings';
import { preset } from '../src/engine/presets';
import { WeightStore } from '../src/engine/weightStore';

/** Every 7th child (10 of 64), trained in turn. */
export const BENCH_CHILDREN = Array.from({ length: 64 }, (_, i) => i).filter((i) => i % 7 === 0);

export function stepSetup(name: string, batchSize: number) {
  const cfg: ExperimentConfig = preset(name);
  const data = gratingSplits(batchSize, 10, 0);
  const batch = makeBatch(
    downsample(data.train, cfg.model.inputSize),
    Array.from({ length: batchSize }, (_, i) => i),
  );
  return { cfg, batch, store: new WeightStore(cfg, 0), params: { ...cfg.train, lr: 0.025 } };
}

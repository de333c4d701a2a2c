// What both step benchmarks (bench/run.ts on the CPU backends, bench/gpuStep.ts on a GPU) train: one
// fixed batch of gratings, a fresh weight store and the children taken in turn, as the PyTorch script does.
import type { ExperimentConfig } from '../src/engine/schema/config';
import { downsample, makeBatch, type Batch } from '../src/engine/data/dataset';
import { gratingSplits } from '../src/engine/data/gratings';
import { preset } from '../src/engine/schema/scales';
import { queueStep, readLosses, trainStep, type StepParams } from '../src/engine/train/trainer';
import { WeightStore } from '../src/engine/model/weightStore';

/** Every 7th child (10 of 64), trained in turn. */
export const BENCH_CHILDREN = Array.from({ length: 64 }, (_, i) => i).filter((i) => i % 7 === 0);

/**
 * A preset's config, with its number of cells and the pooling in front of later cells changed when asked
 * (npm run bench -- --cells=2 --pool=4).
 */
export function benchConfig(name: string, cells?: number, pool?: 1 | 2 | 4): ExperimentConfig {
  const cfg = preset(name);
  if (cells !== undefined) cfg.model.numCells = cells;
  if (pool !== undefined) cfg.model.cellPool = pool;
  return cfg;
}

export function stepSetup(name: string, batchSize: number, cells?: number, pool?: 1 | 2 | 4) {
  const cfg: ExperimentConfig = benchConfig(name, cells, pool);
  const data = gratingSplits(batchSize, 10, 0);
  const batch = makeBatch(
    downsample(data.train, cfg.model.inputSize),
    Array.from({ length: batchSize }, (_, i) => i),
  );
  return { cfg, batch, store: new WeightStore(cfg, 0), params: { ...cfg.train, lr: 0.025 } };
}

/**
 * Trains the children in turn for `seconds` (after a warm-up step for each, or as many as fit in
 * `seconds`) and returns the steps run, their wall time and CPU time (the process's, all threads).
 * `queued`: no read-back per step, losses read 16 at a time (what a run does on a GPU, experiment.ts).
 */
export async function timedSteps(
  store: WeightStore,
  batch: Batch,
  params: StepParams,
  seconds: number,
  queued: boolean,
): Promise<{ steps: number; wall: number; cpu: number }> {
  const pending: ReturnType<typeof queueStep>[] = [];
  const step = async (child: number) => {
    if (!queued) return void (await trainStep(store, child, batch, params));
    pending.push(queueStep(store, child, batch, params));
    if (pending.length === 16) await readLosses(pending.splice(0));
  };
  const w0 = performance.now();
  for (const c of BENCH_CHILDREN) {
    await step(c); // warm-up: shader compilation, momentum buffers
    if ((performance.now() - w0) / 1000 > seconds) break;
  }
  await readLosses(pending.splice(0));
  let steps = 0;
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  do await step(BENCH_CHILDREN[steps++ % BENCH_CHILDREN.length]);
  while ((performance.now() - t0) / 1000 < seconds);
  await readLosses(pending.splice(0));
  const cu = process.cpuUsage(c0);
  return { steps, wall: (performance.now() - t0) / 1000, cpu: (cu.user + cu.system) / 1e6 };
}

// The worker's side of the interference probe: the live run's latest checkpoint, kept after the run, is loaded into a
// fresh weight store and one child is trained from it for a few steps (engine/train/probe.ts).
import type { DataSplits } from '../../engine/data/dataset';
import { makeBatch, subset } from '../../engine/data/dataset';
import { Rng } from '../../engine/core/rng';
import { WeightStore } from '../../engine/model/weightStore';
import { instanceSeeds, spaceOf, type ExperimentConfig } from '../../engine/schema/config';
import { decodeSnapshot, type Checkpoint } from '../../engine/schema/record';
import { probeInterference } from '../../engine/train/probe';
import { cosineLr, stepsPerEpoch, totalSteps } from '../../engine/train/schedule';
import type { ProbeAnswer } from './protocol';

/** What a probe starts from: the run's config and data, and its latest checkpoint. */
export interface ProbeSource {
  cfg: ExperimentConfig;
  data: DataSplits;
  checkpoint: Checkpoint;
}

/** Trains `child` for `steps` steps from the checkpoint (batches drawn from a seed of the config) and measures. */
export async function runProbe(src: ProbeSource, child: number, steps: number): Promise<ProbeAnswer> {
  const { cfg, data, checkpoint } = src;
  const n = Math.max(1, Math.min(64, Math.floor(steps)));
  if (!Number.isInteger(child) || child < 0 || child >= spaceOf(cfg).numChildren)
    throw new Error(`there is no child ${child} in this space`);
  const store = new WeightStore(cfg, instanceSeeds(cfg, checkpoint.instance).init);
  try {
    store.restore(decodeSnapshot(checkpoint.weights));
    const rng = Rng.from(cfg.seed, 'probe', child);
    const batches = Array.from({ length: n }, () =>
      makeBatch(
        data.train,
        Array.from({ length: cfg.train.batchSize }, () => rng.int(data.train.n)),
      ),
    );
    // The learning rate the supernet trained with at the checkpoint's epoch.
    const lr = cosineLr(cfg.train, Math.floor(checkpoint.step / stepsPerEpoch(cfg)));
    const val = subset(data.val, cfg.eval.valSize);
    const r = await probeInterference(store, child, batches, { ...cfg.train, lr }, val, cfg.eval.batchSize);
    return {
      ...r,
      instance: checkpoint.instance,
      fromStep: checkpoint.step,
      totalSteps: totalSteps(cfg),
      lr,
      childName: store.space.name(child),
    };
  } finally {
    store.dispose();
  }
}

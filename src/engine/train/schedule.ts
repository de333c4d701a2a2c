// Learning-rate schedule and the evaluation points of a run.
import { groundTruthTrain, type ExperimentConfig, type TrainConfig } from '../schema/config';
import type { EvalPoint } from '../schema/record';

/** Cosine annealing per epoch (PyTorch CosineAnnealingLR, T_max = epochs) from lr down to lrMin. */
export function cosineLr(t: TrainConfig, epoch: number): number {
  return t.lrMin + ((t.lr - t.lrMin) * (1 + Math.cos((Math.PI * epoch) / t.epochs))) / 2;
}

export function stepsPerEpoch(cfg: ExperimentConfig): number {
  return Math.ceil(cfg.data.trainSize / cfg.train.batchSize);
}

export const totalSteps = (cfg: ExperimentConfig) => stepsPerEpoch(cfg) * cfg.train.epochs;

/** Steps of one stand-alone run of the ground truth, under its own training (config.groundTruthTrain). */
export const groundTruthSteps = (cfg: ExperimentConfig) => totalSteps({ ...cfg, train: groundTruthTrain(cfg) });

/** Evaluation points of one instance: every epoch end (if on), every dense step, and the last step. */
export function evalPoints(cfg: ExperimentConfig): EvalPoint[] {
  const spe = stepsPerEpoch(cfg);
  const total = totalSteps(cfg);
  const out: EvalPoint[] = [];
  for (let step = 0; step < total; step++) {
    const epochEnd = step % spe === spe - 1 && cfg.eval.everyEpoch;
    const dense = step >= total - cfg.eval.denseSteps;
    if (epochEnd || dense || step === total - 1)
      out.push({ step: step + 1, epoch: Math.floor(step / spe) + 1, epochEnd: epochEnd || step === total - 1, dense });
  }
  return out;
}

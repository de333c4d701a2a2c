// What a run will cost before it starts: time from the config and a measured rate of the backend,
// memory from the shapes. The page shows it and asks above a threshold; the CLI refuses past a
// limit unless --yes. Pure arithmetic: the rates are measured by the caller (calibrate, in Node or the worker).
import { groundTruthTrain, spaceOf, type ExperimentConfig } from '../schema/config';
import { evalPoints, groundTruthSteps, totalSteps } from './schedule';
import { jobsOf } from '../space/sharing';
import { countParameters } from '../model/parameterCount';

/**
 * Seconds per image, on this backend for this model: one training step; evaluating every child (with the shared work);
 * one child.
 */
export interface Rates {
  trainSecondsPerImage: number;
  evalAllSecondsPerImage: number;
  evalOneSecondsPerImage: number;
}

export interface Cost {
  /** Wall seconds: the parts' sum divided by the training workers that take instances side by side. */
  seconds: number;
  /** Training workers the estimate assumes run instances side by side (1 when there is one instance). */
  workers: number;
  /** Peak bytes the backend will hold (weights, momenta, data, activations), roughly. */
  bytes: number;
  parts: { train: number; evaluate: number; finetune: number; groundTruth: number };
}

export function estimateCost(
  cfg: ExperimentConfig,
  rates: Rates,
  opts: { groundTruth?: boolean; workers?: number } = {},
): Cost {
  const space = spaceOf(cfg);
  const n = space.numChildren;
  const jobs = jobsOf(cfg.sharing, space).length;
  const steps = totalSteps(cfg);
  const trainImages = steps * cfg.train.batchSize * jobs * cfg.instances;
  const evalImages = evalPoints(cfg).length * cfg.eval.valSize * cfg.instances;
  const ftSteps = cfg.finetune.steps * n * cfg.instances;
  const gtImages = opts.groundTruth
    ? groundTruthSteps(cfg) * groundTruthTrain(cfg).batchSize * n * cfg.groundTruthSeeds
    : 0;
  const parts = {
    train: trainImages * rates.trainSecondsPerImage,
    evaluate: evalImages * rates.evalAllSecondsPerImage,
    finetune:
      ftSteps * (cfg.train.batchSize * rates.trainSecondsPerImage + cfg.eval.valSize * rates.evalOneSecondsPerImage),
    groundTruth:
      gtImages * rates.trainSecondsPerImage +
      (opts.groundTruth ? cfg.data.valSize * n * cfg.groundTruthSeeds * rates.evalOneSecondsPerImage : 0),
  };
  // Instances run side by side on the workers (the page's helpers, the CLI's --workers), in waves; a single
  // instance's split evaluation is not counted, so the estimate errs long.
  const workers = Math.max(1, Math.min(opts.workers ?? 1, cfg.instances));
  const instanceParts = (parts.train + parts.evaluate + parts.finetune) / cfg.instances;
  return {
    seconds: instanceParts * waveTimes(cfg.instances, workers) + parts.groundTruth / workers,
    workers,
    bytes: estimateBytes(cfg),
    parts,
  };
}

/**
 * How much longer one instance takes when `w` run side by side than alone: w workers together ran at about
 * 1 + (w − 1) / 2 times one worker's pace (two on this 2-core machine: 1.4–1.6×, in Node and in chromium).
 */
export const sideBySide = (w: number): number => w / (1 + (w - 1) / 2);

/**
 * `n` instances on `w` workers, in instances' time alone: full waves of w, each at the side-by-side pace, then the
 * rest (3 on 2: 2/1.5 + 1 = 2.33 instances' time, where dividing by the workers said 1.5 — the page foresaw 49 s
 * for best-varies, which took 75 s).
 */
export function waveTimes(n: number, w: number): number {
  const full = Math.floor(n / w);
  const rest = n - full * w;
  return full * sideBySide(w) + (rest > 0 ? sideBySide(rest) : 0);
}

/**
 * Rough peak memory: two copies of every weight (value, momentum), the data, and activations of a training and an
 * evaluation batch.
 */
export function estimateBytes(cfg: ExperimentConfig): number {
  const data = (cfg.data.trainSize + cfg.data.valSize) * (32 * 32 * 3 + cfg.model.inputSize ** 2 * 3);
  return modelBytes(cfg, cfg.train.batchSize, cfg.eval.batchSize) + data + 32e6;
}

/** Weights and momenta of the config's model, and the activations of one training and one evaluation batch. */
function modelBytes(cfg: ExperimentConfig, trainBatch: number, evalBatch: number): number {
  const m = cfg.model;
  const px = m.inputSize * m.inputSize;
  const weights = countParameters(cfg) * 4 * 2.2;
  const ops = spaceOf(cfg).numOps;
  const map = px * 4; // bytes of one channel of one image
  // Training: tensors saved for the backward pass, ~40 maps of cell width per cell, plus the stem's.
  const trainAct = trainBatch * map * (m.cellChannels * 40 * m.numCells + m.stemChannels * 8);
  // Evaluation: the cell-0 memo holds x0, the ops on x0 and every op on every x1 for one batch.
  const evalAct = evalBatch * map * (m.cellChannels * (3 + 3 * ops + ops * ops) + m.stemChannels * 3);
  return weights + Math.max(trainAct, evalAct);
}

/** The batches calibrate() measures with: a training batch of at most 64 images, an evaluation one of at most 512. */
export const calibrationBatches = (cfg: ExperimentConfig) => ({
  train: Math.min(64, cfg.train.batchSize),
  eval: Math.min(512, cfg.eval.batchSize),
});

/**
 * Memory calibration itself needs (the model, one small training and one evaluation batch): a config over
 * MAX_CALIBRATION_BYTES is refused before its model is built. The wasm backend's heap ends at 4 GiB, and past it
 * tfjs aborts the process ("Aborted()") instead of throwing; the estimate is rough, hence half of that.
 */
export function calibrationBytes(cfg: ExperimentConfig): number {
  const b = calibrationBatches(cfg);
  return modelBytes(cfg, b.train, b.eval) + 32e6;
}
export const MAX_CALIBRATION_BYTES = 2 * 2 ** 30;

export const fmtSeconds = (s: number): string =>
  !Number.isFinite(s)
    ? '?'
    : s < 90
      ? `${Math.round(s)} s`
      : s < 5400
        ? `${Math.round(s / 60)} min`
        : s < 172_800
          ? `${(s / 3600).toFixed(1)} h`
          : `${(s / 86_400).toFixed(1)} days`;
export const fmtBytes = (b: number): string => (b < 1e9 ? `${Math.round(b / 1e6)} MB` : `${(b / 1e9).toFixed(1)} GB`);

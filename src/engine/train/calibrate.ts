// Measures the two rates a cost estimate needs, on the current backend, for a config's model:
// a couple of training steps and one evaluation batch on random images (well under a second at
// classroom scale). The first step of each kind (kernel set-up, shader compilation) is not timed.
import { spaceOf, type ExperimentConfig } from '../schema/config';
import type { Batch, ImageSet } from '../data/dataset';
import { calibrationBatches, calibrationBytes, MAX_CALIBRATION_BYTES, type Rates } from './cost';
import { RefusedError } from '../core/errors';
import { Rng } from '../core/rng';
import { evaluateChildren, trainStep } from './trainer';
import { WeightStore } from '../model/weightStore';

function randomBatch(n: number, size: number, classes: number, rng: Rng): Batch {
  const x = new Float32Array(n * size * size * 3).map(() => rng.normal());
  const y = Int32Array.from({ length: n }, () => rng.int(classes));
  return { x, y, n, size };
}

/** Throws a RefusedError if even measuring this config would not fit in memory (see calibrationBytes). */
export function checkCalibrationFits(cfg: ExperimentConfig): void {
  const bytes = calibrationBytes(cfg);
  if (bytes > MAX_CALIBRATION_BYTES)
    throw new RefusedError(
      `this model needs about ${(bytes / 1e9).toFixed(1)} GB for one batch (more than the ` +
        `${(MAX_CALIBRATION_BYTES / 1e9).toFixed(1)} GB a run may hold): make it smaller — model.cellChannels, ` +
        `model.stemChannels, model.numCells, model.inputSize, or eval.batchSize`,
    );
}

export async function calibrate(cfg: ExperimentConfig, opts: { batch?: number; steps?: number } = {}): Promise<Rates> {
  checkCalibrationFits(cfg);
  const c: ExperimentConfig = { ...cfg, sharing: { kind: 'full' } };
  const store = new WeightStore(c, 0);
  const rng = Rng.from(0, 'calibrate');
  const b = Math.min(opts.batch ?? 64, calibrationBatches(cfg).train);
  const children = spaceOf(c).numChildren;
  try {
    const batch = randomBatch(b, cfg.model.inputSize, store.numClasses, rng);
    const params = { ...cfg.train, lr: 0 };
    await trainStep(store, children - 1, batch, params);
    await trainStep(store, 0, batch, params);
    // The median of a few timed steps: one slow step (a busy machine, a GC) does not set the rate.
    const times: number[] = [];
    for (let s = 0; s < (opts.steps ?? 5); s++) {
      const t = performance.now();
      await trainStep(store, (s * 7) % children, batch, params);
      times.push(performance.now() - t);
    }
    const train = times.sort((a, c) => a - c)[Math.floor(times.length / 2)] / 1000 / b;
    let t0 = 0;
    const ev = randomBatch(calibrationBatches(cfg).eval, cfg.model.inputSize, store.numClasses, rng);
    const val: ImageSet = {
      images: new Uint8Array(ev.n * ev.size * ev.size * 3).map(() => rng.int(256)),
      labels: Uint8Array.from(ev.y),
      n: ev.n,
      size: ev.size,
    };
    const all = Array.from({ length: children }, (_, i) => i);
    await evaluateChildren(store, all, val, { batchSize: val.n });
    t0 = performance.now();
    await evaluateChildren(store, all, val, { batchSize: val.n });
    const evalAll = (performance.now() - t0) / 1000 / val.n;
    t0 = performance.now();
    await evaluateChildren(store, [children - 1], val, { batchSize: val.n });
    const evalOne = (performance.now() - t0) / 1000 / val.n;
    return { trainSecondsPerImage: train, evalAllSecondsPerImage: evalAll, evalOneSecondsPerImage: evalOne };
  } finally {
    store.dispose();
  }
}

// The progress model the page and the CLI share, on a real run (wasm): the bar never goes back and reaches the
// end, and the ETA's error against the time that was really left is measured and printed (from 10 % on), with the
// pre-run estimate against the run's true time and its spread over four calibrations. Times are printed, not
// asserted: CI runs under load.
import { describe, expect, it } from 'vitest';
import { preset } from '../src/engine/schema/scales';
import type { ExperimentConfig } from '../src/engine/schema/config';
import { calibrate } from '../src/engine/train/calibrate';
import { estimateCost } from '../src/engine/train/cost';
import { prepareData, runExperiment } from '../src/engine/train/experiment';
import { ProgressModel, WorkTimer } from '../src/engine/train/progressModel';
import { useBackend } from '../src/node/backends';
import { loadData } from '../src/node/data';

/** The classroom model, shortened: two epochs, a dense window of 32 steps, a fine-tune of 2 steps per child. */
const cfg = (): ExperimentConfig => {
  const c = structuredClone(preset('tiny'));
  c.train.epochs = 2;
  c.data.trainSize = 4096;
  c.eval.denseSteps = 32;
  c.finetune.steps = 2;
  return c;
};

describe('progress and ETA on a real run', () => {
  it('the bar only goes forward and ends full; the ETA error from 10 % on is printed', async () => {
    await useBackend('wasm');
    const c = cfg();
    const estimates: number[] = [];
    for (let k = 0; k < 4; k++) estimates.push(estimateCost(c, await calibrate(c)).seconds);
    const rates = await calibrate(c);
    const model = new ProgressModel(c, rates);
    const timer = new WorkTimer(model);
    const samples: { t: number; f: number; eta: number }[] = [];
    const t0 = performance.now();
    const sample = () => samples.push({ t: (performance.now() - t0) / 1000, f: model.fraction, eta: model.etaSeconds });
    const rec = await runExperiment(c, prepareData(c, loadData(c)), undefined, {
      onInstanceStart: () => timer.begin(),
      onStep: () => (timer.step(), sample()),
      onPhase: (_i, p) => (timer.phase(p), sample()),
      onFinetune: () => (timer.finetune(), sample()),
    });
    const total = (performance.now() - t0) / 1000;
    expect(rec.status).toBe('complete');
    // Monotonic, and full at the end.
    samples.forEach((s, i) => i && expect(s.f).toBeGreaterThanOrEqual(samples[i - 1].f));
    expect(samples.at(-1)!.f).toBeGreaterThan(0.99);
    expect(samples.every((s) => Number.isFinite(s.eta))).toBe(true);
    // The ETA against the time really left, at the first sample past each tenth of the bar (10 % … 90 %).
    const errors: string[] = [];
    let worst = 0;
    for (let d = 1; d <= 9; d++) {
      const s = samples.find((x) => x.f >= d / 10);
      if (!s) continue;
      const left = total - s.t;
      const err = (s.eta - left) / left;
      worst = Math.max(worst, Math.abs(err));
      errors.push(
        `${d * 10}%: ${s.eta.toFixed(1)} s for ${left.toFixed(1)} s (${err >= 0 ? '+' : ''}${(err * 100).toFixed(0)}%)`,
      );
    }
    console.log(`run: ${total.toFixed(1)} s; ETA at ${errors.join(', ')}; worst ${(worst * 100).toFixed(0)}%`);
    const spread = Math.max(...estimates) / Math.min(...estimates);
    console.log(
      `pre-run estimates over four calibrations: ${estimates.map((e) => `${e.toFixed(1)} s`).join(', ')} ` +
        `(max/min ${spread.toFixed(2)}); the run took ${total.toFixed(1)} s ` +
        `(${((estimates[0] / total - 1) * 100).toFixed(0)}% off for the first)`,
    );
  }, 300_000);
});

// The pre-run estimate: parts from the rates; wall time in waves of the workers that take instances side by side.
import { describe, expect, it } from 'vitest';
import { estimateCost } from '../src/engine/train/cost';
import { preset } from '../src/engine/schema/scales';

const rates = { trainSecondsPerImage: 1e-3, evalAllSecondsPerImage: 2e-4, evalOneSecondsPerImage: 1e-5 };

describe('estimateCost', () => {
  it('adds training and evaluation from the rates; wall time in waves of the workers instances can use', () => {
    const cfg = { ...preset('tiny'), instances: 3 };
    const one = estimateCost(cfg, rates);
    expect(one.workers).toBe(1);
    // 512 steps × 64 images × 1 ms per instance; 3 instances.
    expect(one.parts.train).toBeCloseTo(3 * 512 * 64 * 1e-3, 6);
    expect(one.seconds).toBeCloseTo(one.parts.train + one.parts.evaluate, 6);
    const two = estimateCost(cfg, rates, { workers: 2 });
    expect(two.workers).toBe(2);
    expect(two.parts).toEqual(one.parts);
    // Three on two: a wave of two side by side (each 2 / 1.5 of its time alone), then one alone.
    expect(two.seconds).toBeCloseTo((one.seconds / 3) * (2 / 1.5 + 1), 6);
    const pair = { ...cfg, instances: 2 };
    expect(estimateCost(pair, rates, { workers: 2 }).seconds).toBeCloseTo(
      (estimateCost(pair, rates).seconds / 2) * (2 / 1.5),
      6,
    );
    // More workers than instances: the extra ones are not counted.
    const single = { ...cfg, instances: 1 };
    expect(estimateCost(single, rates, { workers: 4 }).seconds).toBeCloseTo(estimateCost(single, rates).seconds, 6);
    expect(estimateCost(single, rates, { workers: 4 }).workers).toBe(1);
  });

  it('counts the ground truth under its own training (groundTruthTrain), not the supernet’s', () => {
    const cfg = { ...preset('tiny'), groundTruthTrain: undefined };
    const own = { ...cfg, groundTruthTrain: { epochs: cfg.train.epochs * 2 } };
    const plain = estimateCost(cfg, rates, { groundTruth: true }).parts.groundTruth;
    const evalPart = cfg.data.valSize * 64 * cfg.groundTruthSeeds * rates.evalOneSecondsPerImage;
    // 64 children × seeds stand-alone runs of 512 steps × 64 images; twice the epochs, twice the training.
    expect(plain - evalPart).toBeCloseTo(512 * 64 * 64 * cfg.groundTruthSeeds * 1e-3, 3);
    expect(estimateCost(own, rates, { groundTruth: true }).parts.groundTruth - evalPart).toBeCloseTo(
      2 * (plain - evalPart),
      3,
    );
  });
});

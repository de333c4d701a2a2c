// Shipped ground truth must match the presets it is keyed to (else the CLI and app silently ignore it),
// and BN recalibration must leave the stored statistics alone.
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configHash, groundTruthKey } from '../src/engine/schema/config';
import { preset } from '../src/engine/schema/scales';
import { makeBatch } from '../src/engine/data/dataset';
import type { GroundTruth } from '../src/engine/schema/record';
import { evaluateChildren, trainStep } from '../src/engine/train/trainer';
import { WeightStore } from '../src/engine/model/weightStore';
import { useBackend } from '../src/node/backends';
import { microConfig, microData, sgd } from './helpers';

describe('shipped ground truth', () => {
  for (const name of ['tiny', 'paper']) {
    it(`public/groundtruth/${name}.json is keyed to the ${name} preset and has 64 children`, () => {
      const path = `public/groundtruth/${name}.json`;
      expect(existsSync(path)).toBe(true);
      const gt = JSON.parse(readFileSync(path, 'utf8')) as GroundTruth;
      expect(gt.keyHash).toBe(configHash(groundTruthKey(preset(name))));
      expect(gt.mean).toHaveLength(64);
      expect(gt.std).toHaveLength(64);
      expect(gt.mean.every((v) => v > 0 && v <= 1)).toBe(true);
    });
  }
  it('the paper ground truth is the published one (111 worst at 70.14 %, 434 best at 85.16 %)', () => {
    const gt = JSON.parse(readFileSync('public/groundtruth/paper.json', 'utf8')) as GroundTruth;
    expect(gt.mean[0]).toBeCloseTo(0.7014, 6);
    expect(Math.max(...gt.mean)).toBeCloseTo(0.8516, 6);
    expect(gt.mean.indexOf(Math.max(...gt.mean))).toBe(3 * 16 + 2 * 4 + 3);
  });
});

describe('BN recalibration', () => {
  it('re-estimates statistics per child for evaluation without touching the stored running statistics', async () => {
    await useBackend('wasm');
    const cfg = microConfig();
    const data = microData(cfg);
    const store = new WeightStore(cfg, 0);
    for (let s = 0; s < 8; s++)
      await trainStep(store, s * 9, makeBatch(data.train, [s, s + 1, s + 2, s + 3]), sgd(cfg, 0.1));
    const before = await store.snapshot();
    const plain = await evaluateChildren(store, [0, 21, 63], data.val, { batchSize: 16 });
    const recal = await evaluateChildren(store, [0, 21, 63], data.val, {
      batchSize: 16,
      recalibration: [makeBatch(data.train, [0, 1, 2, 3, 4, 5, 6, 7])],
    });
    expect(recal).not.toEqual(plain);
    const after = await store.snapshot();
    for (const [k, v] of before) expect(after.get(k)!.value).toEqual(v.value);
    expect(await evaluateChildren(store, [0, 21, 63], data.val, { batchSize: 16 })).toEqual(plain);
    store.dispose();
  });
});

describe('sharded ground truth', () => {
  it('merged shards equal the unsharded result exactly; missing or doubled runs are refused', async () => {
    const { mergeGroundTruth, runGroundTruthShard, shardRuns } = await import('../src/engine/train/groundTruth');
    await useBackend('wasm');
    const cfg = microConfig({ groundTruthSeeds: 2, space: { ops: ['max_pool_3x3', 'sep_conv_3x3'] } }); // 8 children
    const data = microData(cfg);
    const whole = await runGroundTruthShard(cfg, data);
    const parts: NonNullable<Awaited<ReturnType<typeof runGroundTruthShard>>>[] = [];
    for (let i = 0; i < 3; i++) parts.push((await runGroundTruthShard(cfg, data, { index: i, count: 3 }))!);
    expect(parts.map((p) => p.runs.length).reduce((a, b) => a + b, 0)).toBe(16);
    expect(shardRuns(cfg, { index: 1, count: 3 })[0]).toEqual({ seed: 0, child: 1 });
    const merged = mergeGroundTruth(cfg, parts);
    const single = mergeGroundTruth(cfg, [whole!]);
    expect(merged.perSeed).toEqual(single.perSeed);
    expect(merged.mean).toEqual(single.mean);
    expect(() => mergeGroundTruth(cfg, parts.slice(0, 2))).toThrow(/missing/);
    expect(() => mergeGroundTruth(cfg, [parts[0], parts[0], parts[1], parts[2]])).toThrow(/two shards/);
    // Each shard carries a checksum over its header and runs: an edited accuracy is refused, naming the shard.
    const edited = structuredClone(parts[1]);
    edited.runs[0][2] = 1 - edited.runs[0][2];
    expect(() => mergeGroundTruth(cfg, [parts[0], edited, parts[2]], ['a.json', 'b.json', 'c.json'])).toThrow(
      /^b\.json: its checksum does not match its content/,
    );
  });
});

// Shipped ground truth must match the presets it is keyed to (else the CLI and app silently ignore it),
// and BN recalibration must leave the stored statistics alone.
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configHash, groundTruthKey, parseConfig } from '../src/engine/schema/config';
import { preset } from '../src/engine/schema/scales';
import { makeBatch } from '../src/engine/data/dataset';
import type { GroundTruth } from '../src/engine/schema/record';
import { evaluateChildren, trainStep } from '../src/engine/train/trainer';
import { WeightStore } from '../src/engine/model/weightStore';
import { groundTruthConfig } from '../src/engine/train/experiment';
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
  it('is the children’s: a supernet-side change keeps its key, a truth-side change moves it', () => {
    const base = preset('tiny');
    const key = (f: (c: typeof base) => void) => {
      const c = structuredClone(base);
      f(c);
      return configHash(groundTruthKey(c));
    };
    const same = key(() => undefined);
    for (const [what, f] of [
      ['seed', (c: typeof base) => (c.seed = 3)],
      ['name', (c: typeof base) => (c.name = 'x')],
      ['order', (c: typeof base) => (c.train.order = 'shuffle-period')],
      ['sharing', (c: typeof base) => (c.sharing = { kind: 'prefix', k: 0 })],
      ['instances', (c: typeof base) => (c.instances = 5)],
      ['fine-tune', (c: typeof base) => (c.finetune = { steps: 8 })],
      ['dense steps', (c: typeof base) => (c.eval.denseSteps = 64)],
      // The classroom's truth trains its own epochs and BN momentum (groundTruthTrain): the supernet's leave it.
      ['supernet epochs', (c: typeof base) => (c.train.epochs = 6)],
      ['supernet BN momentum', (c: typeof base) => (c.train.bnMomentum = 0.5)],
    ] as const)
      expect(key(f), what).toBe(same);
    for (const [what, f] of [
      ['truth epochs', (c: typeof base) => (c.groundTruthTrain = { ...c.groundTruthTrain, epochs: 6 })],
      ['lr', (c: typeof base) => (c.train.lr = 0.05)],
      ['truth seeds', (c: typeof base) => (c.groundTruthSeeds = 3)],
      ['cells', (c: typeof base) => (c.model.numCells = 3)],
      ['data', (c: typeof base) => (c.data.synthSeed = 1)],
    ] as const)
      expect(key(f), what).not.toBe(same);
  });

  it('has its own training where the config says so (groundTruthTrain): the supernet’s then leaves it alone', () => {
    const plain = preset('tiny');
    delete plain.groundTruthTrain;
    plain.train.bnMomentum = 0.4;
    const c = structuredClone(plain);
    c.groundTruthTrain = { bnMomentum: 0.4 };
    const key = configHash(groundTruthKey(c));
    const d = structuredClone(c);
    d.train.bnMomentum = 0.9; // the supernet's own BN momentum
    expect(configHash(groundTruthKey(d))).toBe(key);
    expect(groundTruthConfig(d).train.bnMomentum).toBe(0.4);
    expect(groundTruthConfig(d).train.epochs).toBe(d.train.epochs);
    d.groundTruthTrain = { bnMomentum: 0.1 };
    expect(configHash(groundTruthKey(d))).not.toBe(key);
    // Written out, the override equal to the training block is the same truth as none.
    const e = structuredClone(plain);
    e.groundTruthTrain = { bnMomentum: e.train.bnMomentum };
    expect(configHash(groundTruthKey(e))).toBe(configHash(groundTruthKey(plain)));
    expect(() => parseConfig({ ...preset('tiny'), groundTruthTrain: { order: 'fixed' } })).toThrow(/groundTruthTrain/);
  });

  it('re-estimates BN statistics for the truth alone where asked (groundTruthBnRecalibration)', async () => {
    const { runGroundTruthShard } = await import('../src/engine/train/groundTruth');
    const c = preset('tiny');
    delete c.groundTruthBnRecalibration;
    const key = configHash(groundTruthKey(c));
    const d = { ...structuredClone(c), groundTruthBnRecalibration: 4 };
    expect(configHash(groundTruthKey(d))).not.toBe(key);
    expect(groundTruthConfig(d).eval.bnRecalibrationBatches).toBe(4);
    expect(d.eval.bnRecalibrationBatches).toBe(0); // the supernet keeps its running statistics
    // Set to what the supernet uses, the override is the same truth as none.
    expect(configHash(groundTruthKey({ ...c, groundTruthBnRecalibration: 0 }))).toBe(key);
    expect(configHash(groundTruthKey({ ...d, eval: { ...d.eval, bnRecalibrationBatches: 2 } }))).toBe(
      configHash(groundTruthKey(d)),
    );
    // A real stand-alone run: the same training, judged with re-estimated statistics, scores differently.
    await useBackend('wasm');
    const m = microConfig({ groundTruthSeeds: 1, space: { ops: ['max_pool_3x3', 'sep_conv_3x3'] } });
    const data = microData(m);
    const plain = (await runGroundTruthShard(m, data))!.runs.map((r) => r[2]);
    const recal = (await runGroundTruthShard({ ...m, groundTruthBnRecalibration: 2 }, data))!.runs.map((r) => r[2]);
    expect(recal).toHaveLength(plain.length);
    expect(recal).not.toEqual(plain);
    // More batches than the 32 training images fill (4 of 8) re-estimate over those 4, not over empty ones.
    const many = (await runGroundTruthShard({ ...m, groundTruthBnRecalibration: 64 }, data))!.runs.map((r) => r[2]);
    const four = (await runGroundTruthShard({ ...m, groundTruthBnRecalibration: 4 }, data))!.runs.map((r) => r[2]);
    expect(many).toEqual(four);
    expect(many.every(Number.isFinite)).toBe(true);
  });

  it('its runs use seeds 0, 1, … whatever the supernet’s seed', () => {
    const c = preset('tiny');
    c.seed = 12;
    const g = groundTruthConfig(c);
    expect(g.seed).toBe(0);
    expect(g.instances).toBe(c.groundTruthSeeds);
    expect(g.sharing.kind).toBe('none');
  });

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

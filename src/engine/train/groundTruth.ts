// Ground truth: every child trained alone from scratch, once per seed (the paper: 10 seeds, mean and
// std per child). Each (seed, child) run is independent of the others, so the work splits into
// shards — shard i of n takes runs k with k mod n = i — and merged shards equal the unsharded result.
import * as tf from '@tensorflow/tfjs';
import * as v from 'valibot';
import { configHash, groundTruthKey, spaceOf, type ExperimentConfig } from '../schema/config';
import type { DataSplits } from '../data/dataset';
import { groundTruthConfig, runInstance, type RunHooks } from './experiment';
import { mean, std } from '../core/metrics';
import type { GroundTruth } from '../schema/record';

export interface Shard {
  index: number;
  count: number;
}

export const shardSchema = v.strictObject({
  kind: v.literal('supernet-playground/groundtruth-shard'),
  keyHash: v.string(),
  shard: v.strictObject({ index: v.number(), count: v.number() }),
  seeds: v.number(),
  children: v.number(),
  /** [seed, child, accuracy] of every run in the shard. */
  runs: v.array(v.tuple([v.number(), v.number(), v.pipe(v.number(), v.minValue(0), v.maxValue(1))])),
  backend: v.string(),
});
export type GroundTruthShard = v.InferOutput<typeof shardSchema>;

/** The (seed, child) runs of a shard, seed-major. */
export function shardRuns(
  cfg: ExperimentConfig,
  shard: Shard = { index: 0, count: 1 },
): { seed: number; child: number }[] {
  if (
    !Number.isInteger(shard.count) ||
    shard.count < 1 ||
    !Number.isInteger(shard.index) ||
    shard.index < 0 ||
    shard.index >= shard.count
  )
    throw new Error(`shard ${shard.index}/${shard.count}: the index must be in 0..count-1`);
  const n = spaceOf(cfg).numChildren;
  const out: { seed: number; child: number }[] = [];
  for (let k = shard.index; k < cfg.groundTruthSeeds * n; k += shard.count)
    out.push({ seed: Math.floor(k / n), child: k % n });
  return out;
}

/** Trains the runs of one shard (all of them without a shard). Undefined if stopped. */
export async function runGroundTruthShard(
  cfg: ExperimentConfig,
  data: DataSplits,
  shard: Shard = { index: 0, count: 1 },
  hooks: RunHooks = {},
): Promise<GroundTruthShard | undefined> {
  const g = groundTruthConfig(cfg);
  const runs: [number, number, number][] = [];
  const bySeed = new Map<number, number[]>();
  for (const r of shardRuns(cfg, shard)) bySeed.set(r.seed, [...(bySeed.get(r.seed) ?? []), r.child]);
  for (const [seed, children] of bySeed) {
    // With no sharing, job i trains child i alone; its weights, data order and augmentation depend on i only.
    const inst = await runInstance(g, seed, data, hooks, { jobs: children });
    if (inst.status === 'diverged') throw new Error(`ground truth diverged: ${inst.error}`);
    if (inst.status !== 'complete') return undefined;
    const last = inst.accuracy[inst.accuracy.length - 1];
    for (const c of children) runs.push([seed, c, last[c]]);
  }
  return {
    kind: 'supernet-playground/groundtruth-shard',
    keyHash: configHash(groundTruthKey(cfg)),
    shard,
    seeds: cfg.groundTruthSeeds,
    children: spaceOf(cfg).numChildren,
    runs,
    backend: tf.getBackend(),
  };
}

export function summarizeGroundTruth(perSeed: number[][], source: string, keyHash?: string): GroundTruth {
  const n = perSeed[0]?.length ?? 0;
  const cols = Array.from({ length: n }, (_, c) => perSeed.map((r) => r[c]));
  return { mean: cols.map(mean), std: cols.map(std), perSeed, seeds: perSeed.length, source, keyHash };
}

/** Joins shards of one config into its ground truth; refuses missing, doubled or foreign runs. */
export function mergeGroundTruth(cfg: ExperimentConfig, shards: GroundTruthShard[]): GroundTruth {
  const key = configHash(groundTruthKey(cfg));
  const n = spaceOf(cfg).numChildren;
  const perSeed = Array.from({ length: cfg.groundTruthSeeds }, () => new Array<number>(n).fill(Number.NaN));
  const backends = new Set<string>();
  for (const s of shards) {
    if (s.keyHash !== key)
      throw new Error(
        `shard ${s.shard.index}/${s.shard.count} is of another config (key ${s.keyHash}, expected ${key})`,
      );
    backends.add(s.backend);
    for (const [seed, child, acc] of s.runs) {
      if (seed >= cfg.groundTruthSeeds || child >= n)
        throw new Error(`shard ${s.shard.index}/${s.shard.count}: run (seed ${seed}, child ${child}) is out of range`);
      if (!Number.isNaN(perSeed[seed][child]))
        throw new Error(`run (seed ${seed}, child ${child}) appears in two shards`);
      perSeed[seed][child] = acc;
    }
  }
  const missing = perSeed.flatMap((row, s) =>
    row.map((x, c) => (Number.isNaN(x) ? `(seed ${s}, child ${c})` : '')).filter(Boolean),
  );
  if (missing.length)
    throw new Error(`${missing.length} run(s) missing, e.g. ${missing.slice(0, 3).join(', ')}: merge every shard`);
  return summarizeGroundTruth(
    perSeed,
    `stand-alone training, ${cfg.groundTruthSeeds} seeds, this engine (${[...backends].join(', ')})`,
    key,
  );
}

/** The whole ground truth in one process. */
export async function runGroundTruth(
  cfg: ExperimentConfig,
  data: DataSplits,
  hooks: RunHooks = {},
): Promise<GroundTruth | undefined> {
  const shard = await runGroundTruthShard(cfg, data, undefined, hooks);
  return shard && mergeGroundTruth(cfg, [shard]);
}

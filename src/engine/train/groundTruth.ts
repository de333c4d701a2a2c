// Ground truth: every child trained alone from scratch, once per seed (the paper: 10 seeds, mean and
// std per child). Each (seed, child) run is independent of the others, so the work splits into
// shards — shard i of n takes runs k with k mod n = i — and merged shards equal the unsharded result.
import * as tf from '@tensorflow/tfjs';
import * as v from 'valibot';
import {
  configHash,
  groundTruthKey,
  hashHex,
  issueText,
  spaceOf,
  stableStringify,
  type ExperimentConfig,
} from '../schema/config';
import { parseJsonLimited } from '../core/jsonLimits';
import type { DataSplits } from '../data/dataset';
import { groundTruthConfig, runInstance, type RunHooks } from './experiment';
import { mean, std } from '../core/metrics';
import type { GroundTruth } from '../schema/record';

export interface Shard {
  index: number;
  count: number;
}

const count = (lo: number, hi: number, what: string) =>
  v.pipe(
    v.number(`${what} must be a number`),
    v.integer(`${what} must be a whole number`),
    v.minValue(lo, `${what} must be ≥ ${lo}`),
    v.maxValue(hi, `${what} must be ≤ ${hi}`),
  );
const HEX16 = /^[0-9a-f]{16}$/;

export const SHARD_KIND = 'supernet-playground/groundtruth-shard';
/** A shard file at most: 20 seeds × 729 children of [seed, child, accuracy] are well under 1 MB. */
export const MAX_SHARD_BYTES = 10_000_000;

export const shardSchema = v.strictObject({
  kind: v.literal(SHARD_KIND),
  keyHash: v.pipe(v.string(), v.regex(HEX16, 'keyHash must be 16 hex digits')),
  shard: v.strictObject({ index: count(0, 1_000_000, 'shard.index'), count: count(1, 1_000_000, 'shard.count') }),
  seeds: count(1, 20, 'seeds'),
  children: count(2, 729, 'children'),
  /** [seed, child, accuracy] of every run in the shard. */
  runs: v.pipe(
    v.array(
      v.tuple([
        count(0, 19, 'a run’s seed'),
        count(0, 728, 'a run’s child'),
        v.pipe(v.number(), v.finite(), v.minValue(0, 'accuracy must be ≥ 0'), v.maxValue(1, 'accuracy must be ≤ 1')),
      ]),
    ),
    v.maxLength(20 * 729, 'holds more runs than any config has'),
  ),
  /** The tfjs backend that trained it (wasm, cpu, webgpu): a name, printed later, so letters only. */
  backend: v.pipe(v.string(), v.regex(/^[a-z][a-z0-9_-]{0,39}$/i, 'backend must be a backend name')),
  /** shardChecksum over everything else: an edited number or header is refused by merge. */
  checksum: v.pipe(v.string(), v.regex(HEX16, 'checksum must be 16 hex digits')),
});
export type GroundTruthShard = v.InferOutput<typeof shardSchema>;

/** The content checksum of a shard: a hash of its header and runs (everything but the checksum). */
export function shardChecksum(s: Omit<GroundTruthShard, 'checksum'> & { checksum?: string }): string {
  return hashHex(stableStringify({ ...s, checksum: undefined }));
}

const cut = (s: string, n = 80) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

/**
 * A shard file's text as a shard: bounded JSON, then the schema, then its checksum. Every message starts with
 * `name` (the file). A shard from before checksums is refused with how to make it again.
 */
export function parseShardText(text: string, name: string): GroundTruthShard {
  if (text.trim() === '') throw new Error(`${name} is empty: not a ground-truth shard`);
  const raw = parseJsonLimited(text, MAX_SHARD_BYTES, SHARD_LIMITS, name);
  if (!raw || typeof raw !== 'object' || Array.isArray(raw) || (raw as { kind?: unknown }).kind !== SHARD_KIND)
    throw new Error(`${name} is not a ground-truth shard (its kind is not ${SHARD_KIND})`);
  if (!('checksum' in raw))
    throw new Error(
      `${name} has no checksum: it was made by an older version. Make it again with ` +
        `npm run cli -- groundtruth --shard <i/n> and the same options (merge checks each shard's checksum)`,
    );
  const r = v.safeParse(shardSchema, raw);
  if (!r.success) throw new Error(`${name} is not a valid ground-truth shard: ${cut(issueText(r.issues[0]), 200)}`);
  if (shardChecksum(r.output) !== r.output.checksum)
    throw new Error(`${name}: its checksum does not match its content: the file was edited or damaged; make it again`);
  return r.output;
}

const SHARD_LIMITS = { maxDepth: 4, maxStringLength: 200, maxKeys: 100_000 };

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
  const made = {
    kind: SHARD_KIND,
    keyHash: configHash(groundTruthKey(cfg)),
    shard: { index: shard.index, count: shard.count },
    seeds: cfg.groundTruthSeeds,
    children: spaceOf(cfg).numChildren,
    runs,
    backend: tf.getBackend(),
  } as const;
  return { ...made, checksum: shardChecksum(made) };
}

export function summarizeGroundTruth(perSeed: number[][], source: string, keyHash?: string): GroundTruth {
  const n = perSeed[0]?.length ?? 0;
  const cols = Array.from({ length: n }, (_, c) => perSeed.map((r) => r[c]));
  return { mean: cols.map(mean), std: cols.map(std), perSeed, seeds: perSeed.length, source, keyHash };
}

/**
 * Checks shards of one config before they are merged, each message naming the shard (`names`, e.g. its file): the
 * checksum, the config (key hash), the header (seeds, children, index and count, the same count in all), and that
 * each holds exactly the runs its index takes, once. Together they must be every shard of the count.
 */
export function verifyShards(cfg: ExperimentConfig, shards: GroundTruthShard[], names: string[]): void {
  const key = configHash(groundTruthKey(cfg));
  const n = spaceOf(cfg).numChildren;
  const byIndex = new Map<number, string>();
  shards.forEach((s, i) => {
    const name = names[i];
    const head = `${name} (shard ${s.shard.index}/${s.shard.count})`;
    if (shardChecksum(s) !== s.checksum)
      throw new Error(`${name}: its checksum does not match its content: the shard was edited or damaged`);
    if (s.keyHash !== key) throw new Error(`${head} is of another config (key ${s.keyHash}, expected ${key})`);
    if (s.seeds !== cfg.groundTruthSeeds)
      throw new Error(`${head} says ${s.seeds} seeds; the config has ${cfg.groundTruthSeeds}`);
    if (s.children !== n) throw new Error(`${head} says ${s.children} children; the config has ${n}`);
    if (!(s.shard.index < s.shard.count)) throw new Error(`${head}: the index must be in 0..count-1`);
    if (s.shard.count !== shards[0].shard.count)
      throw new Error(`${head} is one of ${s.shard.count} shards, ${names[0]} one of ${shards[0].shard.count}`);
    const twin = byIndex.get(s.shard.index);
    if (twin !== undefined)
      throw new Error(`${name} and ${twin} are both shard ${s.shard.index}: runs appear in two shards`);
    byIndex.set(s.shard.index, name);
    const want = new Set(shardRuns(cfg, s.shard).map((r) => r.seed * n + r.child));
    for (const [seed, child] of s.runs) {
      const k = seed * n + child;
      if (seed >= cfg.groundTruthSeeds || child >= n)
        throw new Error(`${head}: run (seed ${seed}, child ${child}) is out of range`);
      if (!want.delete(k)) throw new Error(`${head}: run (seed ${seed}, child ${child}) is not this shard's, or twice`);
    }
    if (want.size) throw new Error(`${head}: ${want.size} of its run(s) missing`);
  });
  if (!shards.length) throw new Error('no shards given');
  const count = shards[0].shard.count;
  const absent = Array.from({ length: count }, (_, i) => i).filter((i) => !byIndex.has(i));
  if (absent.length)
    throw new Error(
      `${absent.length} of ${count} shards missing (index ${absent.slice(0, 8).join(', ')}` +
        `${absent.length > 8 ? ', …' : ''}): merge every shard`,
    );
}

/**
 * Joins shards of one config into its ground truth; refuses missing, doubled, foreign or edited runs (verifyShards:
 * `names` name the shards in messages, e.g. their files).
 */
export function mergeGroundTruth(
  cfg: ExperimentConfig,
  shards: GroundTruthShard[],
  names: string[] = shards.map((s) => `shard ${s.shard.index}/${s.shard.count}`),
): GroundTruth {
  verifyShards(cfg, shards, names);
  const key = configHash(groundTruthKey(cfg));
  const n = spaceOf(cfg).numChildren;
  const perSeed = Array.from({ length: cfg.groundTruthSeeds }, () => new Array<number>(n).fill(Number.NaN));
  const backends = new Set<string>();
  for (const s of shards) {
    backends.add(s.backend);
    for (const [seed, child, acc] of s.runs) perSeed[seed][child] = acc;
  }
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

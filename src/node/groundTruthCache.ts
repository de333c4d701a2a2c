// Ground truth on disk, keyed by the hash of the config part that determines it.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { configHash, groundTruthKey, spaceOf, type ExperimentConfig } from '../engine/schema/config';
import { groundTruthSchema } from '../engine/schema/record';
import { safeParse } from 'valibot';
import type { GroundTruth } from '../engine/schema/record';
import { readTextBounded, writeAtomic } from './files';

export const CACHE_DIR = resolve(process.env.SUPERNET_CACHE ?? '.cache/groundtruth');
/** Shipped ground truth of the presets (also served to the app). */
export const SHIPPED_DIR = resolve('public/groundtruth');
/** A ground-truth file at most: 729 children × 20 seeds of numbers are well under 1 MB. */
export const MAX_GROUND_TRUTH_BYTES = 10_000_000;

export const gtKeyHash = (cfg: ExperimentConfig) => configHash(groundTruthKey(cfg));

/** A ground-truth file, if it is one (schema-checked); a file that is not one is passed over, as if absent. */
export function readGroundTruthFile(path: string): GroundTruth | undefined {
  if (!existsSync(path)) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(readTextBounded(path, MAX_GROUND_TRUTH_BYTES, 'ground truth'));
  } catch {
    return undefined;
  }
  const r = safeParse(groundTruthSchema, raw);
  return r.success ? r.output : undefined;
}

/** A ground-truth file, if it is one of this key and this many children. */
function readGt(path: string, key: string, children: number): GroundTruth | undefined {
  const gt = readGroundTruthFile(path);
  return gt && gt.keyHash === key && gt.mean.length === children ? gt : undefined;
}

/** Cached or shipped ground truth matching this config exactly, if any. */
export function findGroundTruth(cfg: ExperimentConfig): GroundTruth | undefined {
  const key = gtKeyHash(cfg);
  const n = spaceOf(cfg).numChildren;
  const shipped = ['tiny', 'paper', ...(/^[\w-]{1,80}$/.test(cfg.name) ? [cfg.name] : [])];
  for (const path of [join(CACHE_DIR, `${key}.json`), ...shipped.map((name) => join(SHIPPED_DIR, `${name}.json`))]) {
    const gt = readGt(path, key, n);
    if (gt) return gt;
  }
  return undefined;
}

/** Writes ground truth atomically (node/files.ts): a failed write leaves the file that was there. */
export function saveGroundTruth(gt: GroundTruth, path: string): string {
  writeAtomic(path, JSON.stringify(gt, null, 1), 'ground truth');
  return path;
}

export const cachePath = (cfg: ExperimentConfig) => join(CACHE_DIR, `${gtKeyHash(cfg)}.json`);

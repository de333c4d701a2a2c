// Ground truth on disk, keyed by the hash of the config part that determines it.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { configHash, groundTruthKey, type ExperimentConfig } from '../engine/config';
import type { GroundTruth } from '../engine/record';

export const CACHE_DIR = resolve(process.env.SUPERNET_CACHE ?? '.cache/groundtruth');
/** Shipped ground truth of the presets (also served to the app). */
export const SHIPPED_DIR = resolve('public/groundtruth');

export const gtKeyHash = (cfg: ExperimentConfig) => configHash(groundTruthKey(cfg));

function readGt(path: string, key: string): GroundTruth | undefined {
  if (!existsSync(path)) return undefined;
  const gt = JSON.parse(readFileSync(path, 'utf8')) as GroundTruth;
  return gt.keyHash === key && Array.isArray(gt.mean) && gt.mean.length === 64 ? gt : undefined;
}

/** Cached or shipped ground truth matching this config exactly, if any. */
export function findGroundTruth(cfg: ExperimentConfig): GroundTruth | undefined {
  const key = gtKeyHash(cfg);
  return readGt(join(CACHE_DIR, `${key}.json`), key) ?? readGt(join(SHIPPED_DIR, `${cfg.name}.json`), key);
}

export function saveGroundTruth(gt: GroundTruth, path: string): string {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, JSON.stringify(gt, null, 1));
  return path;
}

export const cachePath = (cfg: ExperimentConfig) => join(CACHE_DIR, `${gtKeyHash(cfg)}.json`);

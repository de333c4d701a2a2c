// Ground truth on disk, keyed by the hash of the config part that determines it.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { configHash, groundTruthKey, spaceOf, type ExperimentConfig } from '../engine/schema/config';
import { groundTruthSchema } from '../engine/schema/record';
import { safeParse } from 'valibot';
import type { GroundTruth } from '../engine/schema/record';

export const CACHE_DIR = resolve(process.env.SUPERNET_CACHE ?? '.cache/groundtruth');
/** Shipped ground truth of the presets (also served to the app). */
export const SHIPPED_DIR = resolve('public/groundtruth');

export const gtKeyHash = (cfg: ExperimentConfig) => configHash(groundTruthKey(cfg));

/** A ground-truth file, if it is one (schema-checked) of this key and this many children. */
function readGt(path: string, key: string, children: number): GroundTruth | undefined {
  if (!existsSync(path)) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
  const r = safeParse(groundTruthSchema, raw);
  return r.success && r.output.keyHash === key && r.output.mean.length === children ? r.output : undefined;
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

export function saveGroundTruth(gt: GroundTruth, path: string): string {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, JSON.stringify(gt, null, 1));
  return path;
}

export const cachePath = (cfg: ExperimentConfig) => join(CACHE_DIR, `${gtKeyHash(cfg)}.json`);

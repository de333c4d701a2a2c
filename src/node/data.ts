// Node-side dataset loading: synthetic (built in) or CIFAR-10 from a local folder or tarball. Every file is
// size-checked before it is read (node/files.ts): a folder's .bin files together, each .bin, the archive; memory
// stays near what CIFAR-10 itself needs, whatever the folder holds.
import { readdirSync, statSync, type Stats } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ExperimentConfig } from '../engine/schema/config';
import { DatasetError } from '../engine/core/errors';
import {
  isCifarFile,
  MAX_CIFAR_FILE_BYTES,
  MAX_CIFAR_TOTAL_BYTES,
  splitsFromFiles,
  splitsFromTarGz,
} from '../engine/data/cifar10';
import { CIFAR_ARCHIVE_LIMITS } from '../engine/data/tarGz';
import type { DataSplits } from '../engine/data/dataset';
import { builtInSplits } from '../engine/data/sources';
import { fileChunks, fmtSize, kindOf, readBounded, reason, shown } from './files';

/** Where `npm run data:cifar10` puts the dataset. */
export const DEFAULT_CIFAR_DIR = resolve(process.env.CIFAR10_DIR ?? 'data/cifar10');
/** The compressed archive on disk at most (the official one: 170 MB). */
export const MAX_ARCHIVE_BYTES = CIFAR_ARCHIVE_LIMITS.maxInflated;
/** How deep a CIFAR-10 folder is searched, and how many entries at most (the official layout: one level, 8). */
const MAX_DEPTH = 4;
const MAX_ENTRIES = 10_000;

const statOf = (p: string): Stats | undefined => {
  try {
    return statSync(p);
  } catch {
    return undefined;
  }
};

/** The CIFAR-10 .bin files under `root` (named as CIFAR-10 names them), with their sizes; nothing is read yet. */
function findBins(root: string): { bins: { name: string; size: number }[]; others: string[] } {
  const bins: { name: string; size: number }[] = [];
  const others: string[] = [];
  let entries = 0;
  const walk = (dir: string, depth: number) => {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch (e) {
      throw new DatasetError(`cannot read the folder ${shown(dir)}: ${reason(e)}`, dir);
    }
    for (const f of names) {
      if (++entries > MAX_ENTRIES)
        throw new DatasetError(`${shown(root)} holds more than ${MAX_ENTRIES} entries: not a CIFAR-10 folder`, root);
      const p = join(dir, f);
      const st = statOf(p);
      if (!st) continue; // a dangling link
      if (st.isDirectory()) {
        if (depth < MAX_DEPTH) walk(p, depth + 1);
      } else if (isCifarFile(p)) {
        if (!st.isFile()) throw new DatasetError(`${shown(p)} is ${kindOf(st)}, not a regular file`, p);
        if (st.size > MAX_CIFAR_FILE_BYTES)
          throw new DatasetError(
            `${shown(p)} is ${fmtSize(st.size)}, more than a CIFAR-10 file can be (${fmtSize(MAX_CIFAR_FILE_BYTES)}: ` +
              `50,000 records of 3,073 bytes)`,
            p,
          );
        bins.push({ name: p, size: st.size });
      } else if (f.endsWith('.bin')) others.push(shown(p));
    }
  };
  walk(root, 0);
  const total = bins.reduce((a, b) => a + b.size, 0);
  if (total > MAX_CIFAR_TOTAL_BYTES)
    throw new DatasetError(
      `${shown(root)}: its CIFAR-10 files hold ${fmtSize(total)}, more than the whole of CIFAR-10 ` +
        `(${fmtSize(MAX_CIFAR_TOTAL_BYTES)}): ${bins
          .slice(0, 8)
          .map((b) => `${shown(b.name, 80)} ${fmtSize(b.size)}`)
          .join(', ')}`,
      root,
    );
  return { bins, others };
}

/** A .tar.gz on disk, streamed in 1 MB pieces: never held whole, compressed or not. */
const fromArchive = (path: string): DataSplits =>
  splitsFromTarGz(fileChunks(path, MAX_ARCHIVE_BYTES, 'the CIFAR-10 archive'), shown(path));

/** Reads CIFAR-10 from a folder of .bin files (searched recursively), or a .tar.gz file. */
export function loadCifarFrom(path: string): DataSplits {
  const st = statOf(path);
  if (!st)
    throw new DatasetError(
      `${shown(path)} does not exist; run \`npm run data:cifar10\` (needs internet) or pass --data <folder with ` +
        `data_batch_*.bin/test_batch.bin, or train.bin/test.bin>`,
      path,
    );
  if (!st.isDirectory()) {
    if (!st.isFile()) throw new DatasetError(`--data ${shown(path)} is ${kindOf(st)}, not a folder or a file`, path);
    if (path.endsWith('.tar.gz') || path.endsWith('.tgz')) return fromArchive(path);
    throw new DatasetError(`${shown(path)}: expected a folder of .bin files or cifar-10-binary.tar.gz`, path);
  }
  const { bins, others } = findBins(path);
  const tarball = join(path, 'cifar-10-binary.tar.gz');
  if (bins.length === 0 && statOf(tarball)?.isFile()) return fromArchive(tarball);
  if (bins.length === 0)
    throw new DatasetError(
      `no CIFAR-10 file found in ${shown(path)} (expected data_batch_1..5.bin and test_batch.bin, or train.bin and ` +
        `test.bin)${others.length ? `; other .bin files: ${others.slice(0, 5).join(', ')}` : ''}`,
      path,
    );
  // Each file is read (fstat-checked again: it may have changed since the walk) and parsed before the next.
  return splitsFromFiles(
    bins.map((b) => ({ name: b.name, bytes: () => readBounded(b.name, MAX_CIFAR_FILE_BYTES, 'CIFAR-10 file') })),
  );
}

export function loadData(cfg: ExperimentConfig, cifarPath = DEFAULT_CIFAR_DIR): DataSplits {
  return builtInSplits(cfg) ?? loadCifarFrom(cifarPath);
}

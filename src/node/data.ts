// Node-side dataset loading: synthetic (built in) or CIFAR-10 from a local folder or tarball.
import { closeSync, existsSync, openSync, readdirSync, readFileSync, readSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ExperimentConfig } from '../engine/schema/config';
import { DatasetError } from '../engine/core/errors';
import { splitsFromFiles, splitsFromTarGz } from '../engine/data/cifar10';
import type { DataSplits } from '../engine/data/dataset';
import { builtInSplits } from '../engine/data/sources';

/** Where `npm run data:cifar10` puts the dataset. */
export const DEFAULT_CIFAR_DIR = resolve(process.env.CIFAR10_DIR ?? 'data/cifar10');

/** Reads CIFAR-10 from a folder of .bin files (searched recursively), or a .tar.gz file. */
export function loadCifarFrom(path: string): DataSplits {
  if (!existsSync(path))
    throw new DatasetError(
      `${path} does not exist; run \`npm run data:cifar10\` (needs internet) or pass --data <folder with ` +
        `data_batch_*.bin/test_batch.bin, or train.bin/test.bin>`,
      path,
    );
  if (statSync(path).isFile()) {
    if (path.endsWith('.tar.gz') || path.endsWith('.tgz'))
      return splitsFromTarGz(new Uint8Array(readFileSync(path)), path);
    throw new DatasetError(`${path}: expected a folder of .bin files or cifar-10-binary.tar.gz`, path);
  }
  const files: { name: string; bytes: Uint8Array }[] = [];
  const walk = (dir: string) => {
    for (const f of readdirSync(dir)) {
      const p = join(dir, f);
      if (statSync(p).isDirectory()) walk(p);
      else if (f.endsWith('.bin')) files.push({ name: p, bytes: new Uint8Array(readFileSync(p)) });
    }
  };
  walk(path);
  const tarball = join(path, 'cifar-10-binary.tar.gz');
  if (files.length === 0 && existsSync(tarball)) return splitsFromTarGz(fileChunks(tarball), tarball);
  return splitsFromFiles(files);
}

/** A file read in 1 MB pieces: an archive is never held whole, compressed or not. */
export function* fileChunks(path: string, size = 1 << 20): Generator<Uint8Array> {
  const fd = openSync(path, 'r');
  try {
    const buf = new Uint8Array(size);
    for (;;) {
      const n = readSync(fd, buf, 0, size, null);
      if (n === 0) return;
      yield buf.slice(0, n);
    }
  } finally {
    closeSync(fd);
  }
}

export function loadData(cfg: ExperimentConfig, cifarPath = DEFAULT_CIFAR_DIR): DataSplits {
  return builtInSplits(cfg) ?? loadCifarFrom(cifarPath);
}

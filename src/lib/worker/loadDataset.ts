// The dataset a run trains on, in a worker: built in (generated from the config's seed) or the dropped CIFAR-10 files.
import type { ExperimentConfig } from '../../engine/schema/config';
import { splitsFromFiles, splitsFromTarGz } from '../../engine/data/cifar10';
import type { DataSplits } from '../../engine/data/dataset';
import { builtInSplits, DATASETS } from '../../engine/data/sources';
import type { DatasetSource } from './protocol';

export function loadDataset(src: DatasetSource, cfg: ExperimentConfig): DataSplits {
  const built = builtInSplits(cfg);
  if (built) return built;
  if (src.kind !== 'cifar10-files')
    throw new Error(`${DATASETS[cfg.data.source].title} needs files: drop the CIFAR-10 binary files on the page first`);
  const tar = src.files.find((f) => /\.(tar\.gz|tgz)$/.test(f.name));
  return tar ? splitsFromTarGz(tar.bytes, tar.name) : splitsFromFiles(src.files);
}

// Writes public/groundtruth/paper.json: the paper's published ground truth (../shared/reference/paper-figures.json),
// keyed to the paper preset so `npm run cli -- run --preset paper` uses it instead of 64×10 stand-alone runs.
import { readFileSync, writeFileSync } from 'node:fs';
import { configHash, groundTruthKey, spaceOf } from '../src/engine/schema/config';
import { preset } from '../src/engine/schema/scales';
const fig = JSON.parse(readFileSync(process.argv[2] ?? '../shared/reference/paper-figures.json', 'utf8'));
const g = fig.ground_truth_accuracy_percent as Record<string, { mean: number; std: number }>;
const cfg = preset('paper');
const names = spaceOf(cfg).names;
const out = {
  mean: names.map((n) => Math.round(g[n].mean * 100) / 10000),
  std: names.map((n) => Math.round(g[n].std * 100) / 10000),
  seeds: 10,
  source: `published ground truth: ${fig.source}; CIFAR-10, 200 epochs, 10 seeds (mean ± std of stand-alone training)`,
  keyHash: configHash(groundTruthKey(cfg)),
};
writeFileSync('public/groundtruth/paper.json', JSON.stringify(out, null, 1));
console.log(out.keyHash, out.mean.slice(0, 3));

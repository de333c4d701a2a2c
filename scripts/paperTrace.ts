// Writes public/runs/paper-trace.json: the authors' own dense trace of a full-sharing supernet
// (../shared/reference/paper-trace/share_all_acc_last128.csv, MIT) as a run record of source
// "published", with the published ground truth, so the app draws it in the same charts as ours.
import { readFileSync, writeFileSync } from 'node:fs';
import { configHash, parseConfig } from '../src/engine/schema/config';
import { CIFAR10_CLASSES } from '../src/engine/data/cifar10';
import { preset } from '../src/engine/schema/scales';
import { RECORD_KIND, RECORD_SCHEMA_VERSION, recordToJson, type GroundTruth } from '../src/engine/schema/record';
import { validateRecord } from '../src/engine/schema/readRecord';
import { PAPER_SPACE } from '../src/engine/space/searchSpace';

const dir = process.argv[2] ?? '../shared/reference/paper-trace';
const rows = readFileSync(`${dir}/share_all_acc_last128.csv`, 'utf8').trim().split('\n');
const header = rows[0].split(',').slice(1).map(Number);
if (header.some((c, i) => c !== i)) throw new Error('unexpected column order in the trace');
const data = rows.slice(1).map((r) => r.split(',').map(Number));
const cfg = parseConfig({
  ...preset('paper'),
  name: 'paper-trace',
  instances: 1,
  eval: { ...preset('paper').eval, denseSteps: 128 },
});
const gt = JSON.parse(readFileSync('public/groundtruth/paper.json', 'utf8')) as GroundTruth;
const last = data[data.length - 1][0];
const rec = validateRecord({
  schemaVersion: RECORD_SCHEMA_VERSION,
  kind: RECORD_KIND,
  source: 'published',
  provenance: {
    title: 'Zhang et al. 2020, the authors’ dense trace of a full-sharing supernet',
    url: 'https://github.com/ultmaster/deeper-insights-weight-sharing',
    commit: '2a7f852',
    licence: 'MIT (Copyright (c) 2019 Junbum Cha)',
    note: [
      'figures/clustering/share_all_acc_last128.csv: CIFAR-10 at the paper’s scale, every child evaluated after each',
      'of the last 128 steps (39,073–39,200) of 200 epochs. Which child was trained at each step is not in the data.',
    ].join(' '),
  },
  createdAt: '2020-01-06T00:00:00.000Z',
  config: cfg,
  configHash: configHash(cfg),
  engine: { backend: 'pytorch (authors)', tfjs: '-' },
  dataset: {
    name: 'cifar10',
    classes: CIFAR10_CLASSES,
    trainSize: 50000,
    valSize: 10000,
    inputSize: 32,
  },
  parameterCount: 58074,
  childNames: [...PAPER_SPACE.names],
  groupMap: new Array(64).fill(0),
  jobs: [Array.from({ length: 64 }, (_, i) => i)],
  instances: [
    {
      index: 0,
      seeds: { init: 0, data: 0, order: 0 },
      points: data.map(([step]) => ({ step, epoch: 200, epochEnd: step === last, dense: true })),
      accuracy: data.map((r) => r.slice(1)),
      trainOrder: [[]],
      loss: [[]],
      status: 'complete',
    },
  ],
  groundTruth: gt,
  status: 'complete',
  seconds: 0,
});
writeFileSync('public/runs/paper-trace.json', recordToJson(rec));
console.log(`public/runs/paper-trace.json: ${data.length} steps × 64 children`);

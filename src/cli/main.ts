// Command-line front end of the engine: run, groundtruth, sweep.
//   npm run cli -- run --preset tiny --backend wasm --out run.json
import * as tf from '@tensorflow/tfjs';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { preset, validateConfig, CONFIG_SCHEMA_VERSION, type ExperimentConfig, type SharingPolicy } from '../engine/config';
import { prepareData, runExperiment, runGroundTruth, stepsPerEpoch, type RunHooks } from '../engine/experiment';
import type { RunRecord } from '../engine/record';
import { jobsOf, policyLabel } from '../engine/sharing';
import { useBackend, type BackendName } from '../node/backends';
import { loadData } from '../node/data';
import { cachePath, findGroundTruth, saveGroundTruth } from '../node/groundTruthCache';
import { Progress } from './progress';
import { summaryTable } from './summaryTable';

const USAGE = `usage: npm run cli -- <command> [options]

commands:
  run          train supernet instances and evaluate every child      (writes a run record)
  groundtruth  train each child alone (no sharing), cache the result   (.cache/groundtruth)
  sweep        run a grid of sharing policies × seeds                  (one record per policy)

options:
  --preset <tiny|small|paper>    start from a preset (default tiny)
  --config <file.json>           start from a config file instead (an ExperimentConfig, or a run record)
  --backend <wasm|cpu|webgpu>    tfjs backend (default wasm; webgpu runs through Dawn, npm 'webgpu')
  --seeds <n | a,b,c>            number of instances, or explicit base seeds (instances = count)
  --sharing <policy>             full | none | groups:<m>[:random|similarity] | prefix:<k> | unshare-bn | conv-only
  --order <mode>                 fixed | shuffle-once | shuffle-period | uniform
  --epochs <n>  --finetune <n>   override epochs; fine-tune steps per child after training
  --data <path>                  CIFAR-10 folder or cifar-10-binary.tar.gz (default data/cifar10)
  --out <file>                   output record (run) / ground-truth file (groundtruth) / folder (sweep)
  --policies <p1,p2,...>         sweep: the sharing policies (default full,groups:4:similarity,groups:16:random,prefix:0; none costs 64× a run)
  --compute-gt                   run/sweep: compute missing ground truth first (64 children × seeds trained alone:
                                 64·seeds times the cost of one instance); without it GT metrics stay empty
`;

export function parseSharing(s: string): SharingPolicy {
  const [kind, a, b] = s.split(':');
  switch (kind) {
    case 'full':
    case 'none':
    case 'unshare-bn':
    case 'conv-only':
      return { kind };
    case 'groups':
      return { kind: 'groups', m: Number(a), partition: (b ?? 'random') as 'random' | 'similarity', partitionSeed: 42 };
    case 'prefix':
      return { kind: 'prefix', k: Number(a) };
    default:
      throw new Error(`unknown sharing policy '${s}'`);
  }
}

function buildConfig(v: Record<string, string | boolean | undefined>): ExperimentConfig {
  let cfg: ExperimentConfig;
  if (typeof v.config === 'string') {
    const raw = JSON.parse(readFileSync(v.config, 'utf8'));
    cfg = raw.kind === 'supernet-playground/run' ? raw.config : raw;
    cfg = { ...preset('tiny'), ...cfg, schemaVersion: cfg.schemaVersion ?? CONFIG_SCHEMA_VERSION };
  } else cfg = preset(typeof v.preset === 'string' ? v.preset : 'tiny');
  if (typeof v.seeds === 'string') {
    const list = v.seeds.split(',').map(Number);
    if (list.length === 1) cfg.instances = list[0];
    else {
      cfg.seed = list[0];
      cfg.instances = list.length;
      if (list.some((s, i) => s !== list[0] + i)) throw new Error('--seeds a,b,c must be consecutive (instance i uses base seed + i)');
    }
  }
  if (typeof v.sharing === 'string') cfg.sharing = parseSharing(v.sharing);
  if (typeof v.order === 'string') cfg.train.order = v.order as ExperimentConfig['train']['order'];
  if (typeof v.epochs === 'string') cfg.train.epochs = Number(v.epochs);
  if (typeof v.finetune === 'string') cfg.finetune.steps = Number(v.finetune);
  return validateConfig(cfg);
}

function writeJson(path: string, obj: unknown) {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, JSON.stringify(obj));
}

/** Ctrl-C: the first press stops at the next step boundary (a valid partial record is written), the second exits. */
function stopSignal() {
  let stop = false;
  process.on('SIGINT', () => {
    if (stop) process.exit(130);
    stop = true;
    process.stderr.write('\ninterrupted: finishing the current step and writing a partial record (Ctrl-C again to quit now)\n');
  });
  return () => stop;
}

const yieldNow = () => new Promise<void>((r) => setImmediate(r));

function hooksFor(label: string, cfg: ExperimentConfig, instances: number, stopped: () => boolean): { hooks: RunHooks; progress: Progress } {
  const total = stepsPerEpoch(cfg) * cfg.train.epochs * instances;
  const progress = new Progress(label, total);
  let done = 0;
  return {
    progress,
    hooks: {
      onStep: (s) => progress.update(++done, s.images, `loss ${(s.loss.reduce((a, b) => a + b, 0) / s.loss.length).toFixed(3)}`),
      shouldStop: stopped,
      yieldNow,
    },
  };
}

async function groundTruthFor(cfg: ExperimentConfig, stopped: () => boolean, out?: string, dataPath?: string) {
  const found = out ? undefined : findGroundTruth(cfg);
  if (found) return found;
  const jobs = 64;
  process.stderr.write(`ground truth: ${jobs} children × ${cfg.groundTruthSeeds} seeds trained alone (${stepsPerEpoch(cfg) * cfg.train.epochs} steps each)\n`);
  const data = prepareData(cfg, loadData(cfg, dataPath));
  const { hooks, progress } = hooksFor('groundtruth', cfg, cfg.groundTruthSeeds, stopped);
  const gt = await runGroundTruth(cfg, data, hooks);
  progress.done();
  if (!gt) throw new Error('ground truth interrupted; nothing cached');
  const path = saveGroundTruth(gt, out ?? cachePath(cfg));
  process.stderr.write(`ground truth written to ${path}\n`);
  return gt;
}

async function runOne(cfg: ExperimentConfig, out: string | undefined, stopped: () => boolean, computeGt: boolean, dataPath?: string): Promise<RunRecord> {
  const gt = findGroundTruth(cfg) ?? (computeGt ? await groundTruthFor(cfg, stopped, undefined, dataPath) : undefined);
  const data = prepareData(cfg, loadData(cfg, dataPath));
  const { hooks, progress } = hooksFor(`${cfg.name} ${policyLabel(cfg.sharing)}`, cfg, cfg.instances, stopped);
  const rec = await runExperiment(cfg, data, gt, hooks, (r) => {
    if (out) writeJson(out, r); // after every instance: a crash loses at most one instance
  });
  progress.done();
  if (out) writeJson(out, rec);
  return rec;
}

export async function main(argv = process.argv.slice(2)): Promise<number> {
  const { values: v, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      preset: { type: 'string' },
      config: { type: 'string' },
      backend: { type: 'string', default: 'wasm' },
      seeds: { type: 'string' },
      sharing: { type: 'string' },
      order: { type: 'string' },
      epochs: { type: 'string' },
      finetune: { type: 'string' },
      data: { type: 'string' },
      out: { type: 'string' },
      policies: { type: 'string' },
      'compute-gt': { type: 'boolean', default: false },
      'no-gt': { type: 'boolean', default: false }, // accepted for older scripts; missing ground truth is never computed unasked
      help: { type: 'boolean', short: 'h' },
    },
  });
  const cmd = positionals[0];
  if (v.help || !cmd) {
    process.stdout.write(USAGE);
    return cmd ? 0 : 2;
  }
  const device = await useBackend(v.backend as BackendName);
  process.stderr.write(`backend: ${device}; tfjs ${tf.version.tfjs}\n`);
  const stopped = stopSignal();
  const cfg = buildConfig(v);
  switch (cmd) {
    case 'run': {
      const rec = await runOne(cfg, v.out, stopped, v['compute-gt'] && !v['no-gt'], v.data);
      process.stdout.write(summaryTable(rec) + '\n');
      if (v.out) process.stderr.write(`record written to ${v.out}${rec.status === 'partial' ? ' (partial)' : ''}\n`);
      return rec.status === 'complete' ? 0 : 130;
    }
    case 'groundtruth': {
      const gt = await groundTruthFor(cfg, stopped, v.out, v.data);
      const spread = gt.std.reduce((a, b) => a + b, 0) / 64;
      process.stdout.write(`ground truth (${gt.seeds} seeds): accuracy ${(Math.min(...gt.mean) * 100).toFixed(1)}%–${(Math.max(...gt.mean) * 100).toFixed(1)}%, mean per-child seed std ${(spread * 100).toFixed(2)} pp\n`);
      return 0;
    }
    case 'sweep': {
      const outDir = v.out ?? 'sweep';
      const policies = (v.policies ?? 'full,groups:4:similarity,groups:16:random,prefix:0').split(',');
      const rows: string[] = [];
      for (const p of policies) {
        const c = { ...structuredClone(cfg), sharing: parseSharing(p) };
        validateConfig(c);
        process.stderr.write(`sweep: ${policyLabel(c.sharing)} (${jobsOf(c.sharing).length} job(s))\n`);
        const rec = await runOne(c, join(outDir, `${p.replaceAll(':', '-')}.json`), stopped, v['compute-gt'] && !v['no-gt'], v.data);
        const m = rec.metrics;
        rows.push(`${policyLabel(c.sharing).padEnd(26)} S-Tau ${m?.sTau.mean.toFixed(4) ?? '—'}  GT-Tau-Mean-k ${m?.gtTauMeanK.mean.toFixed(4) ?? '—'}  Std-k ${m?.gtTauStdK.mean.toFixed(4) ?? '—'}`);
        if (rec.status !== 'complete') break;
      }
      process.stdout.write(rows.join('\n') + '\n');
      return 0;
    }
    default:
      process.stderr.write(`unknown command '${cmd}'\n${USAGE}`);
      return 2;
  }
}

main().then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`error: ${(e as Error).message}\n`);
    process.exit(1);
  },
);

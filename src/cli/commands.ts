// The CLI's commands: run, groundtruth, merge, sweep, gallery (findings: findings.ts). Every file goes through
// node/files.ts: outputs are checked before any work and written atomically; inputs are size- and type-checked.
import * as tf from '@tensorflow/tfjs';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { checkCalibrationFits, calibrate } from '../engine/train/calibrate';
import { experimentHash, parseConfig, spaceOf, stripControl, type ExperimentConfig } from '../engine/schema/config';
import { galleryConfigs } from '../engine/findings/registry';
import { whatIfConfigs } from '../engine/findings/whatIfs';
import { estimateCost, fmtBytes, fmtSeconds, type Rates } from '../engine/train/cost';
import { prepareData, runExperiment, type RunHooks } from '../engine/train/experiment';
import { groundTruthSteps } from '../engine/train/schedule';
import { plural } from '../engine/core/text';
import {
  mergeGroundTruth,
  MAX_SHARD_BYTES,
  parseShardText,
  runGroundTruthShard,
  type Shard,
} from '../engine/train/groundTruth';
import { parseRecordText } from '../engine/schema/readRecord';
import { MAX_RECORD_BYTES, recordToJson, type GroundTruth, type RunRecord } from '../engine/schema/record';
import { jobsOf, parseSharing, policyLabel, policyText } from '../engine/space/sharing';
import type { BackendName } from '../node/backends';
import { loadData } from '../node/data';
import { cliThreads, workerCount } from '../node/instanceThreads';
import { cachePath, findGroundTruth, gtKeyHash, saveGroundTruth } from '../node/groundTruthCache';
import { checkWritable, FileError, readTextBounded, shown, writeAtomic } from '../node/files';
import { buildConfig, shardFrom, type Values } from './args';
import { EXIT, print, say } from './output';
import { Progress } from './progress';
import { runProgress } from './runProgress';
import { onStop } from './signals';
import { summaryTable } from './summaryTable';

const MAX_SECONDS = 2 * 3600;
const MAX_BYTES = 3e9;
const yieldNow = () => new Promise<void>((r) => setImmediate(r));

/** A run record file read back (size- and type-checked, then the record schema). */
export const readRecordFile = (path: string, what = 'record'): RunRecord =>
  parseRecordText(readTextBounded(path, MAX_RECORD_BYTES, what), shown(path));

function hooksFor(label: string, steps: number, stopped: () => boolean): { hooks: RunHooks; progress: Progress } {
  const progress = new Progress(label, steps);
  let done = 0;
  return {
    progress,
    hooks: {
      onStep: (s) =>
        progress.update(++done, s.images, `loss ${(s.loss.reduce((a, b) => a + b, 0) / s.loss.length).toFixed(3)}`),
      shouldStop: stopped,
      yieldNow,
    },
  };
}

/** The rates each config was calibrated at before its run (the run's progress model starts from them). */
const calibrated = new Map<string, Rates>();
async function ratesOf(cfg: ExperimentConfig): Promise<Rates> {
  const key = experimentHash({ ...cfg, instances: 1 });
  const rates = calibrated.get(key) ?? (await calibrate(cfg));
  calibrated.set(key, rates);
  return rates;
}

/**
 * Refuses a config whose measuring alone would not fit (always), then measures this backend on the config's model
 * and refuses what is over the limits, unless --yes.
 */
async function checkCost(cfg: ExperimentConfig, yes: boolean, groundTruth = false): Promise<boolean> {
  checkCalibrationFits(cfg);
  const cost = estimateCost(cfg, await ratesOf(cfg), { groundTruth });
  const over = cost.seconds > MAX_SECONDS || cost.bytes > MAX_BYTES;
  say(
    `estimate: ${fmtSeconds(cost.seconds)} and ${fmtBytes(cost.bytes)} on ${tf.getBackend()} (training ` +
      `${fmtSeconds(cost.parts.train)}, evaluation ` +
      `${fmtSeconds(cost.parts.evaluate)}` +
      `${cost.parts.finetune ? `, fine-tune ${fmtSeconds(cost.parts.finetune)}` : ''}` +
      `${cost.parts.groundTruth ? `, ground truth ${fmtSeconds(cost.parts.groundTruth)}` : ''})`,
  );
  if (over && !yes) {
    say(`refused: over the limit of ${fmtSeconds(MAX_SECONDS)} or ${fmtBytes(MAX_BYTES)}; pass --yes to start anyway`);
    return false;
  }
  return true;
}

async function groundTruthFor(cfg: ExperimentConfig, stopped: () => boolean, dataPath?: string): Promise<GroundTruth> {
  const n = spaceOf(cfg).numChildren;
  say(
    `ground truth: ${n} children × ${cfg.groundTruthSeeds} seeds trained alone (${groundTruthSteps(cfg)} steps each)`,
  );
  const data = prepareData(cfg, loadData(cfg, dataPath));
  const { hooks, progress } = hooksFor('groundtruth', groundTruthSteps(cfg) * cfg.groundTruthSeeds, stopped);
  const shard = await runGroundTruthShard(cfg, data, undefined, hooks);
  progress.done();
  if (!shard) throw new Error('ground truth interrupted; nothing cached');
  const gt = mergeGroundTruth(cfg, [shard]);
  say(`ground truth written to ${saveGroundTruth(gt, cachePath(cfg))}`);
  return gt;
}

/**
 * Saving a run's record: every 5 s while it runs (a failure there is reported once and the run goes on), at once
 * on the first stop signal (signals.ts), and at the end (a failure there is the command's error).
 */
function recordSaver(out: string | undefined) {
  let checkpoint: RunRecord['checkpoint'];
  let latest: RunRecord | undefined;
  let lastWrite = 0;
  let warned = false;
  const write = (r: RunRecord) =>
    out !== undefined &&
    writeAtomic(out, recordToJson({ ...r, checkpoint: r.status === 'complete' ? undefined : checkpoint }), 'record');
  const undo = onStop(() => latest && write(latest));
  return {
    checkpoint: (c: RunRecord['checkpoint']) => (checkpoint = c),
    progress: (r: RunRecord) => {
      latest = r;
      if (out === undefined || performance.now() - lastWrite < 5000) return;
      lastWrite = performance.now();
      try {
        write(r);
      } catch (e) {
        if (!warned) say(`warning: ${(e as Error).message}; the run goes on`);
        warned = true;
      }
    },
    final: (r: RunRecord) => {
      undo();
      write(r);
    },
    undo,
  };
}

async function runOne(
  cfg: ExperimentConfig,
  v: Values,
  stopped: () => boolean,
  resume?: RunRecord,
): Promise<RunRecord> {
  const gt = findGroundTruth(cfg) ?? (v['compute-gt'] ? await groundTruthFor(cfg, stopped, v.data) : undefined);
  const data = prepareData(cfg, loadData(cfg, v.data));
  const threads = cliThreads(v.workers, (v.backend ?? 'wasm') as BackendName, stopped);
  const done = resume?.instances.filter((i) => i.status === 'complete').length ?? 0;
  const { hooks, helperStep, progress } = runProgress(
    `${stripControl(cfg.name)} ${policyLabel(cfg.sharing)}`,
    cfg,
    await ratesOf(cfg),
    workerCount(v.workers),
    done,
  );
  const saver = recordSaver(v.out);
  try {
    const rec = await runExperiment(
      cfg,
      data,
      gt,
      { ...hooks, shouldStop: stopped, yieldNow, onCheckpoint: saver.checkpoint, onRecord: saver.progress },
      { resume, helpers: threads?.helpers(cfg, data, helperStep) },
    );
    progress.done();
    saver.final(rec);
    return rec;
  } finally {
    saver.undo();
  }
}

export async function run(given: Values, stopped: () => boolean): Promise<number> {
  const v: Values = { ...given };
  let resume: RunRecord | undefined;
  let cfg: ExperimentConfig;
  if (v.resume !== undefined) {
    resume = readRecordFile(v.resume, '--resume');
    if (resume.status === 'complete') throw new Error(`${shown(v.resume)} is already complete`);
    cfg = resume.config;
    v.out ??= v.resume;
    const complete = resume.instances.filter((i) => i.status === 'complete').length;
    const at = resume.checkpoint ? `, instance ${resume.checkpoint.instance} from step ${resume.checkpoint.step}` : '';
    say(`resuming ${shown(v.resume)}: ${complete} of ${plural(cfg.instances, 'instance')} complete${at}`);
  } else cfg = buildConfig(v);
  if (v.out !== undefined) checkWritable(v.out, '--out');
  if (!(await checkCost(cfg, !!v.yes || !!resume, !!v['compute-gt'] && !findGroundTruth(cfg)))) return EXIT.refused;
  const rec = await runOne(cfg, v, stopped, resume);
  print(summaryTable(rec));
  if (v.out !== undefined) say(`record written to ${v.out}${rec.status !== 'complete' ? ` (${rec.status})` : ''}`);
  if (rec.status === 'diverged') {
    say(`error: ${rec.error}`);
    return EXIT.diverged;
  }
  if (rec.status === 'partial') say(`continue with: npm run cli -- run --resume ${v.out ?? '<record>'}`);
  return rec.status === 'complete' ? EXIT.ok : EXIT.interrupted;
}

export async function groundtruth(v: Values, stopped: () => boolean): Promise<number> {
  const cfg = buildConfig(v);
  const shard: Shard | undefined = shardFrom(v);
  const out =
    v.out ??
    (shard ? cachePath(cfg).replace(/\.json$/, `.shard-${shard.index}-of-${shard.count}.json`) : cachePath(cfg));
  checkWritable(out, '--out');
  if (!shard) {
    if (!(await checkCost({ ...cfg, instances: 0 } as ExperimentConfig, !!v.yes, true))) return EXIT.refused;
    const gt = await groundTruthFor(cfg, stopped, v.data);
    if (v.out !== undefined) saveGroundTruth(gt, v.out);
    printGroundTruth(gt);
    return EXIT.ok;
  }
  checkCalibrationFits(cfg);
  const data = prepareData(cfg, loadData(cfg, v.data));
  const runs = Math.ceil((spaceOf(cfg).numChildren * cfg.groundTruthSeeds - shard.index) / shard.count);
  say(
    `ground truth shard ${shard.index}/${shard.count}: ${runs} stand-alone run(s) of ${groundTruthSteps(cfg)} steps ` +
      `(key ${gtKeyHash(cfg)})`,
  );
  const { hooks, progress } = hooksFor(
    `shard ${shard.index}/${shard.count}`,
    groundTruthSteps(cfg) * cfg.groundTruthSeeds,
    stopped,
  );
  const part = await runGroundTruthShard(cfg, data, shard, hooks);
  progress.done();
  if (!part) return EXIT.interrupted;
  writeAtomic(out, JSON.stringify(part), 'shard');
  say(
    `shard written to ${out}; when every shard is done: npm run cli -- merge ` +
      `${out.replace(/shard-\d+-of/, 'shard-*-of')} --preset ${cfg.name} --out <file>`,
  );
  return EXIT.ok;
}

function printGroundTruth(gt: GroundTruth) {
  const spread = gt.std.reduce((a, b) => a + b, 0) / gt.std.length;
  print(
    `ground truth (${gt.seeds} seeds): accuracy ` +
      `${(Math.min(...gt.mean) * 100).toFixed(1)}%–${(Math.max(...gt.mean) * 100).toFixed(1)}%, mean per-child ` +
      `seed std ${(spread * 100).toFixed(2)} pp`,
  );
}

/** The shard files `merge` was given: files as they are, folders searched for *.shard-<i>-of-<n>.json. */
function shardPaths(args: string[]): string[] {
  return args.flatMap((f) => {
    let folder: boolean;
    try {
      folder = statSync(f).isDirectory();
    } catch {
      throw new FileError(`merge: ${shown(f)} does not exist`, f);
    }
    return folder
      ? readdirSync(f)
          .filter((x) => /\.shard-\d+-of-\d+\.json$/.test(x))
          .map((x) => join(f, x))
      : [f];
  });
}

export function merge(v: Values, files: string[]): number {
  const cfg = buildConfig(v);
  if (v.out === undefined) throw new Error('merge needs --out <file> for the merged ground truth');
  checkWritable(v.out, '--out');
  const paths = shardPaths(files);
  if (!paths.length) throw new Error('merge: no shard files given (files, or folders holding *.shard-<i>-of-<n>.json)');
  const shards = paths.map((p) => parseShardText(readTextBounded(p, MAX_SHARD_BYTES, 'shard'), shown(p)));
  const gt = mergeGroundTruth(
    cfg,
    shards,
    paths.map((p) => shown(p)),
  );
  saveGroundTruth(gt, v.out);
  say(`merged ${shards.length} shard(s) into ${v.out}`);
  printGroundTruth(gt);
  return EXIT.ok;
}

export async function sweep(v: Values, stopped: () => boolean): Promise<number> {
  const cfg = buildConfig(v);
  const outDir = v.out ?? 'sweep';
  const policies = (v.policies ?? 'full,groups:4:similarity,groups:16:random,prefix:0').split(',').map(parseSharing);
  const configs = policies.map((p) => parseConfig({ ...structuredClone(cfg), sharing: p }));
  const outs = policies.map((p) => join(outDir, `${policyText(p).replaceAll(':', '-')}.json`));
  outs.forEach((o) => checkWritable(o, '--out'));
  configs.forEach(checkCalibrationFits);
  const rows: string[] = [];
  for (let k = 0; k < configs.length; k++) {
    const p = policies[k];
    say(`sweep: ${policyLabel(p)} (${jobsOf(p, spaceOf(configs[k])).length} job(s))`);
    const rec = await runOne(configs[k], { ...v, out: outs[k] }, stopped);
    const m = rec.metrics;
    rows.push(
      `${policyLabel(p).padEnd(26)} S-Tau ${m?.sTau.mean.toFixed(4) ?? '—'}  ` +
        `GT-Tau-Mean-k ${m?.gtTauMeanK.mean.toFixed(4) ?? '—'}  Std-k ${m?.gtTauStdK.mean.toFixed(4) ?? '—'}`,
    );
    if (rec.status !== 'complete') break;
  }
  print(rows.join('\n'));
  return EXIT.ok;
}

/** `gallery`: the shipped recordings — every gallery preset and its contrasts, by experiment hash (public/runs/). */
export async function gallery(v: Values, stopped: () => boolean): Promise<number> {
  const outDir = v.out ?? 'public/runs';
  const configs = [...galleryConfigs(), ...(v['what-ifs'] ? whatIfConfigs() : [])];
  for (const c of configs) checkWritable(join(outDir, `${experimentHash(c)}.json`), '--out');
  for (const c of configs) {
    const path = join(outDir, `${experimentHash(c)}.json`);
    if (existsSync(path) && readRecordFile(path).status === 'complete') {
      say(`${c.name}: recorded already (${path})`);
      continue;
    }
    say(`${c.name}: ${policyLabel(c.sharing)}, order ${c.train.order}, ${plural(c.instances, 'instance')}`);
    const rec = await runOne(c, { ...v, out: undefined }, stopped);
    if (rec.status !== 'complete') return rec.status === 'diverged' ? EXIT.diverged : EXIT.interrupted;
    writeAtomic(path, recordToJson({ ...rec, source: 'recorded' }), 'recording');
    say(`${c.name}: ${rec.seconds.toFixed(0)} s, written to ${path}`);
  }
  return EXIT.ok;
}

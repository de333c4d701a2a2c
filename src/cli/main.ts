// Command-line front end of the engine: run, groundtruth, merge, sweep, findings.
//   npm run cli -- run --preset tiny --backend wasm --out run.json
import * as tf from '@tensorflow/tfjs';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { safeParse } from 'valibot';
import { calibrate } from '../engine/train/calibrate';
import { configHash, parseConfig, spaceOf, stripControl, type ExperimentConfig } from '../engine/schema/config';
import { galleryConfigs } from '../engine/findings/registry';
import { estimateCost, fmtBytes, fmtSeconds } from '../engine/train/cost';
import { prepareData, runExperiment, totalSteps, type RunHooks } from '../engine/train/experiment';
import { plural } from '../engine/core/text';
import {
  mergeGroundTruth,
  runGroundTruthShard,
  shardSchema,
  type GroundTruthShard,
  type Shard,
} from '../engine/train/groundTruth';
import { parseRecordText } from '../engine/schema/readRecord';
import { recordToJson, type GroundTruth, type RunRecord } from '../engine/schema/record';
import { jobsOf, parseSharing, policyLabel, policyText } from '../engine/space/sharing';
import { useBackend, type BackendName } from '../node/backends';
import { loadData } from '../node/data';
import { cliThreads } from '../node/instanceThreads';
import { cachePath, findGroundTruth, gtKeyHash, saveGroundTruth } from '../node/groundTruthCache';
import { buildConfig, OPTIONS, shardFrom, usage, type Values } from './args';
import { checkWritable, writeAtomic } from './files';
import { findingsCommand } from './findings';
import { Progress } from './progress';
import { stopSignal } from './signals';
import { summaryTable } from './summaryTable';

/** Exit codes: 0 done, 1 error, 2 usage, 3 diverged, 4 refused (cost), 130 interrupted. */
export const EXIT = { ok: 0, error: 1, usage: 2, diverged: 3, refused: 4, interrupted: 130 } as const;

const MAX_SECONDS = 2 * 3600;
const MAX_BYTES = 3e9;
const yieldNow = () => new Promise<void>((r) => setImmediate(r));
const say = (s: string) => process.stderr.write(`${s}\n`);

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

/** Measures this backend on the config's model and refuses what is over the limits, unless --yes. */
async function checkCost(cfg: ExperimentConfig, yes: boolean, groundTruth = false): Promise<boolean> {
  const cost = estimateCost(cfg, await calibrate(cfg), { groundTruth });
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
  say(`ground truth: ${n} children × ${cfg.groundTruthSeeds} seeds trained alone (${totalSteps(cfg)} steps each)`);
  const data = prepareData(cfg, loadData(cfg, dataPath));
  const { hooks, progress } = hooksFor('groundtruth', totalSteps(cfg) * cfg.groundTruthSeeds, stopped);
  const shard = await runGroundTruthShard(cfg, data, undefined, hooks);
  progress.done();
  if (!shard) throw new Error('ground truth interrupted; nothing cached');
  const gt = mergeGroundTruth(cfg, [shard]);
  say(`ground truth written to ${saveGroundTruth(gt, cachePath(cfg))}`);
  return gt;
}

async function runOne(
  cfg: ExperimentConfig,
  v: Values,
  stopped: () => boolean,
  resume?: RunRecord,
): Promise<RunRecord> {
  const gt = findGroundTruth(cfg) ?? (v['compute-gt'] ? await groundTruthFor(cfg, stopped, v.data) : undefined);
  const data = prepareData(cfg, loadData(cfg, v.data));
  const { hooks, progress } = hooksFor(
    `${stripControl(cfg.name)} ${policyLabel(cfg.sharing)}`,
    totalSteps(cfg) * cfg.instances,
    stopped,
  );
  let checkpoint: RunRecord['checkpoint'];
  let lastWrite = 0;
  const save = (r: RunRecord, force = false) => {
    if (!v.out || (!force && performance.now() - lastWrite < 5000)) return;
    lastWrite = performance.now();
    writeAtomic(v.out, recordToJson({ ...r, checkpoint: r.status === 'complete' ? undefined : checkpoint }));
  };
  const threads = cliThreads(v.workers, (v.backend ?? 'wasm') as BackendName, stopped);
  const rec = await runExperiment(
    cfg,
    data,
    gt,
    {
      ...hooks,
      onCheckpoint: (c) => (checkpoint = c),
      onRecord: (r) => save(r),
    },
    { resume, helpers: threads?.helpers(cfg, data, (s) => hooks.onStep?.(s)) },
  );
  progress.done();
  save(rec, true);
  return rec;
}

async function run(given: Values, stopped: () => boolean): Promise<number> {
  const v: Values = { ...given };
  let resume: RunRecord | undefined;
  let cfg: ExperimentConfig;
  if (v.resume) {
    resume = parseRecordText(readFileSync(v.resume, 'utf8'), v.resume);
    if (resume.status === 'complete') throw new Error(`${v.resume} is already complete`);
    cfg = resume.config;
    v.out ??= v.resume;
    const complete = resume.instances.filter((i) => i.status === 'complete').length;
    const at = resume.checkpoint ? `, instance ${resume.checkpoint.instance} from step ${resume.checkpoint.step}` : '';
    say(`resuming ${v.resume}: ${complete} of ${plural(cfg.instances, 'instance')} complete${at}`);
  } else cfg = buildConfig(v);
  if (v.out) checkWritable(v.out);
  if (!(await checkCost(cfg, !!v.yes || !!resume, !!v['compute-gt'] && !findGroundTruth(cfg)))) return EXIT.refused;
  const rec = await runOne(cfg, v, stopped, resume);
  process.stdout.write(summaryTable(rec) + '\n');
  if (v.out) say(`record written to ${v.out}${rec.status !== 'complete' ? ` (${rec.status})` : ''}`);
  if (rec.status === 'diverged') {
    say(`error: ${rec.error}`);
    return EXIT.diverged;
  }
  if (rec.status === 'partial') say(`continue with: npm run cli -- run --resume ${v.out ?? '<record>'}`);
  return rec.status === 'complete' ? EXIT.ok : EXIT.interrupted;
}

async function groundtruth(v: Values, stopped: () => boolean): Promise<number> {
  const cfg = buildConfig(v);
  const shard: Shard | undefined = shardFrom(v);
  const out =
    v.out ??
    (shard ? cachePath(cfg).replace(/\.json$/, `.shard-${shard.index}-of-${shard.count}.json`) : cachePath(cfg));
  checkWritable(out);
  if (!shard) {
    if (!(await checkCost({ ...cfg, instances: 0 } as ExperimentConfig, !!v.yes, true))) return EXIT.refused;
    const gt = await groundTruthFor(cfg, stopped, v.data);
    if (v.out) saveGroundTruth(gt, v.out);
    printGroundTruth(gt);
    return EXIT.ok;
  }
  const data = prepareData(cfg, loadData(cfg, v.data));
  const runs = Math.ceil((spaceOf(cfg).numChildren * cfg.groundTruthSeeds - shard.index) / shard.count);
  say(
    `ground truth shard ${shard.index}/${shard.count}: ${runs} stand-alone run(s) of ${totalSteps(cfg)} steps ` +
      `(key ${gtKeyHash(cfg)})`,
  );
  const { hooks, progress } = hooksFor(
    `shard ${shard.index}/${shard.count}`,
    totalSteps(cfg) * cfg.groundTruthSeeds,
    stopped,
  );
  const part = await runGroundTruthShard(cfg, data, shard, hooks);
  progress.done();
  if (!part) return EXIT.interrupted;
  writeAtomic(out, JSON.stringify(part));
  say(
    `shard written to ${out}; when every shard is done: npm run cli -- merge ` +
      `${out.replace(/shard-\d+-of/, 'shard-*-of')} --preset ${cfg.name} --out <file>`,
  );
  return EXIT.ok;
}

function printGroundTruth(gt: GroundTruth) {
  const spread = gt.std.reduce((a, b) => a + b, 0) / gt.std.length;
  process.stdout.write(
    `ground truth (${gt.seeds} seeds): accuracy ` +
      `${(Math.min(...gt.mean) * 100).toFixed(1)}%–${(Math.max(...gt.mean) * 100).toFixed(1)}%, mean per-child ` +
      `seed std ${(spread * 100).toFixed(2)} pp\n`,
  );
}

function merge(v: Values, files: string[]): number {
  const cfg = buildConfig(v);
  if (!v.out) throw new Error('merge needs --out <file> for the merged ground truth');
  checkWritable(v.out);
  const paths = files.flatMap((f) =>
    statSync(f).isDirectory()
      ? readdirSync(f)
          .filter((x) => /\.shard-\d+-of-\d+\.json$/.test(x))
          .map((x) => join(f, x))
      : [f],
  );
  if (!paths.length) throw new Error('merge: no shard files given');
  const shards: GroundTruthShard[] = paths.map((p) => {
    const r = safeParse(shardSchema, JSON.parse(readFileSync(p, 'utf8')));
    if (!r.success) throw new Error(`${p} is not a ground-truth shard (${r.issues[0].message})`);
    return r.output;
  });
  const gt = mergeGroundTruth(cfg, shards);
  saveGroundTruth(gt, v.out);
  say(`merged ${shards.length} shard(s) into ${v.out}`);
  printGroundTruth(gt);
  return EXIT.ok;
}

async function sweep(v: Values, stopped: () => boolean): Promise<number> {
  const cfg = buildConfig(v);
  const outDir = v.out ?? 'sweep';
  const policies = (v.policies ?? 'full,groups:4:similarity,groups:16:random,prefix:0').split(',').map(parseSharing);
  const rows: string[] = [];
  for (const p of policies) {
    const c = parseConfig({ ...structuredClone(cfg), sharing: p });
    const out = join(outDir, `${policyText(p).replaceAll(':', '-')}.json`);
    checkWritable(out);
    say(`sweep: ${policyLabel(p)} (${jobsOf(p, spaceOf(c)).length} job(s))`);
    const rec = await runOne(c, { ...v, out }, stopped);
    const m = rec.metrics;
    rows.push(
      `${policyLabel(p).padEnd(26)} S-Tau ${m?.sTau.mean.toFixed(4) ?? '—'}  ` +
        `GT-Tau-Mean-k ${m?.gtTauMeanK.mean.toFixed(4) ?? '—'}  Std-k ${m?.gtTauStdK.mean.toFixed(4) ?? '—'}`,
    );
    if (rec.status !== 'complete') break;
  }
  process.stdout.write(rows.join('\n') + '\n');
  return EXIT.ok;
}

/** `gallery`: the shipped recordings — every gallery preset and its contrasts, by config hash (public/runs/). */
async function gallery(v: Values, stopped: () => boolean): Promise<number> {
  const outDir = v.out ?? 'public/runs';
  const configs = galleryConfigs();
  for (const c of configs) {
    const path = join(outDir, `${configHash(c)}.json`);
    checkWritable(path);
    if (existsSync(path) && parseRecordText(readFileSync(path, 'utf8'), path).status === 'complete') {
      say(`${c.name}: recorded already (${path})`);
      continue;
    }
    say(`${c.name}: ${policyLabel(c.sharing)}, order ${c.train.order}, ${plural(c.instances, 'instance')}`);
    const rec = await runOne(c, { ...v, out: undefined }, stopped);
    if (rec.status !== 'complete') return rec.status === 'diverged' ? EXIT.diverged : EXIT.interrupted;
    writeAtomic(path, recordToJson({ ...rec, source: 'recorded' }));
    say(`${c.name}: ${rec.seconds.toFixed(0)} s, written to ${path}`);
  }
  return EXIT.ok;
}

export async function main(argv = process.argv.slice(2)): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: OPTIONS });
  const v = values as Values;
  const cmd = positionals[0];
  if (v.help || !cmd) {
    process.stdout.write(usage());
    return cmd ? EXIT.ok : EXIT.usage;
  }
  const commands = ['run', 'groundtruth', 'merge', 'sweep', 'findings', 'gallery'];
  if (!commands.includes(cmd)) {
    say(`unknown command '${stripControl(cmd).slice(0, 40)}'\n${usage()}`);
    return EXIT.usage;
  }
  if (!['wasm', 'cpu', 'webgpu'].includes(v.backend ?? 'wasm'))
    throw new Error(`--backend must be wasm, cpu or webgpu`);
  const device = await useBackend((v.backend ?? 'wasm') as BackendName);
  say(`backend: ${device}; tfjs ${tf.version.tfjs}`);
  const stopped = stopSignal();
  switch (cmd) {
    case 'run':
      return run(v, stopped);
    case 'groundtruth':
      return groundtruth(v, stopped);
    case 'merge':
      return merge(v, positionals.slice(1));
    case 'sweep':
      return sweep(v, stopped);
    case 'gallery':
      return gallery(v, stopped);
    default:
      return findingsCommand(v, stopped);
  }
}

main().then(
  (code) => process.exit(code),
  (e) => {
    say(`error: ${stripControl((e as Error).message)}`);
    process.exit(EXIT.error);
  },
);

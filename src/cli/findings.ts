// `findings`: runs the gallery presets (and the contrasts each finding needs) with N instances,
// then writes, per finding, the statistic, the paper's value, ours and whether it holds.
// Records go to a folder keyed by config hash, so a second call (or one after Ctrl-C) reuses them.
import * as tf from '@tensorflow/tfjs';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { configHash, parseConfig, spaceOf, type ExperimentConfig } from '../engine/schema/config';
import { prepareData, runExperiment, totalSteps } from '../engine/train/experiment';
import { findingsMarkdown, judgeFindings } from '../engine/findings/judge';
import { findingById, galleryConfigs, configsOf } from '../engine/findings/registry';
import { mergeGroundTruth, runGroundTruthShard } from '../engine/train/groundTruth';
import { validateRecord } from '../engine/schema/readRecord';
import { recordToJson, type GroundTruth, type RunRecord } from '../engine/schema/record';
import { findingsSummary } from '../engine/findings/summary';
import { recordStats } from '../engine/findings/instanceStats';
import type { FindingResult } from '../engine/findings/verdicts';
import type { BackendName } from '../node/backends';
import { loadData } from '../node/data';
import { cliThreads } from '../node/instanceThreads';
import { cachePath, findGroundTruth, readGroundTruthFile, saveGroundTruth } from '../node/groundTruthCache';
import { checkWritable, writeAtomic } from '../node/files';
import { wholeNumber, type Values } from './args';
import { readRecordFile } from './commands';
import { print, say } from './output';
import { Progress } from './progress';

/** A preset switched to the user's CIFAR-10 files: sizes capped to what the files hold. */
export function onCifar(c: ExperimentConfig, trainN: number, valN: number): ExperimentConfig {
  return parseConfig({
    ...c,
    data: {
      ...c.data,
      source: 'cifar10',
      trainSize: Math.min(c.data.trainSize, trainN),
      valSize: Math.min(c.data.valSize, valN),
    },
    eval: {
      ...c.eval,
      valSize: Math.min(c.eval.valSize, c.data.valSize, valN),
    },
  });
}

/** What every run of one `findings` call shares: instances, where records go, the user's CIFAR-10 files. */
interface FindingsRun {
  n: number;
  runsDir: string;
  cifar?: ReturnType<typeof loadData>;
  /** A gallery config as this call runs it: N instances, and on CIFAR-10 when --data is given. */
  adapt: (c: ExperimentConfig) => ExperimentConfig;
  v: Values;
  stopped: () => boolean;
}

export async function findingsCommand(v: Values, stopped: () => boolean): Promise<number> {
  const n = v.instances !== undefined ? wholeNumber(v.instances, '--instances') : 5;
  if (n < 1 || n > 50) throw new Error('--instances must be 1..50');
  const out = v.out ?? 'docs/findings.md';
  checkWritable(out, '--out');
  const statsOut = out.replace(/\.md$/, '') + '-instances.json';
  checkWritable(statsOut, 'the per-instance statistics');
  if (v.json !== undefined) checkWritable(v.json, '--json');
  const cifar =
    v.data !== undefined ? loadData({ data: { source: 'cifar10' } } as ExperimentConfig, v.data) : undefined;
  const run: FindingsRun = {
    n,
    runsDir: join(dirname(out), 'findings-runs', v.data ? 'cifar10' : 'synthetic'),
    cifar,
    adapt: (c) => {
      const withN = parseConfig({ ...c, instances: n });
      return cifar ? onCifar(withN, cifar.train.n, cifar.val.n) : withN;
    },
    v,
    stopped,
  };
  if (v.only !== undefined) return fillOnly(run, v.only.split(','));
  const t0 = performance.now();
  const paperGroundTruth = readGroundTruthFile('public/groundtruth/paper.json');
  // Each result names the gallery configs it comes from as the page names them (the summary is shown only there).
  // Every record the report judges, by config name: their per-instance statistics go beside the report.
  const used = new Map<string, RunRecord>();
  const results = await judgeFindings(
    async (c) => {
      const rec = await recordOf(run, run.adapt(c));
      used.set(rec.config.name, rec);
      return rec;
    },
    { paperGroundTruth },
    (c) => configHash(cifar ? run.adapt(c) : c),
  );
  const data = cifar
    ? `CIFAR-10 files (${v.data}; ${cifar.train.n} train / ${cifar.val.n} test images)`
    : 'the built-in gratings';
  const md = report(
    results.map((r) => r.result),
    { n, data, seconds: (performance.now() - t0) / 1000, runsDir: run.runsDir, statsOut },
  );
  writeAtomic(out, md, 'report');
  print(md);
  say(`report written to ${out}`);
  const stats = { kind: 'findings-instances', data, records: [...used.values()].map(recordStats) };
  writeAtomic(statsOut, `${JSON.stringify(stats)}\n`, 'statistics');
  say(`per-instance statistics written to ${statsOut}`);
  if (v.json !== undefined) {
    writeAtomic(v.json, `${JSON.stringify(findingsSummary(results, { instances: n, data }), null, 1)}\n`, 'summary');
    say(`summary for the page written to ${v.json}`);
  }
  return 0;
}

/**
 * --only: fill the runs folder (another process may be filling the rest); no report. A finding's id takes its config
 * and contrasts; a config name (e.g. less-sharing-sim8) takes that one, so slow contrasts can run in processes of
 * their own.
 */
async function fillOnly(run: FindingsRun, only: string[]): Promise<number> {
  const all = galleryConfigs();
  for (const id of only) {
    const g = findingById(id);
    const configs = g ? configsOf(g) : all.filter((c) => c.name === id);
    if (!configs.length)
      throw new Error(
        `--only: unknown preset or config '${id.slice(0, 40)}' (known: ${all.map((c) => c.name).join(', ')})`,
      );
    for (const c of configs) await recordOf(run, run.adapt(c));
  }
  say(`records for ${only.join(', ')} are in ${run.runsDir}`);
  return 0;
}

/** The ground truth of a config: found in the cache, or (with --compute-gt) trained and cached. */
async function groundTruthOf(run: FindingsRun, c: ExperimentConfig): Promise<GroundTruth | undefined> {
  const found = findGroundTruth(c);
  if (found || !run.v['compute-gt']) return found;
  say(`ground truth for ${c.name}: ${c.groundTruthSeeds} seeds × ${spaceOf(c).numChildren} children`);
  const data = prepareData(c, run.cifar ?? loadData(c, run.v.data));
  const p = new Progress('groundtruth', totalSteps(c) * c.groundTruthSeeds);
  let done = 0;
  const shard = await runGroundTruthShard(c, data, undefined, {
    onStep: (s) => p.update(++done, s.images),
    shouldStop: run.stopped,
    yieldNow: () => new Promise((r) => setImmediate(r)),
  });
  p.done();
  if (!shard) throw new Error('interrupted');
  const gt = mergeGroundTruth(c, [shard]);
  saveGroundTruth(gt, cachePath(c));
  return gt;
}

/** The record of a config: reused from the runs folder when complete, resumed when partial. */
async function recordOf(run: FindingsRun, c: ExperimentConfig): Promise<RunRecord> {
  const path = join(run.runsDir, `${c.name}-${configHash(c)}.json`);
  const prior = existsSync(path) ? readRecordFile(path) : undefined;
  const gt = await groundTruthOf(run, c);
  if (prior?.status === 'complete') return validateRecord({ ...prior, groundTruth: gt ?? prior.groundTruth });
  const data = prepareData(c, run.cifar ?? loadData(c, run.v.data));
  const p = new Progress(c.name, totalSteps(c) * c.instances);
  let done = 0;
  let checkpoint: RunRecord['checkpoint'];
  const rec = await runExperiment(
    c,
    data,
    gt,
    {
      onStep: (s) => p.update(++done, s.images),
      shouldStop: run.stopped,
      yieldNow: () => new Promise((r) => setImmediate(r)),
      onCheckpoint: (k) => (checkpoint = k),
    },
    {
      resume: prior,
      helpers: cliThreads(run.v.workers, (run.v.backend ?? 'wasm') as BackendName, run.stopped)?.helpers(c, data, (s) =>
        p.update(++done, s.images),
      ),
    },
  );
  p.done();
  writeAtomic(path, recordToJson({ ...rec, checkpoint: rec.status === 'complete' ? undefined : checkpoint }), 'record');
  if (rec.status !== 'complete')
    throw new Error(
      `${c.name}: ${rec.status}${rec.error ? ` — ${rec.error}` : ''} (records so far are in ${run.runsDir}; run ` +
        `findings again to continue)`,
    );
  return rec;
}

function report(
  results: FindingResult[],
  o: { n: number; data: string; seconds: number; runsDir: string; statsOut: string },
): string {
  return [
    `# Findings: what the classroom presets show`,
    '',
    `Made by \`npm run cli -- findings --instances ` +
      `${o.n}${o.data.startsWith('CIFAR') ? ' --data <folder>' : ''}\` on ` +
      `${new Date().toISOString().slice(0, 10)}: every gallery preset (and the contrasts a finding needs) with ` +
      `${o.n} instances on ${o.data}, tfjs ${tf.version.tfjs} on ${tf.getBackend()}, in ` +
      `${(o.seconds / 60).toFixed(0)} min of new runs. Run records: \`${o.runsDir}/\`; each instance's ` +
      `statistics, compact: \`${o.statsOut}\`. The paper's values ` +
      `are from Zhang et al. 2020 (Tables 2 and 3, and its published dense trace).`,
    '',
    ...findingsMarkdown(results),
  ].join('\n');
}

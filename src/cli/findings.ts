// `findings`: runs the gallery presets (and the contrasts each finding needs) with N instances,
// then writes, per finding, the statistic, the paper's value, ours and whether it holds.
// Records go to a folder keyed by config hash, so a second call (or one after Ctrl-C) reuses them.
import * as tf from '@tensorflow/tfjs';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { configHash, parseConfig, type ExperimentConfig } from '../engine/schema/config';
import { prepareData, runExperiment, totalSteps } from '../engine/train/experiment';
import {
  findingFourOf,
  findingOne,
  findingThree,
  findingTwo,
  groundTruthFinding,
  type FindingResult,
} from '../engine/findings/report';
import { GALLERY_CONFIGS } from '../engine/findings/gallery';
import { mergeGroundTruth, runGroundTruthShard } from '../engine/train/groundTruth';
import { parseRecordText, validateRecord } from '../engine/schema/readRecord';
import { recordToJson, type GroundTruth, type RunRecord } from '../engine/schema/record';
import { findingsSummary } from '../engine/findings/summary';
import type { BackendName } from '../node/backends';
import { loadData } from '../node/data';
import { cliThreads } from '../node/instanceThreads';
import { cachePath, findGroundTruth, saveGroundTruth } from '../node/groundTruthCache';
import type { Values } from './args';
import { checkWritable, writeAtomic } from './files';
import { Progress } from './progress';

const say = (s: string) => process.stderr.write(`${s}\n`);

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

export async function findingsCommand(v: Values, stopped: () => boolean): Promise<number> {
  const n = v.instances ? Number(v.instances) : 5;
  if (!Number.isInteger(n) || n < 1 || n > 50) throw new Error('--instances must be 1..50');
  const out = v.out ?? 'docs/findings.md';
  checkWritable(out);
  if (v.json) checkWritable(v.json);
  const runsDir = join(dirname(out), 'findings-runs', v.data ? 'cifar10' : 'synthetic');
  const cifar = v.data ? loadData({ data: { source: 'cifar10' } } as ExperimentConfig, v.data) : undefined;
  const adapt = (c: ExperimentConfig) => {
    const withN = parseConfig({ ...c, instances: n });
    return cifar ? onCifar(withN, cifar.train.n, cifar.val.n) : withN;
  };
  const t0 = performance.now();
  const gtFor = async (c: ExperimentConfig): Promise<GroundTruth | undefined> => {
    const found = findGroundTruth(c);
    if (found || !v['compute-gt']) return found;
    say(`ground truth for ${c.name}: ${c.groundTruthSeeds} seeds × 64 children`);
    const data = prepareData(c, cifar ?? loadData(c, v.data));
    const p = new Progress('groundtruth', totalSteps(c) * c.groundTruthSeeds);
    let done = 0;
    const shard = await runGroundTruthShard(c, data, undefined, {
      onStep: (s) => p.update(++done, s.images),
      shouldStop: stopped,
      yieldNow: () => new Promise((r) => setImmediate(r)),
    });
    p.done();
    if (!shard) throw new Error('interrupted');
    const gt = mergeGroundTruth(c, [shard]);
    saveGroundTruth(gt, cachePath(c));
    return gt;
  };
  /** The record of a config: reused from the runs folder when complete, resumed when partial. */
  const recordOf = async (c: ExperimentConfig): Promise<RunRecord> => {
    const path = join(runsDir, `${c.name}-${configHash(c)}.json`);
    const prior = existsSync(path) ? parseRecordText(readFileSync(path, 'utf8'), path) : undefined;
    const gt = await gtFor(c);
    if (prior?.status === 'complete') return validateRecord({ ...prior, groundTruth: gt ?? prior.groundTruth });
    const data = prepareData(c, cifar ?? loadData(c, v.data));
    const p = new Progress(c.name, totalSteps(c) * c.instances);
    let done = 0;
    let checkpoint: RunRecord['checkpoint'];
    const rec = await runExperiment(
      c,
      data,
      gt,
      {
        onStep: (s) => p.update(++done, s.images),
        shouldStop: stopped,
        yieldNow: () => new Promise((r) => setImmediate(r)),
        onCheckpoint: (k) => (checkpoint = k),
      },
      {
        resume: prior,
        helpers: cliThreads(v.workers, (v.backend ?? 'wasm') as BackendName, stopped)?.helpers(c, data, (s) =>
          p.update(++done, s.images),
        ),
      },
    );
    p.done();
    writeAtomic(path, recordToJson({ ...rec, checkpoint: rec.status === 'complete' ? undefined : checkpoint }));
    if (rec.status !== 'complete')
      throw new Error(
        `${c.name}: ${rec.status}${rec.error ? ` — ${rec.error}` : ''} (records so far are in ${runsDir}; run ` +
          `findings again to continue)`,
      );
    return rec;
  };

  const results: { result: FindingResult; configHashes: string[] }[] = [];
  const gallery = (id: string) => GALLERY_CONFIGS.find((g) => g.id === id)!;
  const only = v.only?.split(',');
  if (only) {
    // Only fill the runs folder (another process may be filling the rest); no report.
    // A preset id takes the preset and its contrasts; a config name (e.g. less-sharing-sim8) takes that one, so
    // the slow less-sharing contrasts can run in processes of their own.
    const all = GALLERY_CONFIGS.flatMap((g) => [g.config, ...g.contrasts.map((x) => x.config)]);
    for (const id of only) {
      const g = gallery(id);
      const configs = g ? [g.config, ...g.contrasts.map((x) => x.config)] : all.filter((c) => c.name === id);
      if (!configs.length)
        throw new Error(`--only: unknown preset or config '${id}' (known: ${all.map((c) => c.name).join(', ')})`);
      for (const c of configs) await recordOf(adapt(c));
    }
    say(`records for ${only.join(', ')} are in ${runsDir}`);
    return 0;
  }
  const main1 = await recordOf(adapt(gallery('best-varies').config));
  const paperGt = existsSync('public/groundtruth/paper.json')
    ? (JSON.parse(readFileSync('public/groundtruth/paper.json', 'utf8')) as GroundTruth)
    : undefined;
  // Each result with the gallery configs it comes from, as the page names them (the summary is shown only there).
  const add = (id: string, result: FindingResult) => {
    const g = gallery(id);
    const configs = [g.config, ...g.contrasts.map((x) => x.config)];
    results.push({ result, configHashes: configs.map((c) => configHash(cifar ? adapt(c) : c)) });
  };
  add('best-varies', groundTruthFinding(main1.groundTruth, paperGt));
  add('best-varies', findingOne(main1));
  add('signal', findingTwo(await recordOf(adapt(gallery('signal').config))));
  const g3 = gallery('interference');
  add('interference', findingThree(await recordOf(adapt(g3.config)), await recordOf(adapt(g3.contrasts[0].config))));
  const g4 = gallery('less-sharing');
  const main4 = await recordOf(adapt(g4.config));
  const contrasts: { label: string; rec: RunRecord }[] = [];
  for (const c of g4.contrasts) contrasts.push({ label: c.label, rec: await recordOf(adapt(c.config)) });
  add('less-sharing', findingFourOf(main4, contrasts));

  const data = cifar
    ? `CIFAR-10 files (${v.data}; ${cifar.train.n} train / ${cifar.val.n} test images)`
    : 'the built-in gratings';
  const md = report(
    results.map((r) => r.result),
    { n, data, seconds: (performance.now() - t0) / 1000, runsDir },
  );
  writeAtomic(out, md);
  process.stdout.write(md);
  say(`report written to ${out}`);
  if (v.json) {
    const summary = findingsSummary(results, { instances: n, data });
    writeAtomic(v.json, `${JSON.stringify(summary, null, 1)}\n`);
    say(`summary for the page written to ${v.json}`);
  }
  return 0;
}

function report(results: FindingResult[], o: { n: number; data: string; seconds: number; runsDir: string }): string {
  const lines = [
    `# Findings: what the classroom presets show`,
    '',
    `Made by \`npm run cli -- findings --instances ` +
      `${o.n}${o.data.startsWith('CIFAR') ? ' --data <folder>' : ''}\` on ` +
      `${new Date().toISOString().slice(0, 10)}: every gallery preset (and the contrasts a finding needs) with ` +
      `${o.n} instances on ${o.data}, tfjs ${tf.version.tfjs} on ${tf.getBackend()}, in ` +
      `${(o.seconds / 60).toFixed(0)} min of new runs. Run records: \`${o.runsDir}/\`. The paper's values ` +
      `are from Zhang et al. 2020 (Tables 2 and 3, and its published dense trace).`,
    '',
  ];
  for (const r of results) {
    lines.push(
      `## ${r.finding ? `Finding ${r.finding}: ` : ''}${r.title}`,
      '',
      '| statistic | paper | ours | target | holds |',
      '| --- | --- | --- | --- | --- |',
    );
    for (const row of r.rows)
      lines.push(
        `| ${row.statistic} | ${row.paper} | ${row.ours} | ${row.target} | ` +
          `${row.reference || row.holds === undefined ? '—' : row.holds ? 'yes' : '**no**'} |`,
      );
    lines.push('', r.verdict, '');
  }
  return lines.join('\n');
}

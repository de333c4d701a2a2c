// `probe`: interference, directly. From a supernet's epoch-end checkpoint — a partial record (--resume, e.g. after
// Ctrl-C) or one instance of the config trained here — train one child for a few steps and print how every other
// child moved, by edges shared with it, beside the control at learning rate 0 (engine/train/probe.ts).
import { prepareData, runExperiment } from '../engine/train/experiment';
import { probeFromCheckpoint, probeSentence, type ProbeReport } from '../engine/train/probe';
import { parseConfig, spaceOf, stripControl, type ExperimentConfig } from '../engine/schema/config';
import type { Checkpoint } from '../engine/schema/record';
import { totalSteps } from '../engine/train/schedule';
import { loadData } from '../node/data';
import { checkWritable, writeAtomic } from '../node/files';
import { buildConfig, wholeNumber, type Values } from './args';
import { readRecordFile } from './commands';
import { EXIT, print, say } from './output';
import { Progress } from './progress';

/** The child a --child value names: its digits (243) or its index. */
function childOf(cfg: ExperimentConfig, name: string | undefined): number {
  const space = spaceOf(cfg);
  if (name === undefined) throw new Error(`probe needs --child <name>, e.g. --child ${space.names[0]}`);
  const i = space.names.indexOf(name);
  if (i >= 0) return i;
  throw new Error(`--child '${stripControl(name).slice(0, 20)}' is not a child of this space (e.g. ${space.names[0]})`);
}

/** One instance of the config trained to its last epoch-end checkpoint (the probe's starting weights). */
async function trainToCheckpoint(cfg: ExperimentConfig, v: Values, stopped: () => boolean): Promise<Checkpoint> {
  const one = parseConfig({ ...cfg, instances: 1, finetune: { steps: 0 }, eval: { ...cfg.eval, denseSteps: 0 } });
  const data = prepareData(one, loadData(one, v.data));
  const progress = new Progress(`${stripControl(one.name)} (to probe)`, totalSteps(one));
  let checkpoint: Checkpoint | undefined;
  let done = 0;
  await runExperiment(one, data, undefined, {
    onStep: (s) => progress.update(++done, s.images),
    onCheckpoint: (c) => (checkpoint = c),
    shouldStop: stopped,
    yieldNow: () => new Promise((r) => setImmediate(r)),
  });
  progress.done();
  if (stopped()) throw new Error('interrupted before the probe');
  if (!checkpoint) throw new Error('this config has no epoch-end checkpoint to probe from (it trains one epoch)');
  return checkpoint;
}

function table(r: ProbeReport): string {
  const rows = r.groups.map(
    (g) =>
      `  ${String(g.shared).padStart(6)}  ${String(g.children.length).padStart(8)}  ` +
      `${(g.change * 100).toFixed(2).padStart(8)} ± ${(g.se * 100).toFixed(2).padEnd(5)}  ` +
      `${(g.controlChange * 100).toFixed(2).padStart(8)} ± ${(g.controlSe * 100).toFixed(2)}`,
  );
  return ['  shared  children    Δ acc (pp, ± SE)     control (pp, ± SE)', ...rows].join('\n');
}

export async function probeCommand(v: Values, stopped: () => boolean): Promise<number> {
  const steps = v.steps === undefined ? 8 : wholeNumber(v.steps, '--steps');
  if (steps < 1 || steps > 64) throw new Error('--steps must be 1..64');
  if (v.out !== undefined) checkWritable(v.out, '--out');
  let cfg: ExperimentConfig;
  let checkpoint: Checkpoint;
  if (v.resume !== undefined) {
    const rec = readRecordFile(v.resume, '--resume');
    if (!rec.checkpoint) throw new Error(`${v.resume} holds no checkpoint (only a partial record does)`);
    [cfg, checkpoint] = [rec.config, rec.checkpoint];
  } else {
    cfg = buildConfig(v);
    childOf(cfg, v.child); // refused before any training
    checkpoint = await trainToCheckpoint(cfg, v, stopped);
  }
  const child = childOf(cfg, v.child);
  const data = prepareData(cfg, loadData(cfg, v.data));
  const r = await probeFromCheckpoint(cfg, data, checkpoint, child, steps);
  print(`${table(r)}\n\n${probeSentence(r)}\n`);
  if (v.out !== undefined) {
    writeAtomic(
      v.out,
      `${JSON.stringify({ kind: 'supernet-playground/probe', config: cfg, ...r }, null, 1)}\n`,
      'probe',
    );
    say(`probe written to ${v.out}`);
  }
  return EXIT.ok;
}

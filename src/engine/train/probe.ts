// Interference, measured directly: from a supernet's weights, train one chosen child for a few steps and see how
// every other child's accuracy moves, against how many edges' ops it shares with the trained child. A control run
// takes the same steps at learning rate 0 — no weight moves, only the BN running statistics see the batches — so the
// two parts of interference (shared weights, shared statistics) can be told apart. The supernet is put back after.
import { mean, std } from '../core/metrics';
import { Rng } from '../core/rng';
import { makeBatch, subset, type Batch, type DataSplits, type ImageSet } from '../data/dataset';
import { WeightStore } from '../model/weightStore';
import { instanceSeeds, spaceOf, type ExperimentConfig } from '../schema/config';
import { decodeSnapshot, type Checkpoint } from '../schema/record';
import type { SearchSpace } from '../space/searchSpace';
import { cosineLr, stepsPerEpoch, totalSteps } from './schedule';
import { evaluateChildren, trainStep, type StepParams } from './trainer';

export interface SharedEdgesGroup {
  /** Edges whose op this group's children share with the trained child (0 … edges − 1; the child itself apart). */
  shared: number;
  children: number[];
  /** Mean change of accuracy (after − before) over the group, and its standard error. */
  change: number;
  se: number;
  /** The same in the control (learning rate 0: BN statistics only). */
  controlChange: number;
  controlSe: number;
}

export interface ProbeResult {
  child: number;
  steps: number;
  /** Every child's accuracy before, after the trained steps, and after the control's steps. */
  before: number[];
  after: number[];
  control: number[];
  groups: SharedEdgesGroup[];
}

/** How many edges two children of a space pick the same op on. */
export function sharedEdges(space: SearchSpace, a: number, b: number): number {
  const [x, y] = [space.arch(a), space.arch(b)];
  return x.filter((op, e) => op === y[e]).length;
}

/** Standard error of the mean (sample standard deviation, n − 1). */
const se = (v: number[]) =>
  v.length > 1 ? (std(v) * Math.sqrt(v.length / (v.length - 1))) / Math.sqrt(v.length) : Number.NaN;

/** The accuracy change of every child (but the trained one) grouped by edges shared with it. */
export function groupBySharedEdges(
  space: SearchSpace,
  child: number,
  before: number[],
  after: number[],
  control: number[],
): SharedEdgesGroup[] {
  const edges = space.arch(child).length;
  return Array.from({ length: edges }, (_, shared) => {
    const children = before.map((_, c) => c).filter((c) => c !== child && sharedEdges(space, c, child) === shared);
    const d = children.map((c) => after[c] - before[c]);
    const k = children.map((c) => control[c] - before[c]);
    return { shared, children, change: mean(d), se: se(d), controlChange: mean(k), controlSe: se(k) };
  }).filter((g) => g.children.length > 0);
}

/**
 * Trains `child` on each of `batches` (one step each), evaluates every child before and after, runs the control, and
 * restores the store's weights, statistics and momenta as they were.
 */
export async function probeInterference(
  store: WeightStore,
  child: number,
  batches: Batch[],
  params: StepParams,
  val: ImageSet,
  evalBatchSize = 512,
): Promise<ProbeResult> {
  const all = Array.from({ length: store.space.numChildren }, (_, c) => c);
  const evaluate = () => evaluateChildren(store, all, val, { batchSize: evalBatchSize });
  const snap = await store.snapshot(true);
  try {
    const before = await evaluate();
    for (const b of batches) await trainStep(store, child, b, params);
    const after = await evaluate();
    store.restore(snap);
    for (const b of batches) await trainStep(store, child, b, { ...params, lr: 0 });
    const control = await evaluate();
    return {
      child,
      steps: batches.length,
      before,
      after,
      control,
      groups: groupBySharedEdges(store.space, child, before, after, control),
    };
  } finally {
    store.restore(snap);
  }
}

/** A probe's result and the snapshot it started from. */
export interface ProbeReport extends ProbeResult {
  instance: number;
  /** The training step of the snapshot (an epoch-end checkpoint). */
  fromStep: number;
  totalSteps: number;
  lr: number;
  childName: string;
}

/**
 * The probe from a run's checkpoint: its weights in a fresh store, `steps` batches drawn from a seed of the config, at
 * the learning rate the supernet trained with at the checkpoint's epoch; evaluated on the run's validation images.
 */
export async function probeFromCheckpoint(
  cfg: ExperimentConfig,
  data: DataSplits,
  checkpoint: Checkpoint,
  child: number,
  steps: number,
): Promise<ProbeReport> {
  const n = Math.max(1, Math.min(64, Math.floor(steps)));
  if (!Number.isInteger(child) || child < 0 || child >= spaceOf(cfg).numChildren)
    throw new Error(`there is no child ${child} in this space`);
  const store = new WeightStore(cfg, instanceSeeds(cfg, checkpoint.instance).init);
  try {
    store.restore(decodeSnapshot(checkpoint.weights));
    const rng = Rng.from(cfg.seed, 'probe', child);
    const batches = Array.from({ length: n }, () =>
      makeBatch(
        data.train,
        Array.from({ length: cfg.train.batchSize }, () => rng.int(data.train.n)),
      ),
    );
    const lr = cosineLr(cfg.train, Math.floor(checkpoint.step / stepsPerEpoch(cfg)));
    const val = subset(data.val, cfg.eval.valSize);
    const r = await probeInterference(store, child, batches, { ...cfg.train, lr }, val, cfg.eval.batchSize);
    return {
      ...r,
      instance: checkpoint.instance,
      fromStep: checkpoint.step,
      totalSteps: totalSteps(cfg),
      lr,
      childName: store.space.name(child),
    };
  } finally {
    store.dispose();
  }
}

const pp = (x: number) => `${x >= 0 ? '+' : '−'}${Math.abs(x * 100).toFixed(2)}`;

/** The probe's answer in one paragraph (the page and the CLI print it). */
export function probeSentence(r: ProbeReport): string {
  const own = r.after[r.child] - r.before[r.child];
  const byShared = r.groups
    .map((g) => `${g.shared} edge${g.shared === 1 ? '' : 's'}: ${pp(g.change)} ± ${(g.se * 100).toFixed(2)}`)
    .join('; ');
  const control = r.groups.map((g) => `${g.shared}: ${pp(g.controlChange)}`).join(', ');
  // Interference shows as a change beyond two standard errors in some group.
  const moved = r.groups.filter((g) => Math.abs(g.change) > 2 * g.se);
  return (
    `From step ${r.fromStep} of ${r.totalSteps} (instance ${r.instance}), ${r.steps} step${r.steps === 1 ? '' : 's'} ` +
    `of ${r.childName} at learning rate ${r.lr.toPrecision(2)} moved its own accuracy ${pp(own)} points and the ` +
    `others, by edges shared (mean change ± standard error, points): ${byShared}. The control (no weight moved, only ` +
    `BN statistics): ${control}. ` +
    (moved.length
      ? `Children sharing ${moved.map((g) => g.shared).join(', ')} edge(s) moved by more than two standard errors.`
      : 'No group moved by more than two standard errors.')
  );
}

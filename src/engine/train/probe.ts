// Interference, measured directly: from a supernet's weights, train one chosen child for a few steps and see how
// every other child's accuracy moves, against how many edges' ops it shares with the trained child. A control run
// takes the same steps at learning rate 0 — no weight moves, only the BN running statistics see the batches — so the
// two parts of interference (shared weights, shared statistics) can be told apart. The supernet is put back after.
import { mean, std } from '../core/metrics';
import type { Batch, ImageSet } from '../data/dataset';
import type { WeightStore } from '../model/weightStore';
import type { SearchSpace } from '../space/searchSpace';
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

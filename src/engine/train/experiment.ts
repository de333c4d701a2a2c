// The paper's protocol end to end: supernet instances, dense evaluation, fine-tuning, ground truth.
import * as tf from '@tensorflow/tfjs';
import {
  configHash,
  groundTruthBnRecalibration,
  groundTruthTrain,
  instanceSeeds,
  numClassesOf,
  spaceOf,
  type ExperimentConfig,
  type InstanceSeeds,
} from '../schema/config';
import { downsample, makeBatch, subset, type Batch, type DataSplits, type ImageSet } from '../data/dataset';
import { lossDiverged, NonFiniteLossError } from '../core/errors';
import {
  decodeSnapshot,
  encodeSnapshot,
  RECORD_KIND,
  RECORD_SCHEMA_VERSION,
  type Checkpoint,
  type EvalPoint,
  type InstanceRecord,
  type RunRecord,
} from '../schema/record';
import { Rng } from '../core/rng';
import { ChildOrder } from '../space/orders';
import type { SearchSpace } from '../space/searchSpace';
import { cosineLr, evalPoints, stepsPerEpoch, totalSteps } from './schedule';
import { countParameters } from '../model/parameterCount';
import { groupMap, jobsOf } from '../space/sharing';
import { computeMetrics } from '../schema/summary';
import { deferLossReads, evaluateChildren, queueStep, readLosses, trainStep, type StepParams } from './trainer';
import { WeightStore, type Snapshot } from '../model/weightStore';

/** Losses read back at once when steps are queued on a GPU (or fewer, before an evaluation or a checkpoint). */
const QUEUE_READS = 16;

/** One supernet step (a child per job) whose losses may still be on the device. */
interface QueuedStep {
  step: number;
  epoch: number;
  lr: number;
  children: number[];
  losses: (tf.Scalar | number)[];
  images: number;
}

export interface StepInfo {
  instance: number;
  step: number;
  totalSteps: number;
  epoch: number;
  /** Children trained in this step (one per job). */
  children: number[];
  loss: number[];
  lr: number;
  /** Images processed in this step (all jobs). */
  images: number;
}

export type Phase = 'train' | 'evaluate' | 'finetune';

/** Every callback of a run, in one object. All optional. */
export interface RunHooks {
  onStep?(s: StepInfo): void;
  /** A phase begins (evaluation: before each evaluation point). */
  onPhase?(instance: number, phase: Phase): void;
  onEval?(instance: number, point: EvalPoint, accuracy: number[]): void;
  onFinetune?(instance: number, child: number, row: number, accuracy: number): void;
  /** Checked after every step; true ends the run early with a valid partial record. */
  shouldStop?(): boolean;
  /** Awaited after every step: gives a worker or CLI event loop a turn (pause, cancel, Ctrl-C). */
  yieldNow?(): Promise<void>;
  /** runInstance: the live instance record, as soon as it exists (it is filled in place). */
  onInstanceStart?(live: InstanceRecord): void;
  /** runExperiment: the whole record so far, after every evaluation and every instance (live charts, partial files). */
  onRecord?(r: RunRecord): void;
  /** After every epoch end: what `resume` needs to continue the instance exactly. */
  onCheckpoint?(c: Checkpoint): void;
}

/** The config's slice of the data: prefixes of the splits, at the model's input size. */
export function prepareData(cfg: ExperimentConfig, d: DataSplits): DataSplits {
  if (d.train.n < cfg.data.trainSize)
    throw new Error(`dataset ${d.name} has ${d.train.n} training images, config asks for ${cfg.data.trainSize}`);
  if (d.val.n < cfg.data.valSize)
    throw new Error(`dataset ${d.name} has ${d.val.n} validation images, config asks for ${cfg.data.valSize}`);
  if (d.classes.length !== numClassesOf(cfg))
    throw new Error(
      `dataset ${d.name} has ${d.classes.length} classes, the config's source ${cfg.data.source} has ` +
        `${numClassesOf(cfg)}`,
    );
  return {
    ...d,
    train: downsample(subset(d.train, cfg.data.trainSize), cfg.model.inputSize),
    val: downsample(subset(d.val, cfg.data.valSize), cfg.model.inputSize),
  };
}

export { evalPoints, stepsPerEpoch, totalSteps } from './schedule';

const stepParams = (cfg: ExperimentConfig, lr: number): StepParams => ({ ...cfg.train, lr });

/**
 * Evaluates `children` from a snapshot of the weights somewhere else (in the page: an idle helper worker on another
 * core), to the numbers evaluateChildren gives here; undefined when nothing is free to.
 */
export type ChildEvaluator = (snapshot: Snapshot, children: number[]) => Promise<number[]> | undefined;

export interface InstanceOptions {
  /** Train only these jobs (ground-truth shards: with no sharing, job i is child i). */
  jobs?: number[];
  /** Continue from a checkpoint of this instance. */
  resume?: Checkpoint;
  /** Takes half of each evaluation when free (dense windows of unshared children are most of a run). */
  evaluator?: ChildEvaluator;
}

/**
 * evaluateChildren, the second half of the children on the evaluator when it is free. A child's accuracy does not
 * depend on which children are evaluated with it (a test checks it), so the split changes no number.
 */
async function evaluateSplit(
  store: WeightStore,
  children: number[],
  val: ImageSet,
  opts: Parameters<typeof evaluateChildren>[3],
  evaluator?: ChildEvaluator,
): Promise<number[]> {
  // Not under full sharing with one cell: there the children share most evaluation work (cell-0 ops computed once
  // for all), and splitting it plus a snapshot per point made the interference preset slower in chromium (67 s →
  // 75 s), while prefix k=0 (every cell its own) went 243 s → 155 s. A later cell is each child's own work: split.
  const shared = store.cfg.sharing.kind === 'full' && store.cfg.model.numCells === 1;
  if (!evaluator || opts.recalibration || children.length < 8 || shared)
    return evaluateChildren(store, children, val, opts);
  const half = Math.ceil(children.length / 2);
  const snap = await store.snapshot(false); // evaluation reads values only
  const far = evaluator(snap, children.slice(half))?.catch(() => undefined);
  if (!far) return evaluateChildren(store, children, val, opts);
  const near = await evaluateChildren(store, children.slice(0, half), val, opts);
  return [...near, ...((await far) ?? (await evaluateChildren(store, children.slice(half), val, opts)))];
}

/** One instance in training: what its steps, evaluations and checkpoints share. */
interface InstanceRun {
  cfg: ExperimentConfig;
  index: number;
  data: DataSplits;
  hooks: RunHooks;
  space: SearchSpace;
  seeds: InstanceSeeds;
  jobIds: number[];
  /** The children of the jobs, job by job: the order of an evaluation's accuracies. */
  children: number[];
  store: WeightStore;
  /** Per job: its children's order and its augmentation's random stream. */
  orders: ChildOrder[];
  augment: (Rng | undefined)[];
  /** The live record (filled in place). */
  rec: InstanceRecord;
  total: number;
  /**
   * On a GPU, steps are queued without reading their losses back (the GPU never waits for the CPU) and read
   * QUEUE_READS at a time, or before an evaluation, a checkpoint or a stop; elsewhere each loss is read as its step
   * ends (free on the CPU). The numbers are the same either way.
   */
  deferred: boolean;
  /** Steps whose losses are not read yet. */
  queue: QueuedStep[];
}

/**
 * Trains one supernet instance (all its jobs interleaved step by step) and evaluates every child. The step loop and
 * its awaits stay inline (no extra microtask turns), so instances side by side in one thread interleave as before.
 */
export async function runInstance(
  cfg: ExperimentConfig,
  index: number,
  data: DataSplits,
  hooks: RunHooks = {},
  opts: InstanceOptions = {},
): Promise<InstanceRecord> {
  const run = startInstance(cfg, index, data, hooks, opts);
  const { rec, store, queue, total } = run;
  const spe = stepsPerEpoch(cfg);
  const val = subset(data.val, cfg.eval.valSize);
  const points = new Map(evalPoints(cfg).map((p) => [p.step, p]));
  try {
    let perm: number[][] = [];
    for (let step = opts.resume?.step ?? 0; step < total; step++) {
      const epoch = Math.floor(step / spe);
      const inEpoch = step % spe;
      if (inEpoch === 0 || perm.length === 0)
        perm = run.jobIds.map((j) => Rng.from(run.seeds.data, 'shuffle', j, epoch).permutation(data.train.n));
      const q = openStep(run, step, epoch);
      for (let j = 0; j < run.jobIds.length; j++) {
        const { child, batch } = nextBatch(run, q, j, perm[j], inEpoch);
        q.losses.push(
          run.deferred ? queueStep(store, child, batch, stepParams(cfg, q.lr)) : await trainNow(run, q, child, batch),
        );
      }
      const point = points.get(step + 1);
      const checkpoint = hooks.onCheckpoint && inEpoch === spe - 1 && step < total - 1;
      if (!run.deferred || queue.length >= QUEUE_READS || point || checkpoint || step === total - 1) await settle(run);
      if (point) recordPoint(run, point, await evaluateAt(run, val, opts.evaluator));
      if (checkpoint) hooks.onCheckpoint!(checkpointOf(run, step + 1, await store.snapshot()));
      await hooks.yieldNow?.();
      if (hooks.shouldStop?.()) {
        await settle(run);
        return rec;
      }
    }
    if (cfg.finetune.steps > 0) {
      hooks.onPhase?.(index, 'finetune');
      rec.finetune = await finetune(run, cosineLr(cfg.train, cfg.train.epochs - 1));
      if (!rec.finetune) return rec;
    }
    rec.status = 'complete';
    return rec;
  } catch (e) {
    if (!(e instanceof NonFiniteLossError)) throw e;
    rec.status = 'diverged';
    rec.error = `instance ${index}: ${e.message}`;
    return rec;
  } finally {
    tf.dispose(queue.flatMap((q) => q.losses.filter((l) => typeof l !== 'number')));
    store.dispose();
  }
}

/** The instance's weights, child orders and augmentation streams: fresh, or as `opts.resume` left them. */
function startInstance(
  cfg: ExperimentConfig,
  index: number,
  data: DataSplits,
  hooks: RunHooks,
  opts: InstanceOptions,
): InstanceRun {
  const space = spaceOf(cfg);
  const seeds = instanceSeeds(cfg, index);
  const allJobs = jobsOf(cfg.sharing, space);
  const jobIds = opts.jobs ?? allJobs.map((_, j) => j);
  const children = jobIds.flatMap((j) => allJobs[j]);
  const store = new WeightStore(cfg, seeds.init, opts.jobs ? children : undefined);
  const run: InstanceRun = {
    cfg,
    index,
    data,
    hooks,
    space,
    seeds,
    jobIds,
    children,
    store,
    orders: jobIds.map((j) => new ChildOrder(allJobs[j], cfg.train.order, seeds.order, j)),
    augment: jobIds.map((j) => (cfg.data.augment ? Rng.from(seeds.data, 'augment', j) : undefined)),
    rec: opts.resume
      ? structuredClone(opts.resume.record)
      : {
          index,
          seeds,
          points: [],
          accuracy: [],
          trainOrder: jobIds.map(() => []),
          loss: jobIds.map(() => []),
          status: 'partial',
        },
    total: totalSteps(cfg),
    deferred: deferLossReads(),
    queue: [],
  };
  if (opts.resume) restoreCheckpoint(run, opts.resume);
  hooks.onInstanceStart?.(run.rec);
  return run;
}

function restoreCheckpoint(run: InstanceRun, r: Checkpoint): void {
  if (r.instance !== run.index || r.record.trainOrder.length !== run.jobIds.length)
    throw new Error(
      `checkpoint is of instance ${r.instance} with ${r.record.trainOrder.length} jobs, not instance ${run.index} ` +
        `with ${run.jobIds.length}`,
    );
  run.store.restore(decodeSnapshot(r.weights));
  r.orders.forEach((s, j) => (run.orders[j].state = s));
  r.augment.forEach((s, j) => run.augment[j] && (run.augment[j] = new Rng(s)));
}

/** Supernet step `step` (0-based) begins: one child per job, queued until its losses are read. */
function openStep(run: InstanceRun, step: number, epoch: number): QueuedStep {
  const lr = cosineLr(run.cfg.train, epoch);
  const q: QueuedStep = { step: step + 1, epoch: epoch + 1, lr, children: [], losses: [], images: 0 };
  run.queue.push(q);
  return q;
}

/** Job `j`'s next child and its next batch (`perm`: the job's shuffle of this epoch). */
function nextBatch(run: InstanceRun, q: QueuedStep, j: number, perm: number[], inEpoch: number) {
  const size = run.cfg.train.batchSize;
  const idx = perm.slice(inEpoch * size, (inEpoch + 1) * size);
  const child = run.orders[j].next();
  const batch = makeBatch(run.data.train, idx, run.augment[j]);
  q.children.push(child);
  q.images += idx.length;
  return { child, batch };
}

/** One job's step with its loss read back; if it fails, the step's jobs before it are recorded. */
function trainNow(run: InstanceRun, q: QueuedStep, child: number, batch: Batch): Promise<number> {
  return trainStep(run.store, child, batch, stepParams(run.cfg, q.lr), q.step).catch((e: unknown) => {
    run.queue.splice(0);
    recordStep(run, q, q.losses as number[], false);
    throw e;
  });
}

/** Reads the queued steps' losses back into the record; a non-finite one throws NonFiniteLossError. */
async function settle(run: InstanceRun): Promise<void> {
  const steps = run.queue.splice(0);
  const values = await readLosses(steps.flatMap((q) => q.losses));
  let i = 0;
  for (const q of steps) {
    const losses = values.slice(i, (i += q.children.length));
    const bad = losses.findIndex((l) => lossDiverged(l, run.store.numClasses));
    // A non-finite loss stops the run; the jobs of its step before it were applied and are recorded.
    recordStep(run, q, bad < 0 ? losses : losses.slice(0, bad), bad < 0);
    if (bad >= 0) throw new NonFiniteLossError(run.space.name(q.children[bad]), q.step, losses[bad]);
  }
}

/** A step's children and losses (job by job) into the record; a complete step is reported too. */
function recordStep(run: InstanceRun, q: QueuedStep, losses: number[], complete: boolean): void {
  losses.forEach((loss, j) => {
    run.rec.trainOrder[j].push(q.children[j]);
    run.rec.loss[j].push(loss);
  });
  if (complete)
    run.hooks.onStep?.({
      instance: run.index,
      step: q.step,
      totalSteps: run.total,
      epoch: q.epoch,
      children: q.children,
      loss: losses,
      lr: q.lr,
      images: q.images,
    });
}

/** The evaluation phase begins: every child of the instance, in `run.children` order. */
function evaluateAt(run: InstanceRun, val: ImageSet, evaluator?: ChildEvaluator): Promise<number[]> {
  const { cfg, seeds } = run;
  run.hooks.onPhase?.(run.index, 'evaluate');
  const opts = {
    batchSize: cfg.eval.batchSize,
    recalibration: cfg.eval.bnRecalibrationBatches > 0 ? recalibrationBatches(cfg, run.data, seeds.data) : undefined,
  };
  return evaluateSplit(run.store, run.children, val, opts, evaluator);
}

/** An evaluation as a row of the record (NaN for children of other jobs); back to training. */
function recordPoint(run: InstanceRun, point: EvalPoint, acc: number[]): void {
  const row = new Array<number>(run.space.numChildren).fill(Number.NaN);
  run.children.forEach((c, i) => (row[c] = acc[i]));
  run.rec.points.push(point);
  run.rec.accuracy.push(row);
  run.hooks.onEval?.(run.index, point, row);
  run.hooks.onPhase?.(run.index, 'train');
}

/** What `resume` needs to continue the instance exactly after step `step` (1-based). */
function checkpointOf(run: InstanceRun, step: number, weights: Snapshot): Checkpoint {
  return {
    instance: run.index,
    step,
    weights: encodeSnapshot(weights),
    orders: run.orders.map((o) => o.state),
    augment: run.augment.map((a) => a?.state ?? 0),
    record: structuredClone(run.rec),
  };
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

function recalibrationBatches(cfg: ExperimentConfig, data: DataSplits, seed: number) {
  const rng = Rng.from(seed, 'bn-recalibration');
  const perm = rng.permutation(data.train.n);
  // No more batches than the training set fills: past its end a batch would be empty (its mean divides by zero).
  const count = Math.min(cfg.eval.bnRecalibrationBatches, Math.max(1, Math.floor(data.train.n / cfg.train.batchSize)));
  return range(count).map((b) =>
    makeBatch(data.train, perm.slice(b * cfg.train.batchSize, (b + 1) * cfg.train.batchSize)),
  );
}

/**
 * Paper Figure 4: from the final supernet snapshot, each child trained alone for n steps at a
 * constant LR with a fresh momentum, evaluated after every step. Returns undefined if stopped.
 */
async function finetune(run: InstanceRun, lr: number) {
  const { store, cfg, data, index, hooks } = run;
  const seed = run.seeds.data;
  const inherited = run.rec.accuracy[run.rec.accuracy.length - 1];
  const n = cfg.finetune.steps;
  const numChildren = store.space.numChildren;
  const snap = await store.snapshot();
  // Row 0 is the final evaluation of the supernet, already made with these very weights.
  const acc: number[][] = [
    inherited.slice(),
    ...Array.from({ length: n }, () => new Array<number>(numChildren).fill(0)),
  ];
  for (let c = 0; c < numChildren; c++) {
    // Only child c's copies matter for its fine-tune and its evaluation: put back just those.
    store.restore(snap, store.copiesOf(c));
    store.resetMomenta();
    const rng = Rng.from(seed, 'finetune', c);
    for (let s = 1; s <= n; s++) {
      const idx = Array.from({ length: cfg.train.batchSize }, () => rng.int(data.train.n));
      await trainStep(store, c, makeBatch(data.train, idx, cfg.data.augment ? rng : undefined), stepParams(cfg, lr), s);
      acc[s][c] = (
        await evaluateChildren(store, [c], subset(data.val, cfg.eval.valSize), { batchSize: cfg.eval.batchSize })
      )[0];
      hooks.onFinetune?.(index, c, s, acc[s][c]);
      await hooks.yieldNow?.();
      if (hooks.shouldStop?.()) return undefined;
    }
  }
  return { lr, accuracy: acc };
}

export function emptyRecord(cfg: ExperimentConfig, data: Pick<DataSplits, 'name' | 'classes'>): RunRecord {
  const space = spaceOf(cfg);
  return {
    schemaVersion: RECORD_SCHEMA_VERSION,
    kind: RECORD_KIND,
    source: 'run',
    createdAt: new Date().toISOString(),
    config: cfg,
    configHash: configHash(cfg),
    engine: { backend: tf.getBackend(), tfjs: tf.version.tfjs },
    dataset: {
      name: data.name,
      classes: [...data.classes],
      trainSize: cfg.data.trainSize,
      valSize: cfg.data.valSize,
      inputSize: cfg.model.inputSize,
    },
    parameterCount: countParameters(cfg),
    childNames: [...space.names],
    groupMap: groupMap(cfg.sharing, space),
    jobs: jobsOf(cfg.sharing, space),
    instances: [],
    status: 'partial',
    seconds: 0,
  };
}

/**
 * Runs whole instance `index` somewhere else (in the page: a second worker on another core) and resolves with its
 * record — partial if it was stopped. `onUpdate` gets the record so far after each evaluation. Must give the numbers
 * runInstance would (same backend): instances depend on their index only.
 */
export type InstanceHelper = (index: number, onUpdate: (inst: InstanceRecord) => void) => Promise<InstanceRecord>;

export interface ExperimentOptions {
  /** A partial record to continue: its complete instances are kept, the rest trained (from `checkpoint` if given). */
  resume?: RunRecord;
  /**
   * Helpers that take instances side by side with this thread. One that fails hands its instance back to this
   * thread and takes no more: the record is the same, only slower.
   */
  helpers?: InstanceHelper[];
  /** For this thread's instances: see InstanceOptions. */
  evaluator?: ChildEvaluator;
}

/**
 * A run's record while its instances come in. Instances are kept by index and shown in index order (helpers may
 * finish out of order), each once it has been evaluated (an instance started on this thread while a helper reports
 * has no rows yet, and readers take an instance's last row).
 */
class LiveRecord {
  readonly byIndex = new Map<number, InstanceRecord>();
  /** Stopped, diverged or failed: no new instances. */
  halted = false;
  private readonly t0: number;

  constructor(
    readonly rec: RunRecord,
    prior: RunRecord | undefined,
    private readonly hooks: RunHooks,
  ) {
    for (const i of prior?.instances ?? []) if (i.status === 'complete') this.byIndex.set(i.index, structuredClone(i));
    this.show();
    this.t0 = performance.now() - (prior?.seconds ?? 0) * 1000;
  }

  put(inst: InstanceRecord): void {
    this.byIndex.set(inst.index, inst);
    this.show();
  }

  drop(index: number): void {
    this.byIndex.delete(index);
    this.show();
  }

  show(): void {
    this.rec.instances = [...this.byIndex.values()]
      .filter((i) => i.accuracy.length > 0 || i.status !== 'partial')
      .sort((a, b) => a.index - b.index);
  }

  update(): void {
    this.show();
    this.rec.seconds = (performance.now() - this.t0) / 1000;
    this.rec.metrics = computeMetrics(this.rec);
  }

  publish(): void {
    if (!this.hooks.onRecord) return;
    this.update();
    this.hooks.onRecord(this.rec);
  }

  /** An instance has ended: complete, or stopped, diverged or failed (which halts the run). */
  finished(inst: InstanceRecord): void {
    this.put(inst);
    this.update();
    this.hooks.onRecord?.(this.rec);
    if (inst.status === 'diverged' && this.rec.status !== 'diverged') {
      this.rec.status = 'diverged';
      this.rec.error = inst.error;
    }
    if (inst.status !== 'complete') this.halted = true;
  }
}

/** All instances of an experiment. `data` must already be prepared (prepareData); `cfg` already checked. */
export async function runExperiment(
  cfg: ExperimentConfig,
  data: DataSplits,
  groundTruth: RunRecord['groundTruth'],
  hooks: RunHooks = {},
  opts: ExperimentOptions = {},
): Promise<RunRecord> {
  const rec = emptyRecord(cfg, data);
  rec.groundTruth = groundTruth;
  const prior = opts.resume;
  if (prior && prior.configHash !== rec.configHash)
    throw new Error(`cannot resume: the record is of config ${prior.configHash}, not ${rec.configHash}`);
  const live = new LiveRecord(rec, prior, hooks);
  const instanceHooks: RunHooks = {
    ...hooks,
    onInstanceStart: (inst) => {
      live.put(inst);
      hooks.onInstanceStart?.(inst);
    },
    onEval: (i, point, acc) => {
      hooks.onEval?.(i, point, acc);
      live.publish();
    },
  };
  const checkpoint = prior?.checkpoint;
  const queue = instancesLeft(cfg, live.byIndex, checkpoint);
  const local = async () => {
    while (!live.halted && queue.length && !hooks.shouldStop?.()) {
      const i = queue.shift()!;
      const resume = checkpoint?.instance === i ? checkpoint : undefined;
      live.finished(await runInstance(cfg, i, data, instanceHooks, { resume, evaluator: opts.evaluator }));
    }
  };
  await Promise.all([local(), ...(opts.helpers ?? []).map((h) => trainOnHelper(h, queue, live, hooks))]);
  // A helper may have handed an instance back after this thread's loop ended.
  await local();
  const all = [...live.byIndex.values()];
  if (rec.status !== 'diverged')
    rec.status = all.length === cfg.instances && all.every((i) => i.status === 'complete') ? 'complete' : 'partial';
  live.update();
  return rec;
}

/** The instances still to train, in index order but the checkpointed one first (helpers start instances afresh). */
function instancesLeft(cfg: ExperimentConfig, done: Map<number, InstanceRecord>, checkpoint?: Checkpoint): number[] {
  const queue = Array.from({ length: cfg.instances }, (_, i) => i).filter((i) => !done.has(i));
  if (checkpoint && queue.includes(checkpoint.instance))
    queue.sort((a, b) => (a === checkpoint.instance ? -1 : b === checkpoint.instance ? 1 : a - b));
  return queue;
}

/** Instances from the back of `queue` on a helper; one it fails is handed back to this thread and it takes no more. */
async function trainOnHelper(helper: InstanceHelper, queue: number[], live: LiveRecord, hooks: RunHooks) {
  while (!live.halted && queue.length && !hooks.shouldStop?.()) {
    const i = queue.pop()!;
    try {
      live.finished(
        await helper(i, (inst) => {
          live.put(inst);
          live.publish();
        }),
      );
    } catch {
      // Back in order; the record may hold the helper's partial copy: drop it.
      live.drop(i);
      queue.unshift(i);
      queue.sort((a, b) => a - b);
      return;
    }
  }
}

/** The stand-alone configuration of a config: no sharing, one job per child, final evaluation only. */
export function groundTruthConfig(cfg: ExperimentConfig): ExperimentConfig {
  return {
    ...cfg,
    name: `${cfg.name}-groundtruth`,
    // The truth's seeds are 0, 1, …: the supernet's seed is not part of it (groundTruthKey).
    seed: 0,
    instances: cfg.groundTruthSeeds,
    vary: 'seed',
    sharing: { kind: 'none' },
    train: groundTruthTrain(cfg),
    groundTruthTrain: undefined,
    groundTruthBnRecalibration: undefined,
    // Every child is judged on the whole validation set.
    eval: {
      ...cfg.eval,
      everyEpoch: false,
      denseSteps: 0,
      valSize: cfg.data.valSize,
      bnRecalibrationBatches: groundTruthBnRecalibration(cfg),
    },
    finetune: { steps: 0 },
  };
}

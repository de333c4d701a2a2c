// The paper's protocol end to end: supernet instances, dense evaluation, fine-tuning, ground truth.
import * as tf from '@tensorflow/tfjs';
import { configHash, instanceSeeds, numClassesOf, spaceOf, type ExperimentConfig } from '../schema/config';
import { downsample, makeBatch, subset, type DataSplits, type ImageSet } from '../data/dataset';
import { NonFiniteLossError } from '../core/errors';
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
  // Not under full sharing: there the children share most evaluation work (cell-0 ops computed once for all), and
  // splitting it plus a snapshot per point made the interference preset slower in chromium (67 s → 75 s), while
  // prefix k=0 (every cell its own) went 243 s → 155 s.
  if (!evaluator || opts.recalibration || children.length < 8 || store.cfg.sharing.kind === 'full')
    return evaluateChildren(store, children, val, opts);
  const half = Math.ceil(children.length / 2);
  const snap = await store.snapshot(false); // evaluation reads values only
  const far = evaluator(snap, children.slice(half))?.catch(() => undefined);
  if (!far) return evaluateChildren(store, children, val, opts);
  const near = await evaluateChildren(store, children.slice(0, half), val, opts);
  return [...near, ...((await far) ?? (await evaluateChildren(store, children.slice(half), val, opts)))];
}

/** Trains one supernet instance (all its jobs interleaved step by step) and evaluates every child. */
export async function runInstance(
  cfg: ExperimentConfig,
  index: number,
  data: DataSplits,
  hooks: RunHooks = {},
  opts: InstanceOptions = {},
): Promise<InstanceRecord> {
  const space = spaceOf(cfg);
  const seeds = instanceSeeds(cfg, index);
  const allJobs = jobsOf(cfg.sharing, space);
  const jobIds = opts.jobs ?? allJobs.map((_, j) => j);
  const children = jobIds.flatMap((j) => allJobs[j]);
  const store = new WeightStore(cfg, seeds.init, opts.jobs ? children : undefined);
  const spe = stepsPerEpoch(cfg);
  const total = totalSteps(cfg);
  const points = new Map(evalPoints(cfg).map((p) => [p.step, p]));
  const orders = jobIds.map((j) => new ChildOrder(allJobs[j], cfg.train.order, seeds.order, j));
  const augment = jobIds.map((j) => (cfg.data.augment ? Rng.from(seeds.data, 'augment', j) : undefined));
  const r = opts.resume;
  const rec: InstanceRecord = r
    ? structuredClone(r.record)
    : {
        index,
        seeds,
        points: [],
        accuracy: [],
        trainOrder: jobIds.map(() => []),
        loss: jobIds.map(() => []),
        status: 'partial',
      };
  if (r) {
    if (r.instance !== index || r.record.trainOrder.length !== jobIds.length)
      throw new Error(
        `checkpoint is of instance ${r.instance} with ${r.record.trainOrder.length} jobs, not instance ${index} ` +
          `with ${jobIds.length}`,
      );
    store.restore(decodeSnapshot(r.weights));
    r.orders.forEach((s, j) => (orders[j].state = s));
    r.augment.forEach((s, j) => augment[j] && (augment[j] = new Rng(s)));
  }
  hooks.onInstanceStart?.(rec);
  const { train } = data;
  const val = subset(data.val, cfg.eval.valSize);
  const evalOpts = () => ({
    batchSize: cfg.eval.batchSize,
    recalibration: cfg.eval.bnRecalibrationBatches > 0 ? recalibrationBatches(cfg, data, seeds.data) : undefined,
  });
  // On a GPU, steps are queued without reading their losses back (the GPU never waits for the CPU)
  // and read QUEUE_READS at a time, or before an evaluation, a checkpoint or a stop; elsewhere each
  // loss is read as its step ends (free on the CPU). The numbers are the same either way.
  const deferred = deferLossReads();
  const queue: QueuedStep[] = [];
  const settle = async () => {
    const steps = queue.splice(0);
    const values = await readLosses(steps.flatMap((q) => q.losses));
    let i = 0;
    for (const q of steps) {
      const losses = values.slice(i, (i += q.children.length));
      const bad = losses.findIndex((l) => !Number.isFinite(l));
      // A non-finite loss stops the run; the jobs of its step before it were applied and are recorded.
      record(q, bad < 0 ? losses : losses.slice(0, bad), bad < 0);
      if (bad >= 0) throw new NonFiniteLossError(space.name(q.children[bad]), q.step, losses[bad]);
    }
  };
  const record = (q: QueuedStep, losses: number[], complete: boolean) => {
    losses.forEach((loss, j) => {
      rec.trainOrder[j].push(q.children[j]);
      rec.loss[j].push(loss);
    });
    if (complete)
      hooks.onStep?.({
        instance: index,
        step: q.step,
        totalSteps: total,
        epoch: q.epoch,
        children: q.children,
        loss: losses,
        lr: q.lr,
        images: q.images,
      });
  };
  try {
    let perm: number[][] = [];
    for (let step = r?.step ?? 0; step < total; step++) {
      const epoch = Math.floor(step / spe);
      const inEpoch = step % spe;
      if (inEpoch === 0 || perm.length === 0)
        perm = jobIds.map((j) => Rng.from(seeds.data, 'shuffle', j, epoch).permutation(train.n));
      const lr = cosineLr(cfg.train, epoch);
      const q: QueuedStep = { step: step + 1, epoch: epoch + 1, lr, children: [], losses: [], images: 0 };
      queue.push(q);
      for (let j = 0; j < jobIds.length; j++) {
        const idx = perm[j].slice(inEpoch * cfg.train.batchSize, (inEpoch + 1) * cfg.train.batchSize);
        const child = orders[j].next();
        const batch = makeBatch(train, idx, augment[j]);
        q.children.push(child);
        q.images += idx.length;
        if (deferred) q.losses.push(queueStep(store, child, batch, stepParams(cfg, lr)));
        else
          q.losses.push(
            await trainStep(store, child, batch, stepParams(cfg, lr), step + 1).catch((e: unknown) => {
              queue.splice(0);
              record(q, q.losses as number[], false);
              throw e;
            }),
          );
      }
      const point = points.get(step + 1);
      const checkpoint = hooks.onCheckpoint && inEpoch === spe - 1 && step < total - 1;
      if (!deferred || queue.length >= QUEUE_READS || point || checkpoint || step === total - 1) await settle();
      if (point) {
        hooks.onPhase?.(index, 'evaluate');
        const acc = await evaluateSplit(store, children, val, evalOpts(), opts.evaluator);
        const row = new Array<number>(space.numChildren).fill(Number.NaN);
        children.forEach((c, i) => (row[c] = acc[i]));
        rec.points.push(point);
        rec.accuracy.push(row);
        hooks.onEval?.(index, point, row);
        hooks.onPhase?.(index, 'train');
      }
      if (checkpoint)
        hooks.onCheckpoint!({
          instance: index,
          step: step + 1,
          weights: encodeSnapshot(await store.snapshot()),
          orders: orders.map((o) => o.state),
          augment: augment.map((a) => a?.state ?? 0),
          record: structuredClone(rec),
        });
      await hooks.yieldNow?.();
      if (hooks.shouldStop?.()) {
        await settle();
        return rec;
      }
    }
    if (cfg.finetune.steps > 0) {
      hooks.onPhase?.(index, 'finetune');
      rec.finetune = await finetune(
        store,
        cfg,
        data,
        seeds.data,
        cosineLr(cfg.train, cfg.train.epochs - 1),
        index,
        hooks,
        rec.accuracy[rec.accuracy.length - 1],
      );
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

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

function recalibrationBatches(cfg: ExperimentConfig, data: DataSplits, seed: number) {
  const rng = Rng.from(seed, 'bn-recalibration');
  const perm = rng.permutation(data.train.n);
  return range(cfg.eval.bnRecalibrationBatches).map((b) =>
    makeBatch(data.train, perm.slice(b * cfg.train.batchSize, (b + 1) * cfg.train.batchSize)),
  );
}

/**
 * Paper Figure 4: from the final supernet snapshot, each child trained alone for n steps at a
 * constant LR with a fresh momentum, evaluated after every step. Returns undefined if stopped.
 */
async function finetune(
  store: WeightStore,
  cfg: ExperimentConfig,
  data: DataSplits,
  seed: number,
  lr: number,
  index: number,
  hooks: RunHooks,
  inherited: number[],
) {
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
  // Instances by index; rec.instances is kept in index order (helpers may finish out of order).
  const byIndex = new Map<number, InstanceRecord>();
  for (const i of prior?.instances ?? []) if (i.status === 'complete') byIndex.set(i.index, structuredClone(i));
  // What the record shows: instances in index order, each once it has been evaluated (an instance started on this
  // thread while a helper reports has no rows yet, and readers take an instance's last row).
  const put = (inst: InstanceRecord) => {
    byIndex.set(inst.index, inst);
    show();
  };
  const show = () =>
    (rec.instances = [...byIndex.values()]
      .filter((i) => i.accuracy.length > 0 || i.status !== 'partial')
      .sort((a, b) => a.index - b.index));
  show();
  const t0 = performance.now() - (prior?.seconds ?? 0) * 1000;
  const update = () => {
    show();
    rec.seconds = (performance.now() - t0) / 1000;
    rec.metrics = computeMetrics(rec);
  };
  const publish = () => {
    if (!hooks.onRecord) return;
    update();
    hooks.onRecord(rec);
  };
  const instanceHooks: RunHooks = {
    ...hooks,
    onInstanceStart: (live) => {
      put(live);
      hooks.onInstanceStart?.(live);
    },
    onEval: (i, point, acc) => {
      hooks.onEval?.(i, point, acc);
      publish();
    },
  };
  // The checkpointed instance first, on this thread (helpers start instances afresh).
  const checkpoint = prior?.checkpoint;
  const queue = Array.from({ length: cfg.instances }, (_, i) => i).filter((i) => !byIndex.has(i));
  if (checkpoint && queue.includes(checkpoint.instance))
    queue.sort((a, b) => (a === checkpoint.instance ? -1 : b === checkpoint.instance ? 1 : a - b));
  let halted = false; // stopped, diverged or failed: no new instances
  const finished = (inst: InstanceRecord) => {
    put(inst);
    update();
    hooks.onRecord?.(rec);
    if (inst.status === 'diverged' && rec.status !== 'diverged') {
      rec.status = 'diverged';
      rec.error = inst.error;
    }
    if (inst.status !== 'complete') halted = true;
  };
  const local = async () => {
    while (!halted && queue.length && !hooks.shouldStop?.()) {
      const i = queue.shift()!;
      const resume = checkpoint?.instance === i ? checkpoint : undefined;
      finished(await runInstance(cfg, i, data, instanceHooks, { resume, evaluator: opts.evaluator }));
    }
  };
  const helped = async (helper: InstanceHelper) => {
    while (!halted && queue.length && !hooks.shouldStop?.()) {
      const i = queue.pop()!;
      try {
        finished(
          await helper(i, (inst) => {
            put(inst);
            publish();
          }),
        );
      } catch {
        // Hand it back to this thread, in order; byIndex may hold the helper's partial copy: drop it.
        byIndex.delete(i);
        show();
        queue.unshift(i);
        queue.sort((a, b) => a - b);
        return;
      }
    }
  };
  await Promise.all([local(), ...(opts.helpers ?? []).map(helped)]);
  // A helper may have handed an instance back after this thread's loop ended.
  await local();
  const all = [...byIndex.values()];
  if (rec.status !== 'diverged')
    rec.status = all.length === cfg.instances && all.every((i) => i.status === 'complete') ? 'complete' : 'partial';
  update();
  return rec;
}

/** The stand-alone configuration of a config: no sharing, one job per child, final evaluation only. */
export function groundTruthConfig(cfg: ExperimentConfig): ExperimentConfig {
  return {
    ...cfg,
    name: `${cfg.name}-groundtruth`,
    instances: cfg.groundTruthSeeds,
    vary: 'seed',
    sharing: { kind: 'none' },
    train: { ...cfg.train, order: 'fixed' },
    // Every child is judged on the whole validation set.
    eval: { ...cfg.eval, everyEpoch: false, denseSteps: 0, valSize: cfg.data.valSize },
    finetune: { steps: 0 },
  };
}

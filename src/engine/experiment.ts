// The paper's protocol end to end: supernet instances, dense evaluation, fine-tuning, ground truth.
import * as tf from '@tensorflow/tfjs';
import { configHash, groundTruthKey, instanceSeeds, validateConfig, type ExperimentConfig } from './config';
import { downsample, makeBatch, subset, type DataSplits } from './data/dataset';
import { mean, std } from './metrics';
import { RECORD_KIND, RECORD_SCHEMA_VERSION, type EvalPoint, type GroundTruth, type InstanceRecord, type RunRecord } from './record';
import { Rng } from './rng';
import { ChildOrder, cosineLr } from './schedule';
import { CHILD_NAMES, NUM_CHILDREN } from './searchSpace';
import { groupMap, jobsOf } from './sharing';
import { computeMetrics, finalRow } from './summary';
import { evaluateChildren, trainStep } from './trainer';
import { WeightStore } from './weightStore';

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

export interface RunHooks {
  onStep?(s: StepInfo): void;
  onEval?(instance: number, point: EvalPoint, accuracy: number[]): void;
  onFinetune?(instance: number, child: number, row: number, accuracy: number): void;
  /** Checked after every step; true ends the run early with a valid partial record. */
  shouldStop?(): boolean;
  /** Awaited after every step: gives a worker or CLI event loop a turn (pause, cancel, Ctrl-C). */
  yieldNow?(): Promise<void>;
  /** runExperiment: the whole record so far, after every evaluation (live charts). */
  onRecord?(r: RunRecord): void;
}

/** The config's slice of the data: prefixes of the splits, at the model's input size. */
export function prepareData(cfg: ExperimentConfig, d: DataSplits): DataSplits {
  if (d.train.n < cfg.data.trainSize) throw new Error(`dataset ${d.name} has ${d.train.n} training images, config asks for ${cfg.data.trainSize}`);
  if (d.val.n < cfg.data.valSize) throw new Error(`dataset ${d.name} has ${d.val.n} validation images, config asks for ${cfg.data.valSize}`);
  return {
    ...d,
    train: downsample(subset(d.train, cfg.data.trainSize), cfg.model.inputSize),
    val: downsample(subset(d.val, cfg.data.valSize), cfg.model.inputSize),
  };
}

export function stepsPerEpoch(cfg: ExperimentConfig): number {
  return Math.ceil(cfg.data.trainSize / cfg.train.batchSize);
}

/** Trains one supernet instance (all its jobs interleaved step by step) and evaluates every child. */
/** `onStart` receives the instance record at once; it is filled in place as training proceeds. */
export async function runInstance(cfg: ExperimentConfig, index: number, data: DataSplits, hooks: RunHooks = {}, onStart?: (live: InstanceRecord) => void): Promise<InstanceRecord> {
  const seeds = instanceSeeds(cfg, index);
  const jobs = jobsOf(cfg.sharing);
  const store = new WeightStore(cfg, seeds.init);
  const spe = stepsPerEpoch(cfg);
  const total = spe * cfg.train.epochs;
  const denseFrom = total - cfg.eval.denseSteps;
  const orders = jobs.map((children, j) => new ChildOrder(children, cfg.train.order, seeds.order, j));
  const augment = jobs.map((_, j) => (cfg.data.augment ? Rng.from(seeds.data, 'augment', j) : undefined));
  const rec: InstanceRecord = { index, seeds, points: [], accuracy: [], trainOrder: jobs.map(() => []), loss: jobs.map(() => []), status: 'partial' };
  onStart?.(rec);
  const { train, val } = data;
  const evalOpts = () => ({
    batchSize: cfg.eval.batchSize,
    recalibration: cfg.eval.bnRecalibrationBatches > 0 ? recalibrationBatches(cfg, data, seeds.data) : undefined,
  });
  try {
    let perm: number[][] = [];
    for (let step = 0; step < total; step++) {
      const epoch = Math.floor(step / spe);
      const inEpoch = step % spe;
      if (inEpoch === 0) perm = jobs.map((_, j) => Rng.from(seeds.data, 'shuffle', j, epoch).permutation(train.n));
      const lr = cosineLr(cfg.train, epoch);
      const trained: number[] = [];
      const losses: number[] = [];
      let images = 0;
      for (let j = 0; j < jobs.length; j++) {
        const idx = perm[j].slice(inEpoch * cfg.train.batchSize, (inEpoch + 1) * cfg.train.batchSize);
        const child = orders[j].next();
        const loss = await trainStep(store, child, makeBatch(train, idx, augment[j]), lr, step);
        rec.trainOrder[j].push(child);
        rec.loss[j].push(loss);
        trained.push(child);
        losses.push(loss);
        images += idx.length;
      }
      hooks.onStep?.({ instance: index, step: step + 1, totalSteps: total, epoch: epoch + 1, children: trained, loss: losses, lr, images });
      const epochEnd = inEpoch === spe - 1 && cfg.eval.everyEpoch;
      const dense = step >= denseFrom;
      if (epochEnd || dense || step === total - 1) {
        const point: EvalPoint = { step: step + 1, epoch: epoch + 1, epochEnd: epochEnd || step === total - 1, dense };
        const acc = await evaluateChildren(store, range(NUM_CHILDREN), val, evalOpts());
        rec.points.push(point);
        rec.accuracy.push(acc);
        hooks.onEval?.(index, point, acc);
      }
      await hooks.yieldNow?.();
      if (hooks.shouldStop?.()) return rec;
    }
    if (cfg.finetune.steps > 0) {
      rec.finetune = await finetune(store, cfg, data, seeds.data, cosineLr(cfg.train, cfg.train.epochs - 1), index, hooks, rec.accuracy[rec.accuracy.length - 1]);
      if (!rec.finetune) return rec;
    }
    rec.status = 'complete';
    return rec;
  } finally {
    store.dispose();
  }
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

function recalibrationBatches(cfg: ExperimentConfig, data: DataSplits, seed: number) {
  const rng = Rng.from(seed, 'bn-recalibration');
  const perm = rng.permutation(data.train.n);
  return range(cfg.eval.bnRecalibrationBatches).map((b) => makeBatch(data.train, perm.slice(b * cfg.train.batchSize, (b + 1) * cfg.train.batchSize)));
}

/**
 * Paper Figure 4: from the final supernet snapshot, each child trained alone for n steps at a
 * constant LR with a fresh momentum, evaluated after every step. Returns undefined if stopped.
 */
async function finetune(store: WeightStore, cfg: ExperimentConfig, data: DataSplits, seed: number, lr: number, index: number, hooks: RunHooks, inherited: number[]) {
  const n = cfg.finetune.steps;
  const snap = await store.snapshot();
  // Row 0 is the final evaluation of the supernet, already made with these very weights.
  const acc: number[][] = [inherited.slice(), ...Array.from({ length: n }, () => new Array<number>(NUM_CHILDREN).fill(0))];
  for (let c = 0; c < NUM_CHILDREN; c++) {
    // Only child c's copies matter for its fine-tune and its evaluation: put back just those.
    store.restore(snap, store.copiesOf(c));
    store.resetMomenta();
    const rng = Rng.from(seed, 'finetune', c);
    for (let s = 1; s <= n; s++) {
      const idx = Array.from({ length: cfg.train.batchSize }, () => rng.int(data.train.n));
      await trainStep(store, c, makeBatch(data.train, idx, cfg.data.augment ? rng : undefined), lr, s);
      acc[s][c] = (await evaluateChildren(store, [c], data.val, { batchSize: cfg.eval.batchSize }))[0];
      hooks.onFinetune?.(index, c, s, acc[s][c]);
      await hooks.yieldNow?.();
      if (hooks.shouldStop?.()) return undefined;
    }
  }
  return { lr, accuracy: acc };
}

export function emptyRecord(cfg: ExperimentConfig, data: DataSplits): RunRecord {
  const store = new WeightStore(cfg, 0);
  const parameterCount = store.parameterCount();
  store.dispose();
  return {
    schemaVersion: RECORD_SCHEMA_VERSION,
    kind: RECORD_KIND,
    createdAt: new Date().toISOString(),
    config: cfg,
    configHash: configHash(cfg),
    engine: { backend: tf.getBackend(), tfjs: tf.version.tfjs },
    dataset: { name: data.name, classes: data.classes, trainSize: cfg.data.trainSize, valSize: cfg.data.valSize, inputSize: cfg.model.inputSize },
    parameterCount,
    childNames: [...CHILD_NAMES],
    groupMap: groupMap(cfg.sharing),
    jobs: jobsOf(cfg.sharing),
    instances: [],
    status: 'partial',
    seconds: 0,
  };
}

/** All instances of an experiment. `data` must already be prepared (prepareData). */
export async function runExperiment(cfg: ExperimentConfig, data: DataSplits, groundTruth?: GroundTruth, hooks: RunHooks = {}, onInstance?: (r: RunRecord) => void): Promise<RunRecord> {
  validateConfig(cfg);
  const rec = emptyRecord(cfg, data);
  rec.groundTruth = groundTruth;
  const t0 = performance.now();
  const update = () => {
    rec.seconds = (performance.now() - t0) / 1000;
    rec.metrics = computeMetrics(rec);
  };
  const instanceHooks: RunHooks = {
    ...hooks,
    onEval: (i, point, acc) => {
      hooks.onEval?.(i, point, acc);
      if (hooks.onRecord) {
        update();
        hooks.onRecord(rec);
      }
    },
  };
  for (let i = 0; i < cfg.instances; i++) {
    const inst = await runInstance(cfg, i, data, instanceHooks, (live) => rec.instances.push(live));
    update();
    onInstance?.(rec);
    if (inst.status !== 'complete') return rec;
  }
  rec.status = 'complete';
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
    eval: { ...cfg.eval, everyEpoch: false, denseSteps: 0 },
    finetune: { steps: 0 },
  };
}

/** Ground truth: every child trained alone from scratch, once per seed; mean and std per child. */
export async function runGroundTruth(cfg: ExperimentConfig, data: DataSplits, hooks: RunHooks = {}): Promise<GroundTruth | undefined> {
  const g = groundTruthConfig(cfg);
  const perSeed: number[][] = [];
  for (let i = 0; i < g.instances; i++) {
    const inst = await runInstance(g, i, data, hooks);
    if (inst.status !== 'complete') return undefined;
    perSeed.push(finalRow(inst));
  }
  return summarizeGroundTruth(perSeed, `stand-alone training, ${g.instances} seeds, this engine (${tf.getBackend()})`, configHash(groundTruthKey(cfg)));
}

export function summarizeGroundTruth(perSeed: number[][], source: string, keyHash?: string): GroundTruth {
  const cols = range(NUM_CHILDREN).map((c) => perSeed.map((r) => r[c]));
  return { mean: cols.map(mean), std: cols.map(std), perSeed, seeds: perSeed.length, source, keyHash };
}

/// <reference lib="webworker" />
// The training worker: owns the backend, the dataset and every tensor; speaks protocol.ts.
import { calibrate } from '../../engine/train/calibrate';
import { parseConfig, type ExperimentConfig } from '../../engine/schema/config';
import { estimateCost, fmtBytes, type Rates } from '../../engine/train/cost';
import { subset } from '../../engine/data/dataset';
import { prepareData, runExperiment, type RunHooks } from '../../engine/train/experiment';
import type { Checkpoint, GroundTruth, RunRecord } from '../../engine/schema/record';
import type { DataSplits } from '../../engine/data/dataset';
import { probeFromCheckpoint } from '../../engine/train/probe';
import { chooseBackend } from './backend';
import { helperCount, HelperPool } from './helperPool';
import { loadDataset } from './loadDataset';
import { macrotask } from './macrotask';
import { ProgressModel } from '../../engine/train/progressModel';
import {
  PROTOCOL_VERSION,
  type DatasetSource,
  type DeviceReport,
  type FromWorker,
  type ToWorker,
  type Unversioned,
} from './protocol';
import { preparing, RunProgress } from './runProgress';
import { explain, technical, type Stage } from './userError';

declare const self: DedicatedWorkerGlobalScope;
const post = (m: Unversioned<FromWorker>) => self.postMessage({ v: PROTOCOL_VERSION, ...m });

/** The most memory a run may need (see refuseOverMemory). */
export const MEMORY_LIMIT = 2.5e9;

let paused = false;
let cancelled = false;
let stepBudget = 0; // steps allowed while paused ('step' button)
let delayMs = 0;
let wake: (() => void) | undefined;
let running = false;
let device: DeviceReport | undefined;
/** Helper workers on the other cores (started after init, so a run finds them ready), told of pause and cancel. */
let pool: HelperPool | undefined;
/** The run's progress reporter, told of pauses (between). */
let progressNow: RunProgress | undefined;
/** The live run's latest checkpoint, kept for the interference probe after the run. */
let probeSource: { cfg: ExperimentConfig; data: DataSplits; checkpoint: Checkpoint } | undefined;

async function between(): Promise<void> {
  const t0 = performance.now();
  if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
  else await macrotask();
  // Paused: the page shows the step the run stops at (progress is posted at most every 100 ms, so the last post may
  // be a few steps behind, and a Step then seemed to jump several).
  if (paused && !cancelled && stepBudget === 0) progressNow?.flush();
  while (paused && !cancelled && stepBudget === 0) await new Promise<void>((r) => (wake = r));
  if (paused && stepBudget > 0) stepBudget--;
  // Time spent slowed or paused is not work: the progress model's rates must not count it.
  if (delayMs > 0 || paused) progressNow?.skip(performance.now() - t0);
}

/** An error as the page shows it (one sentence) with its technical text for the console; memory errors are fatal. */
function postError(e: unknown, stage: Stage, record?: RunRecord) {
  const { message, memory } = explain(e, stage);
  post({ type: 'error', message, detail: technical(e), record, fatal: memory || stage === 'init' });
}

async function run(raw: unknown, gt: GroundTruth | undefined, src: DatasetSource, resume?: RunRecord) {
  running = true;
  cancelled = false;
  let live: RunRecord | undefined;
  // Where the run is, for the message if it fails: a damaged checkpoint fails while it is restored ('resume').
  let stage: Stage = 'config';
  try {
    const cfg = parseConfig(raw);
    probeSource = undefined;
    stage = 'prepare';
    post({ type: 'progress', progress: preparing(cfg) });
    const rates = await calibrate(cfg);
    refuseOverMemory(cfg, rates);
    const data = prepareData(cfg, loadDataset(src, cfg));
    stage = resume ? 'resume' : 'train';
    const done = resume?.instances.filter((i) => i.status === 'complete').length ?? 0;
    const workers = Math.min(device?.workers.count ?? 1, cfg.instances - done);
    const model = new ProgressModel(cfg, rates, done, workers);
    const progress = new RunProgress(cfg, model, done, (p) => post({ type: 'progress', progress: p }));
    progressNow = progress;
    pool?.listen(progress.helperEvents());
    pool?.pause(paused); // also un-pauses helpers left paused by a run cancelled while paused
    const hooks: RunHooks = {
      ...progress.hooks(),
      // The checkpointed instance starts once its checkpoint is restored (and it is the first to start).
      onInstanceStart: () => {
        stage = 'train';
        progress.begin();
      },
      onRecord: (r) => {
        live = r;
        post({ type: 'evaluation', record: r });
      },
      onCheckpoint: (c) => {
        probeSource = { cfg, data, checkpoint: c };
        if (live) post({ type: 'checkpoint', record: { ...live, checkpoint: c } });
      },
      yieldNow: between,
      shouldStop: () => cancelled,
    };
    const rec = await runExperiment(cfg, data, gt, hooks, {
      resume,
      helpers: pool?.helpers(cfg, data).slice(0, workers - 1),
      evaluator: pool?.evaluator(cfg, subset(data.val, cfg.eval.valSize)),
    });
    if (rec.status === 'diverged') post({ type: 'error', message: rec.error ?? 'the run diverged', record: rec });
    else post({ type: 'result', record: rec });
  } catch (e) {
    postError(e, stage, stage === 'resume' ? undefined : live);
  } finally {
    running = false;
  }
}

/** wasm's heap stops at 4 GB (less in practice): a run estimated above MEMORY_LIMIT is refused before it starts. */
function refuseOverMemory(cfg: ExperimentConfig, rates: Rates): void {
  const bytes = estimateCost(cfg, rates).bytes;
  if (bytes > MEMORY_LIMIT)
    throw new Error(
      `this run needs about ${fmtBytes(bytes)} of memory, more than the ${fmtBytes(MEMORY_LIMIT)} a browser ` +
        `tab can give; choose a smaller model, batch or dataset`,
    );
}

async function estimate(raw: unknown, id: number) {
  try {
    const cfg = parseConfig(raw);
    post({
      type: 'estimate',
      id,
      config: cfg,
      cost: estimateCost(cfg, await calibrate(cfg), { workers: device?.workers.count ?? 1 }),
    });
  } catch (e) {
    console.warn('estimate:', technical(e));
    post({ type: 'estimate', id, message: explain(e, 'estimate').message });
  }
}

self.onmessage = async (ev: MessageEvent<ToWorker>) => {
  const m = ev.data;
  if (!m || m.v !== PROTOCOL_VERSION) {
    post({
      type: 'error',
      message: 'the page and its training worker are from different versions: reload the page',
      detail:
        `worker protocol mismatch: got ${JSON.stringify((m as { v?: unknown })?.v)?.slice(0, 40)}, ` +
        `speaks ${PROTOCOL_VERSION}`,
    });
    return;
  }
  switch (m.type) {
    case 'init':
      await init(m);
      break;
    case 'start':
      if (running) post({ type: 'error', message: 'a run is already in progress; cancel it first' });
      else {
        paused = false;
        void run(m.config, m.groundTruth, m.dataset, m.resume);
      }
      break;
    case 'estimate':
      if (!running) void estimate(m.config, m.id);
      break;
    case 'pause':
      paused = true;
      pool?.pause(true);
      post({ type: 'paused', paused: true });
      break;
    case 'resume':
      paused = false;
      pool?.pause(false);
      wake?.();
      post({ type: 'paused', paused: false });
      break;
    case 'step':
      paused = true;
      pool?.pause(true);
      stepBudget++;
      wake?.();
      break;
    case 'cancel':
      cancelled = true;
      pool?.cancel();
      wake?.();
      break;
    case 'speed':
      delayMs = Math.max(0, Math.min(5000, Number(m.delayMs) || 0));
      break;
    case 'fault':
      await fault();
      break;
    case 'probe':
      await probe(m.child, m.steps);
      break;
  }
};

/** Interference, directly, from the live run's latest checkpoint (none before a live run has checkpointed). */
async function probe(child: number, steps: number) {
  if (running) return post({ type: 'probe', message: 'the probe runs once the run has finished or is cancelled' });
  if (!probeSource)
    return post({ type: 'probe', message: 'run live first: the probe starts from a live run’s weights' });
  running = true;
  try {
    const { cfg, data, checkpoint } = probeSource;
    post({ type: 'probe', result: await probeFromCheckpoint(cfg, data, checkpoint, child, steps) });
  } catch (e) {
    console.warn('probe:', technical(e));
    post({ type: 'probe', message: explain(e, 'train').message });
  } finally {
    running = false;
  }
}

/** Picks the backend, then starts the helpers (if any) so that a run finds them ready. */
async function init(m: Extract<ToWorker, { type: 'init' }>) {
  try {
    const chosen = await chooseBackend({ force: m.backend, threads: m.threads, timeSoftware: m.timeAll });
    device = { ...chosen, workers: helperCount(chosen.backend, navigator.hardwareConcurrency || 1, m.workers) };
    if (device.workers.count > 1 && !pool) {
      pool = new HelperPool(device.workers.count, device.backend);
      pool.warm();
    }
    watchDeviceLoss();
    post({ type: 'ready', device });
  } catch (e) {
    postError(e, 'init');
  }
}

/** A real out-of-memory failure, on purpose (?faults=1): 2^31 floats (8 GB), more than wasm's 4 GB heap can hold. */
async function fault() {
  try {
    const tf = await import('@tensorflow/tfjs');
    tf.zeros([2 ** 28, 8]).dispose();
    post({ type: 'error', message: 'the impossible allocation succeeded?', fatal: false });
  } catch (e) {
    // The backend may be left broken: the page starts a new worker whatever the error was.
    post({ type: 'error', message: explain(e, 'train').message, detail: technical(e), fatal: true });
  }
}

/** A lost GPU device ends the run with a message instead of silently wrong numbers. */
function watchDeviceLoss() {
  import('@tensorflow/tfjs').then((tf) => {
    const b = tf.backend() as unknown as { device?: { lost?: Promise<{ message: string }> } };
    b.device?.lost?.then((info) => {
      cancelled = true;
      post({
        type: 'error',
        message:
          `the GPU device was lost (${info.message}); the page starts a new worker on another backend — ` +
          `finished evaluations are kept`,
        fatal: true,
      });
    });
  });
}

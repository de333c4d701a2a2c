/// <reference lib="webworker" />
// The training worker: owns the backend, the dataset and every tensor; speaks protocol.ts.
import * as tf from '@tensorflow/tfjs';
import { validateConfig, type ExperimentConfig } from '../../engine/config';
import { splitsFromFiles, splitsFromTarGz } from '../../engine/data/cifar10';
import type { DataSplits } from '../../engine/data/dataset';
import { syntheticSplits } from '../../engine/data/synthetic';
import { prepareData, runExperiment, stepsPerEpoch } from '../../engine/experiment';
import type { GroundTruth, RunRecord } from '../../engine/record';
import { chooseBackend } from './backend';
import { PROTOCOL_VERSION, type DatasetSource, type FromWorker, type ToWorker } from './protocol';

declare const self: DedicatedWorkerGlobalScope;
const post = (m: FromWorker) => self.postMessage(m);

let paused = false;
let cancelled = false;
let stepBudget = 0; // steps allowed while paused ('step' button)
let delayMs = 0;
let wake: (() => void) | undefined;
let running = false;

// A macrotask turn so pause/cancel messages are seen between steps (tf.nextFrame has no rAF here).
const channel = new MessageChannel();
const turns: (() => void)[] = [];
channel.port1.onmessage = () => turns.shift()?.();
const macrotask = () =>
  new Promise<void>((r) => {
    turns.push(r);
    channel.port2.postMessage(0);
  });

async function between(): Promise<void> {
  if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
  else await macrotask();
  while (paused && !cancelled && stepBudget === 0) await new Promise<void>((r) => (wake = r));
  if (paused && stepBudget > 0) stepBudget--;
}

function loadDataset(src: DatasetSource, cfg: ExperimentConfig): DataSplits {
  if (src.kind === 'synthetic') return syntheticSplits(cfg.data.trainSize, cfg.data.valSize, cfg.data.synthSeed);
  const tar = src.files.find((f) => /\.(tar\.gz|tgz)$/.test(f.name));
  return tar ? splitsFromTarGz(tar.bytes, tar.name) : splitsFromFiles(src.files);
}

async function run(cfg: ExperimentConfig, gt: GroundTruth | undefined, src: DatasetSource) {
  running = true;
  cancelled = false;
  let live: RunRecord | undefined;
  try {
    validateConfig(cfg);
    const data = prepareData(cfg, loadDataset(src, cfg));
    const total = stepsPerEpoch(cfg) * cfg.train.epochs;
    const t0 = performance.now();
    let images = 0;
    let lastPost = 0;
    const rec = await runExperiment(cfg, data, gt, {
      onStep: (s) => {
        images += s.images;
        const now = performance.now();
        if (now - lastPost > 100 || s.step === s.totalSteps) {
          lastPost = now;
          const done = s.instance * total + s.step;
          const sec = (now - t0) / 1000;
          post({ v: 1, type: 'progress', progress: { step: s.step, totalSteps: total, instance: s.instance, instances: cfg.instances, imagesPerSecond: images / sec, etaSeconds: (sec / done) * (cfg.instances * total - done), loss: s.loss[0], child: s.children[0] } });
        }
      },
      onRecord: (r) => {
        live = r;
        post({ v: 1, type: 'evaluation', record: r });
      },
      yieldNow: between,
      shouldStop: () => cancelled,
    });
    post({ v: 1, type: 'result', record: rec });
  } catch (e) {
    post({ v: 1, type: 'error', message: (e as Error).message, record: live });
  } finally {
    running = false;
  }
}

self.onmessage = async (ev: MessageEvent<ToWorker>) => {
  const m = ev.data;
  if (!m || m.v !== PROTOCOL_VERSION) {
    post({ v: 1, type: 'error', message: `worker protocol mismatch: got ${JSON.stringify((m as { v?: unknown })?.v)}, speaks ${PROTOCOL_VERSION}` });
    return;
  }
  switch (m.type) {
    case 'init':
      try {
        const device = await chooseBackend({ force: m.backend });
        watchDeviceLoss();
        post({ v: 1, type: 'ready', device });
      } catch (e) {
        post({ v: 1, type: 'error', message: (e as Error).message });
      }
      break;
    case 'start':
      if (running) post({ v: 1, type: 'error', message: 'a run is already in progress; cancel it first' });
      else {
        paused = false;
        void run(m.config, m.groundTruth, m.dataset);
      }
      break;
    case 'pause':
      paused = true;
      post({ v: 1, type: 'paused', paused: true });
      break;
    case 'resume':
      paused = false;
      wake?.();
      post({ v: 1, type: 'paused', paused: false });
      break;
    case 'step':
      paused = true;
      stepBudget++;
      wake?.();
      break;
    case 'cancel':
      cancelled = true;
      wake?.();
      break;
    case 'speed':
      delayMs = Math.max(0, m.delayMs);
      break;
  }
};

/** A lost GPU device ends the run with a message instead of silently wrong numbers. */
function watchDeviceLoss() {
  const b = tf.backend() as unknown as { device?: { lost?: Promise<{ message: string }> } };
  b.device?.lost?.then((info) => {
    cancelled = true;
    post({ v: 1, type: 'error', message: `the GPU device was lost (${info.message}); reload the page to continue on another backend — finished evaluations are kept` });
  });
}

// The one typed, versioned message protocol between the page and the training worker.
import type { ExperimentConfig } from '../../engine/schema/config';
import type { Cost } from '../../engine/train/cost';
import type { Phase } from '../../engine/train/experiment';
import type { DataSplits, ImageSet } from '../../engine/data/dataset';
import type { Snapshot } from '../../engine/model/weightStore';
import type { GroundTruth, InstanceRecord, RunRecord } from '../../engine/schema/record';
import type { ProbeReport } from '../../engine/train/probe';

export const PROTOCOL_VERSION = 2;

/** Every message carries the version: a page and a worker from different builds refuse each other's messages. */
export type Versioned<T> = T extends unknown ? { v: typeof PROTOCOL_VERSION } & T : never;
/** A message as written, before its sender adds the version (one type per member of the union). */
export type Unversioned<T> = T extends unknown ? Omit<T, 'v'> : never;

export type DatasetSource =
  { kind: 'built-in' } | { kind: 'cifar10-files'; files: { name: string; bytes: Uint8Array }[] };

export type ToWorker = Versioned<
  /** First message: pick the backend (optionally forced, from the page URL's ?backend=). */
  | { type: 'init'; backend?: string; threads?: number; workers?: number; timeAll?: boolean }
  /**
   * The config arrives untrusted and is checked by the schema in the worker too. `resume`: a partial record with a
   * checkpoint.
   */
  | { type: 'start'; config: unknown; groundTruth?: GroundTruth; dataset: DatasetSource; resume?: RunRecord }
  /** Measure this backend on the config's model and answer with the cost of the run. */
  | { type: 'estimate'; config: unknown; id: number }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'step' }
  | { type: 'cancel' }
  /** Milliseconds to wait between steps (0 = full speed), for watching the traces move. */
  | { type: 'speed'; delayMs: number }
  /** A real failure on purpose (?faults=1 only), to check the page recovers: an impossible allocation. */
  | { type: 'fault'; kind: 'allocation' }
  /** Interference, directly: from the last run's latest checkpoint, train `child` for `steps` steps (probe.ts). */
  | { type: 'probe'; child: number; steps: number }
>;

export interface DeviceReport {
  backend: string;
  adapter: string;
  /** Faster backends that were tried and refused, with the reason. */
  refused: { backend: string; reason: string }[];
  selfTest: string;
  /** wasm threads and why that many. */
  threads: { count: number; why: string };
  /** Training workers (this one and its helpers, each on a core, each taking whole instances) and why that many. */
  workers: { count: number; why: string };
  /** Why this backend: asked for, the only one that passed, or the fastest timed. */
  why: string;
  /** Milliseconds per classroom step of each backend timed, fastest first (when more than one passed). */
  timed?: { backend: string; msPerStep: number }[];
}

export interface ProgressInfo {
  phase: Phase | 'preparing';
  step: number;
  totalSteps: number;
  instance: number;
  instances: number;
  /** Share of all the run's work done, over every phase (0..1). */
  fraction: number;
  imagesPerSecond: number;
  /** Over all phases left, from the rates measured so far. */
  etaSeconds: number;
  loss: number;
  child: string;
}

export type FromWorker = Versioned<
  | { type: 'ready'; device: DeviceReport }
  | { type: 'progress'; progress: ProgressInfo }
  /** The run record so far, after each evaluation (charts are pure functions of it). */
  | { type: 'evaluation'; record: RunRecord }
  /** After every epoch: the record with what a reload needs to continue exactly. */
  | { type: 'checkpoint'; record: RunRecord }
  | { type: 'paused'; paused: boolean }
  | { type: 'result'; record: RunRecord }
  | { type: 'estimate'; id: number; cost?: Cost; config?: ExperimentConfig; message?: string }
  /**
   * `message`: one sentence for the user (userError.ts); `detail`: the technical text, for the console. `fatal`: the
   * worker's backend may be broken (out of memory): the page starts a new worker.
   */
  | { type: 'error'; message: string; detail?: string; record?: RunRecord; fatal?: boolean }
  /** The probe's answer, or why there is none (no live run yet, a run in progress). */
  | { type: 'probe'; result?: ProbeAnswer; message?: string }
>;

/** A probe's answer (engine/train/probe.ts). */
export type ProbeAnswer = ProbeReport;

export function isFromWorker(m: unknown): m is FromWorker {
  return (
    !!m &&
    typeof m === 'object' &&
    (m as { v?: number }).v === PROTOCOL_VERSION &&
    typeof (m as { type?: unknown }).type === 'string'
  );
}

/**
 * The training worker and its helper workers (instance.worker.ts): a helper trains whole instances of the run on
 * another core, on the training worker's backend, and sends each instance's record back.
 */
export type ToHelper = Versioned<
  | { type: 'init'; backend: string }
  /** `data`: the run's prepared splits (a few MB at classroom scale), so the helper need not make them again. */
  | { type: 'run'; id: number; config: ExperimentConfig; data: DataSplits; index: number }
  /** Half of one evaluation of the training worker's instance: these children, from a snapshot of its weights. */
  | { type: 'evaluate'; id: number; config: ExperimentConfig; val: ImageSet; snapshot: Snapshot; children: number[] }
  | { type: 'pause'; paused: boolean }
  | { type: 'cancel' }
>;

export type FromHelper = Versioned<
  | { type: 'ready'; backend: string }
  /** Progress: one training step (images) or one evaluation point of instance `id`'s run. */
  | { type: 'step'; id: number; images: number; finetune: boolean }
  | { type: 'evaluated'; id: number; instance: InstanceRecord }
  | { type: 'done'; id: number; instance: InstanceRecord }
  | { type: 'accuracy'; id: number; accuracy: number[] }
  | { type: 'error'; id?: number; message: string }
>;

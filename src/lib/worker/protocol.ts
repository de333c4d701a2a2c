// The one typed, versioned message protocol between the page and the training worker.
import type { ExperimentConfig } from '../../engine/config';
import type { GroundTruth, RunRecord } from '../../engine/record';

export const PROTOCOL_VERSION = 1;

export type DatasetSource = { kind: 'synthetic' } | { kind: 'cifar10-files'; files: { name: string; bytes: Uint8Array }[] };

export type ToWorker =
  /** First message: pick the backend (optionally forced, from the page URL's ?backend=). */
  | { v: 1; type: 'init'; backend?: string }
  | { v: 1; type: 'start'; config: ExperimentConfig; groundTruth?: GroundTruth; dataset: DatasetSource }
  | { v: 1; type: 'pause' }
  | { v: 1; type: 'resume' }
  | { v: 1; type: 'step' }
  | { v: 1; type: 'cancel' }
  /** Milliseconds to wait between steps (0 = full speed), for watching the traces move. */
  | { v: 1; type: 'speed'; delayMs: number };

export interface DeviceReport {
  backend: string;
  adapter: string;
  /** Faster backends that were tried and refused, with the reason. */
  refused: { backend: string; reason: string }[];
  selfTest: string;
}

export interface ProgressInfo {
  step: number;
  totalSteps: number;
  instance: number;
  instances: number;
  imagesPerSecond: number;
  etaSeconds: number;
  loss: number;
  child: number;
}

export type FromWorker =
  | { v: 1; type: 'ready'; device: DeviceReport }
  | { v: 1; type: 'progress'; progress: ProgressInfo }
  /** The run record so far, after each evaluation (charts are pure functions of it). */
  | { v: 1; type: 'evaluation'; record: RunRecord }
  | { v: 1; type: 'paused'; paused: boolean }
  | { v: 1; type: 'result'; record: RunRecord }
  | { v: 1; type: 'error'; message: string; record?: RunRecord };

export function isFromWorker(m: unknown): m is FromWorker {
  return !!m && typeof m === 'object' && (m as { v?: number }).v === PROTOCOL_VERSION && typeof (m as { type?: unknown }).type === 'string';
}

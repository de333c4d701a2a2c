// The run record: one JSON document per experiment, written by the CLI and read/written by the app.
import type { ExperimentConfig, InstanceSeeds } from './config';

export const RECORD_SCHEMA_VERSION = 1;
export const RECORD_KIND = 'supernet-playground/run';

export interface EvalPoint {
  /** Global step after which the evaluation ran (1-based count of steps done). */
  step: number;
  /** Epoch the step belongs to (1-based). */
  epoch: number;
  /** True at the end of an epoch. */
  epochEnd: boolean;
  /** True inside the dense-evaluation window (last N steps). */
  dense: boolean;
}

export interface FinetuneRecord {
  lr: number;
  /** Row 0: inherited weights; row s: after s fine-tune steps. Rows × 64. */
  accuracy: number[][];
}

export interface InstanceRecord {
  index: number;
  seeds: InstanceSeeds;
  points: EvalPoint[];
  /** points × 64 children, top-1 validation accuracy in [0, 1]. */
  accuracy: number[][];
  /** job → child trained at each step. */
  trainOrder: number[][];
  /** job → training loss at each step. */
  loss: number[][];
  finetune?: FinetuneRecord;
  status: 'complete' | 'partial';
}

export interface GroundTruth {
  /** Per child mean and std of stand-alone accuracy over seeds, in [0, 1]. */
  mean: number[];
  std: number[];
  /** seeds × 64, when known. */
  perSeed?: number[][];
  seeds: number;
  source: string;
  /** Hash of the config part that determines it (groundTruthKey). */
  keyHash?: string;
}

export interface RunRecord {
  schemaVersion: number;
  kind: typeof RECORD_KIND;
  createdAt: string;
  config: ExperimentConfig;
  configHash: string;
  engine: { backend: string; tfjs: string };
  dataset: { name: string; classes: string[]; trainSize: number; valSize: number; inputSize: number };
  parameterCount: number;
  childNames: string[];
  groupMap: number[];
  jobs: number[][];
  instances: InstanceRecord[];
  groundTruth?: GroundTruth;
  metrics?: import('./summary').RunMetrics;
  status: 'complete' | 'partial';
  /** Wall-clock seconds spent training and evaluating. */
  seconds: number;
}

/** Checks the shape of a parsed record; throws an Error that says what is wrong. */
export function validateRecord(r: unknown): RunRecord {
  const fail = (why: string): never => {
    throw new Error(`not a valid run record: ${why}`);
  };
  if (!r || typeof r !== 'object') fail('not a JSON object');
  const o = r as Partial<RunRecord>;
  if (o.kind !== RECORD_KIND) fail(`kind is ${JSON.stringify(o.kind)}, expected ${RECORD_KIND}`);
  if (o.schemaVersion !== RECORD_SCHEMA_VERSION) fail(`schemaVersion ${o.schemaVersion} (this build reads ${RECORD_SCHEMA_VERSION})`);
  if (!o.config || typeof o.config !== 'object') fail('config missing');
  if (!Array.isArray(o.instances)) fail('instances missing');
  for (const [i, inst] of o.instances!.entries()) {
    if (!Array.isArray(inst.accuracy) || !Array.isArray(inst.points) || inst.accuracy.length !== inst.points.length) fail(`instance ${i}: accuracy rows and points differ`);
    for (const row of inst.accuracy) if (!Array.isArray(row) || row.length !== 64 || row.some((v) => typeof v !== 'number')) fail(`instance ${i}: an accuracy row is not 64 numbers`);
  }
  if (o.groundTruth && (!Array.isArray(o.groundTruth.mean) || o.groundTruth.mean.length !== 64)) fail('groundTruth.mean is not 64 numbers');
  return o as RunRecord;
}

// The run record: one JSON document per experiment, written by the CLI, read and written by the app.
// One schema (valibot) checks every record read back — imported, stored, shipped or CLI-written —
// and the TypeScript types derive from it.
import * as v from 'valibot';
import { int, list, text } from '../core/schemaKit';
import { configSchema, MAX_SEED, spaceOf } from './config';
import type { JsonLimits } from '../core/jsonLimits';
import type { TauStats } from '../core/metrics';

export const RECORD_SCHEMA_VERSION = 2;
export const RECORD_KIND = 'supernet-playground/run';
/** Records bigger than this are refused before parsing (a 64-child run of the paper's size is ~10 MB). */
export const MAX_RECORD_BYTES = 50_000_000;
export const RECORD_LIMITS: JsonLimits = { maxDepth: 12, maxStringLength: 20_000_000, maxKeys: 20_000_000 };

const fraction = v.pipe(
  v.number('must be a number'),
  v.finite('must be finite'),
  v.minValue(0, 'must be ≥ 0'),
  v.maxValue(1, 'must be ≤ 1'),
);
const finite = v.pipe(v.number('must be a number'), v.finite('must be finite'));

export const evalPointSchema = v.strictObject({
  /** Global step after which the evaluation ran (1-based count of steps done). */
  step: int(0, 1e7),
  /** Epoch the step belongs to (1-based). */
  epoch: int(0, 1e5),
  /** True at the end of an epoch. */
  epochEnd: v.boolean(),
  /** True inside the dense-evaluation window (last N steps). */
  dense: v.boolean(),
});
export type EvalPoint = v.InferOutput<typeof evalPointSchema>;

const seedsSchema = v.strictObject({ init: int(0, 2 ** 32), data: int(0, 2 ** 32), order: int(0, 2 ** 32) });

export const instanceSchema = v.strictObject({
  index: int(0, 1000),
  seeds: seedsSchema,
  points: list(evalPointSchema, 200_000),
  /** points × children, top-1 validation accuracy in [0, 1]. */
  accuracy: list(list(fraction, 729), 200_000),
  /** job → child trained at each step. */
  trainOrder: list(list(int(0, 728), 1e7), 729),
  /** job → training loss at each step. */
  loss: list(list(finite, 1e7), 729),
  /** Row 0: inherited weights; row s: after s fine-tune steps. Rows × children. */
  finetune: v.optional(v.strictObject({ lr: finite, accuracy: list(list(fraction, 729), 10_001) })),
  status: v.picklist(['complete', 'partial', 'diverged']),
  error: v.optional(text(2000)),
});
export type InstanceRecord = v.InferOutput<typeof instanceSchema>;
export type FinetuneRecord = NonNullable<InstanceRecord['finetune']>;

export const groundTruthSchema = v.strictObject({
  /** Per child mean and std of stand-alone accuracy over seeds, in [0, 1]. */
  mean: list(fraction, 729),
  std: list(fraction, 729),
  /** seeds × children, when known. */
  perSeed: v.optional(list(list(fraction, 729), 100)),
  seeds: int(1, 100),
  source: text(2000),
  /** Hash of the config part that determines it (groundTruthKey). */
  keyHash: v.optional(text(64)),
});
export type GroundTruth = v.InferOutput<typeof groundTruthSchema>;

/** What `resume` needs to continue an instance exactly: weights, momenta, BN statistics and random streams. */
export const checkpointSchema = v.strictObject({
  instance: int(0, 1000),
  /** Steps done. */
  step: int(0, 1e7),
  /** Copy key → base64 of the float32 values (and momentum). */
  weights: v.record(text(200), v.strictObject({ value: text(50_000_000), momentum: v.optional(text(50_000_000)) })),
  orders: list(v.strictObject({ perm: list(int(0, 728), 729), pos: int(0, 729), rng: int(0, 2 ** 32) }), 729),
  augment: list(int(0, 2 ** 32), 729),
  record: instanceSchema,
});
export type Checkpoint = v.InferOutput<typeof checkpointSchema>;

export const provenanceSchema = v.strictObject({
  title: text(300),
  url: text(500),
  commit: text(100),
  licence: text(300),
  note: text(4000),
});

export const recordSchema = v.pipe(
  v.strictObject({
    schemaVersion: v.literal(RECORD_SCHEMA_VERSION, `must be ${RECORD_SCHEMA_VERSION}`),
    kind: v.literal(RECORD_KIND, `must be ${RECORD_KIND}`),
    /** A run made here, a recording shipped with the app (public/runs/), or published data (the paper's trace). */
    source: v.picklist(['run', 'recorded', 'published']),
    provenance: v.optional(provenanceSchema),
    createdAt: text(40),
    config: configSchema,
    configHash: text(64),
    engine: v.strictObject({ backend: text(40), tfjs: text(40) }),
    dataset: v.strictObject({
      name: text(200),
      classes: list(text(100), 1000),
      trainSize: int(0, 1e7),
      valSize: int(0, 1e7),
      inputSize: int(1, 1024),
    }),
    parameterCount: int(0, 1e9),
    childNames: list(text(9), 729),
    groupMap: list(int(0, 728), 729),
    jobs: list(list(int(0, 728), 729), 729),
    instances: list(instanceSchema, 100),
    groundTruth: v.optional(groundTruthSchema),
    /** Informational: recomputed from the data whenever a record is read. */
    metrics: v.optional(v.unknown()),
    status: v.picklist(['complete', 'partial', 'diverged']),
    error: v.optional(text(2000)),
    /** Wall-clock seconds spent training and evaluating. */
    seconds: v.pipe(finite, v.minValue(0)),
    /** The last epoch-end checkpoint of an unfinished instance (partial records only). */
    checkpoint: v.optional(checkpointSchema),
  }),
  v.rawCheck(({ dataset: d, addIssue }) => {
    if (!d.typed) return;
    const r = d.value;
    const space = spaceOf(r.config);
    const n = space.numChildren;
    const fail = (message: string) => addIssue({ message });
    if (r.childNames.length !== n || r.childNames.some((name, i) => name !== space.names[i]))
      fail(`childNames do not match the config's space of ${n} children`);
    if (r.groupMap.length !== n) fail(`groupMap has ${r.groupMap.length} entries, the space ${n} children`);
    const gt = r.groundTruth;
    if (gt && (gt.mean.length !== n || gt.std.length !== n || gt.perSeed?.some((row) => row.length !== n)))
      fail(`groundTruth rows are not ${n} numbers`);
    for (const inst of r.instances) {
      const at = `instance ${inst.index}`;
      if (inst.accuracy.length !== inst.points.length)
        fail(`${at}: ${inst.accuracy.length} accuracy rows for ${inst.points.length} evaluation points`);
      if (inst.accuracy.some((row) => row.length !== n)) fail(`${at}: an accuracy row is not ${n} numbers`);
      if (inst.finetune?.accuracy.some((row) => row.length !== n)) fail(`${at}: a fine-tune row is not ${n} numbers`);
      if (inst.trainOrder.some((job) => job.some((c) => c >= n))) fail(`${at}: trainOrder names a child beyond ${n}`);
      if (inst.loss.length !== inst.trainOrder.length) fail(`${at}: loss and trainOrder have different job counts`);
      for (let i = 1; i < inst.points.length; i++)
        if (inst.points[i].step <= inst.points[i - 1].step) fail(`${at}: evaluation steps are not increasing`);
      if (inst.seeds.init > MAX_SEED + 100) fail(`${at}: seed out of range`);
    }
  }),
);

export interface InstanceMetrics {
  index: number;
  /** GT-Tau at the final evaluation point. */
  gtTau: number;
  t1r: number;
  t3r: number;
  /** GT-Tau-Mean-k / Std-k over the dense window (k = dense points available). */
  gtTauMeanK: number;
  gtTauStdK: number;
  k: number;
  /** GT-Tau after each epoch. */
  gtTauByEpoch: number[];
  /** Best child (index) at the final point. */
  best: number;
  /** S-Tau among the last (up to) 10 epoch-end rankings of this instance ("different epochs"). */
  sTauLastEpochs: TauStats;
  /** GT-Tau after each fine-tune step (row 0 = inherited weights), when fine-tuning ran. */
  finetuneGtTau?: number[];
}

export interface RunMetrics {
  /** Per-instance ground-truth metrics (empty without ground truth). */
  instances: InstanceMetrics[];
  /** S-Tau between instances at the final point. */
  sTau: TauStats;
  /** S-Tau between instances after each epoch. */
  sTauByEpoch: TauStats[];
  gtTau: { mean: number; std: number };
  t1r: { mean: number; std: number };
  t3r: { mean: number; std: number };
  gtTauMeanK: { mean: number; std: number };
  gtTauStdK: { mean: number; std: number };
  /** Noise floor: S-Tau between the ground truth's own seeds. */
  groundTruthSTau?: TauStats;
}

export type RunRecord = Omit<v.InferOutput<typeof recordSchema>, 'metrics'> & { metrics?: RunMetrics };

/** Record JSON: non-finite numbers (undefined metrics) are written as null — the one representation that reads back. */
export function recordToJson(r: RunRecord, space?: number): string {
  return JSON.stringify(r, (_k, x) => (typeof x === 'number' && !Number.isFinite(x) ? null : x), space);
}

// Checkpoint weights as base64 of little-endian float32 (btoa/atob exist in browsers, workers and Node ≥ 16).
function toBase64(a: Float32Array): string {
  const bytes = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}
function fromBase64(s: string): Float32Array {
  const bin = atob(s);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return new Float32Array(bytes.buffer);
}

export function encodeSnapshot(
  snap: Map<string, { value: Float32Array; momentum?: Float32Array }>,
): Checkpoint['weights'] {
  const out: Checkpoint['weights'] = {};
  for (const [k, s] of snap)
    out[k] = { value: toBase64(s.value), momentum: s.momentum ? toBase64(s.momentum) : undefined };
  return out;
}

export function decodeSnapshot(
  w: Checkpoint['weights'],
): Map<string, { value: Float32Array; momentum?: Float32Array }> {
  return new Map(
    Object.entries(w).map(([k, s]) => [
      k,
      { value: fromBase64(s.value), momentum: s.momentum ? fromBase64(s.momentum) : undefined },
    ]),
  );
}

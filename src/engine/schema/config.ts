// Experiment configuration: one typed, versioned document, checked by one schema (valibot) at every
// boundary — share link, --config, worker message, record import, stored runs. The TypeScript types
// are derived from the schema, so the two cannot drift. Every random choice is seeded from it.
import * as v from 'valibot';
import { int, real } from '../core/schemaKit';
import { DATASETS, DATASET_IDS } from '../data/sources';
import { OP_IDS } from '../space/ops';
import { ORDER_IDS } from '../space/orders';
import { MAX_OPS, PAPER_OPS, searchSpace, type SearchSpace } from '../space/searchSpace';
import { policyCheck, sharingSchema } from '../space/sharing';

export const CONFIG_SCHEMA_VERSION = 2;
/** Seeds stay below 2^31 so that base seed + instance never wraps in the 32-bit seed derivation. */
export const MAX_SEED = 2 ** 31 - 1;
export const MAX_NAME = 80;

const choice = <T extends string>(options: readonly T[]) =>
  v.picklist(options as T[], `must be one of ${options.join(', ')}`);
/** Control characters (terminal escapes included) are dropped from names. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
export const stripControl = (s: string) => s.replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, '');

export const modelSchema = v.strictObject({
  /** Channels of the two stem convs (paper: 48). */
  stemChannels: int(1, 256),
  /** Channels of each cell node (paper: 16; a cell outputs 2× this). */
  cellChannels: int(1, 256),
  /** Stacked cells sharing one choice (paper: 4). */
  numCells: int(1, 8),
  /** Square input side in pixels (paper: 32); smaller sides are box-downsampled from 32. */
  inputSize: v.picklist([8, 16, 32], 'must be 8, 16 or 32'),
  /**
   * The stem's two convs drawn once from a fixed seed, the same in every run, and never trained
   * (their BN scale and shift are). Absent means learned; false is dropped so learned configs keep their hash.
   */
  fixedStem: v.optional(v.boolean('must be true or false')),
  /**
   * Average-pool factor in front of every cell after the first (2: half the side; not in the paper, whose cells all
   * run at 32×32). Later cells then cost a quarter or less, which is what makes a second cell affordable in a
   * classroom. Absent means 1; 1 is dropped so configs without it keep their hash.
   */
  cellPool: v.optional(v.picklist([1, 2, 4], 'must be 1, 2 or 4')),
});

export const dataSchema = v.strictObject({
  source: choice(DATASET_IDS),
  /** Training images used (a prefix of the training split). */
  trainSize: int(1, 100_000),
  /** Validation images used (a prefix of the test split, as in the paper's code). */
  valSize: int(1, 20_000),
  augment: v.boolean('must be true or false'),
  /** Seed of a built-in generator (ignored for CIFAR-10). */
  synthSeed: int(0, MAX_SEED),
});

export const trainSchema = v.strictObject({
  epochs: int(1, 10_000),
  batchSize: int(1, 2048),
  lr: real(0, 1e6),
  lrMin: real(0, 1e6),
  momentum: real(0, 0.999),
  weightDecay: real(0, 1),
  /** BatchNorm running-statistics momentum in PyTorch's convention (new = (1-m)·old + m·batch). */
  bnMomentum: real(0, 1),
  /** Global-norm gradient clip; 0 = off (the paper's experiments). */
  gradClip: real(0, 1e6),
  order: choice(ORDER_IDS),
});

export const evalSchema = v.strictObject({
  everyEpoch: v.boolean('must be true or false'),
  /** Evaluate all children after each of the last N steps (paper: 128). */
  denseSteps: int(0, 100_000),
  /** Batches of training data used to re-estimate BN statistics per child before evaluation; 0 = off (paper). */
  bnRecalibrationBatches: int(0, 64),
  batchSize: int(1, 4096),
  /**
   * Validation images the supernet's children are evaluated on: the first N of data.valSize (the
   * ground truth uses them all). Fewer keeps dense evaluation affordable in a browser.
   */
  valSize: int(1, 20_000),
});

const baseSchema = v.strictObject({
  schemaVersion: v.literal(CONFIG_SCHEMA_VERSION, `must be ${CONFIG_SCHEMA_VERSION}`),
  name: v.pipe(
    v.string('must be text'),
    v.maxLength(MAX_NAME, `must be at most ${MAX_NAME} characters`),
    v.transform(stripControl),
  ),
  /** Base seed. */
  seed: int(0, MAX_SEED),
  /** Number of supernet instances. */
  instances: int(1, 100),
  /** What differs between instances: init+data seed ('seed'), child order ('order'), or both ('all'). */
  vary: choice(['seed', 'order', 'all'] as const),
  /** The candidate ops, in digit order (ops.ts). */
  space: v.strictObject({
    ops: v.pipe(
      v.array(choice(OP_IDS)),
      v.minLength(2, 'needs at least 2 ops'),
      v.maxLength(MAX_OPS, `holds at most ${MAX_OPS} ops (one digit each)`),
      v.check((ops) => new Set(ops).size === ops.length, 'must not repeat an op'),
    ),
  }),
  model: modelSchema,
  data: dataSchema,
  sharing: sharingSchema,
  train: trainSchema,
  eval: evalSchema,
  finetune: v.strictObject({
    /** Steps each child is trained alone from the final supernet snapshot; 0 = off. */
    steps: int(0, 10_000),
  }),
  /** Seeds of stand-alone training that make the ground truth. */
  groundTruthSeeds: int(1, 20),
  /**
   * The ground truth's own training, where it differs from the supernet's (`train`): e.g. BN statistics that follow
   * the last batch make a supernet interfere, but a child trained alone and judged by one batch's statistics is
   * judged noisily. Absent: the supernet's training (its order aside).
   */
  groundTruthTrain: v.optional(v.partial(v.omit(trainSchema, ['order']))),
  /**
   * Batches of training data that re-estimate a stand-alone child's BN statistics before the truth judges it,
   * where that differs from the supernet's `eval.bnRecalibrationBatches`: with BN momentum 0.4 a child's running
   * statistics are those of its last few batches, noise the truth need not carry (the supernet keeps them: they are
   * how its children interfere). Absent: the supernet's.
   */
  groundTruthBnRecalibration: v.optional(int(0, 64)),
});

type Base = v.InferOutput<typeof baseSchema>;

/** Rules across fields; each returns [path, message] or nothing. */
function crossChecks(c: Base): [string, string][] {
  const out: [string, string][] = [];
  const src = DATASETS[c.data.source];
  if (c.data.trainSize > src.maxTrain) out.push(['data.trainSize', `must be ≤ ${src.maxTrain} for ${c.data.source}`]);
  if (c.data.valSize > src.maxVal) out.push(['data.valSize', `must be ≤ ${src.maxVal} for ${c.data.source}`]);
  if (c.train.lrMin > c.train.lr) out.push(['train.lrMin', 'must not exceed train.lr']);
  if (c.eval.valSize > c.data.valSize) out.push(['eval.valSize', `must be ≤ data.valSize (${c.data.valSize})`]);
  if (c.seed + c.instances - 1 > MAX_SEED) out.push(['seed', `plus instances must stay ≤ ${MAX_SEED}`]);
  const total = Math.ceil(c.data.trainSize / c.train.batchSize) * c.train.epochs;
  if (c.eval.denseSteps > total) out.push(['eval.denseSteps', `must be ≤ the ${total} training steps`]);
  // The space's own rules (2..9 distinct ops) are reported by the schema; check the policy against it only when valid.
  const ops = c.space.ops;
  if (ops.length >= 2 && ops.length <= MAX_OPS && new Set(ops).size === ops.length) {
    const why = policyCheck(c.sharing, searchSpace(ops), c.model.numCells);
    if (why) out.push(['sharing', why]);
  }
  return out;
}

export const configSchema = v.pipe(
  baseSchema,
  v.rawCheck(({ dataset, addIssue }) => {
    if (!dataset.typed) return;
    for (const [path, message] of crossChecks(dataset.value)) addIssue({ message: `${path} ${message}` });
  }),
);

export type ExperimentConfig = v.InferOutput<typeof configSchema>;
export type ModelConfig = ExperimentConfig['model'];
export type DataConfig = ExperimentConfig['data'];
export type TrainConfig = ExperimentConfig['train'];
export type EvalConfig = ExperimentConfig['eval'];
export type { OrderMode } from '../space/orders';
export type { SharingPolicy } from '../space/sharing';

/** "train.epochs must be ≥ 1 (got 0)" from a valibot issue. */
export function issueText(issue: v.BaseIssue<unknown>): string {
  // Keys come from the input: printable and short (a 1 MB unknown key is echoed as its first 40 characters).
  const key = (k: unknown) => {
    const t = stripControl(String(k));
    return t.length > 40 ? `${t.slice(0, 39)}…` : t;
  };
  const path = issue.path?.map((p) => key((p as { key: unknown }).key)).join('.') ?? '';
  if (!path) return issue.message;
  const got =
    typeof issue.input === 'string'
      ? JSON.stringify(stripControl(issue.input.slice(0, 40)))
      : typeof issue.input === 'object'
        ? issue.input === null
          ? 'null'
          : Array.isArray(issue.input)
            ? 'an array'
            : 'an object'
        : String(issue.input);
  if (issue.input === undefined && /^".*"$/.test(issue.expected ?? '')) return `${path} is missing`;
  return issue.type === 'strict_object' && issue.expected === 'never'
    ? `${path} is not a known field`
    : `${path} ${issue.message} (got ${got})`;
}

/** An old config (schema 1) in today's shape: the paper's space, the v1 synthetic set renamed 'shapes'. */
function migrate(raw: unknown): unknown {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return raw;
  const c = raw as Record<string, unknown>;
  if (c.schemaVersion !== 1) return raw;
  const model = { ...(c.model as Record<string, unknown>) };
  delete model.numClasses;
  const data = { ...(c.data as Record<string, unknown>) };
  if (data.source === 'synthetic') data.source = 'shapes';
  const evalCfg = { ...(c.eval as Record<string, unknown>), valSize: data.valSize };
  return { ...c, schemaVersion: CONFIG_SCHEMA_VERSION, space: { ops: [...PAPER_OPS] }, model, data, eval: evalCfg };
}

/** Checks (and migrates) an untrusted config; throws an Error naming the first invalid field. */
export function parseConfig(raw: unknown): ExperimentConfig {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw))
    throw new Error(
      `invalid config: expected a JSON object, got ` +
        `${raw === null ? 'null' : Array.isArray(raw) ? 'an array' : typeof raw}`,
    );
  const r = v.safeParse(configSchema, migrate(raw));
  if (!r.success) throw new Error(`invalid config: ${issueText(r.issues[0])}`);
  // A learned stem is the default: written or not, one config, one hash.
  if (r.output.model.fixedStem === false) delete r.output.model.fixedStem;
  if (r.output.model.cellPool === 1) delete r.output.model.cellPool;
  return r.output;
}

/** Kept for callers that hold a typed config: the same check. */
export const validateConfig = (cfg: ExperimentConfig): ExperimentConfig => parseConfig(cfg);

export const spaceOf = (cfg: Pick<ExperimentConfig, 'space'>): SearchSpace => searchSpace(cfg.space.ops);
export const numClassesOf = (cfg: Pick<ExperimentConfig, 'data'>): number => DATASETS[cfg.data.source].classes.length;

export interface InstanceSeeds {
  init: number;
  data: number;
  order: number;
}

export function instanceSeeds(cfg: ExperimentConfig, i: number): InstanceSeeds {
  const s = cfg.seed;
  return {
    init: cfg.vary === 'order' ? s : s + i,
    data: cfg.vary === 'order' ? s : s + i,
    order: cfg.vary === 'seed' ? s : s + i,
  };
}

/**
 * Deterministic JSON: object keys sorted, so equal configs hash equally. Iterative: deep input cannot overflow the
 * stack.
 */
export function stableStringify(root: unknown): string {
  type Item = { value: unknown } | { raw: string };
  const out: string[] = [];
  const stack: Item[] = [{ value: root }];
  while (stack.length) {
    const item = stack.pop()!;
    if ('raw' in item) {
      out.push(item.raw);
      continue;
    }
    const x = item.value;
    if (x === null || typeof x !== 'object') {
      out.push(JSON.stringify(x) ?? 'null');
      continue;
    }
    const items: Item[] = [];
    if (Array.isArray(x)) {
      items.push({ raw: '[' });
      x.forEach((e, i) => items.push(...(i ? [{ raw: ',' }] : []), { value: e }));
      items.push({ raw: ']' });
    } else {
      const o = x as Record<string, unknown>;
      const keys = Object.keys(o)
        .filter((k) => o[k] !== undefined)
        .sort();
      items.push({ raw: '{' });
      keys.forEach((k, i) => items.push({ raw: `${i ? ',' : ''}${JSON.stringify(k)}:` }, { value: o[k] }));
      items.push({ raw: '}' });
    }
    for (let i = items.length - 1; i >= 0; i--) stack.push(items[i]);
  }
  return out.join('');
}

/** 64-bit (two 32-bit lanes) string hash as 16 hex digits; not cryptographic, just a cache key. */
export function hashHex(s: string): string {
  let h1 = 0xdeadbeef ^ s.length;
  let h2 = 0x41c6ce57 ^ s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (h2 >>> 0).toString(16).padStart(8, '0') + (h1 >>> 0).toString(16).padStart(8, '0');
}

export function configHash(cfg: unknown): string {
  return hashHex(stableStringify(cfg));
}

/**
 * The part of a config that determines its stand-alone ground truth: the search space, model, data, the schedule each
 * child trains alone with (the training block but its order) and the truth's number of seeds. Not the supernet's
 * seed, order, sharing, instances, evaluation points or fine-tune: changing those keeps the truth (its runs use seeds
 * 0, 1, … whatever the supernet's seed; groundTruthConfig).
 */
export function groundTruthKey(cfg: ExperimentConfig) {
  return {
    v: CONFIG_SCHEMA_VERSION,
    space: cfg.space.ops,
    model: cfg.model,
    data: cfg.data,
    train: groundTruthTrain(cfg),
    eval: { bnRecalibrationBatches: groundTruthBnRecalibration(cfg) },
    seeds: cfg.groundTruthSeeds,
  };
}

/** Batches that re-estimate BN statistics before the ground truth evaluates a child (0: its running ones). */
export const groundTruthBnRecalibration = (cfg: ExperimentConfig): number =>
  cfg.groundTruthBnRecalibration ?? cfg.eval.bnRecalibrationBatches;

/** The training block each child of the ground truth is trained alone with. */
export function groundTruthTrain(cfg: ExperimentConfig): TrainConfig {
  return { ...cfg.train, ...cfg.groundTruthTrain, order: 'fixed' };
}

/**
 * What an experiment is, without its name: shipped recordings are found by it (public/runs/<hash>.json), so a
 * what-if that lands on a recorded experiment draws at once, whatever preset it was reached from.
 */
export function experimentHash(cfg: ExperimentConfig): string {
  return configHash({ ...cfg, name: undefined });
}

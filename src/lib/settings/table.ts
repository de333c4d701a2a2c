// The settings, listed once (after tensorflow/playground's state.ts): each entry names its place in the config, its
// readable link parameter and its form field. Bounds, options and types are read from the config schema itself, so
// the form, the links and the schema cannot disagree. The form's fields (fields.ts) and the link's readable
// parameters (links.ts) are derived from SETTINGS; an entry added at run time is listed by both.
import { configSchema, type ExperimentConfig } from '../../engine/schema/config';
import { DATASETS, type DataSourceId } from '../../engine/data/sources';
import { ORDER_MODES, type OrderMode } from '../../engine/space/orders';
import { parseSharing, policyText, SHARING, sharingKinds, type SharingPolicy } from '../../engine/space/sharing';
import type { TermId } from '../article/glossary';

/** What the schema allows for one value. */
export interface Bounds {
  type: 'number' | 'picklist' | 'boolean' | 'string' | 'other';
  integer: boolean;
  min?: number;
  max?: number;
  maxLength?: number;
  options?: readonly (string | number)[];
}

/** The parts of a valibot schema read here (`.pipe` actions carry `.requirement`; picklists `.options`). */
interface Node {
  type: string;
  pipe?: readonly Node[];
  entries?: Record<string, Node>;
  wrapped?: Node;
  options?: readonly (string | number)[];
  requirement?: unknown;
}

const unwrap = (s: Node): Node => (s.type === 'optional' || s.type === 'nullish' ? unwrap(s.wrapped!) : s);

/** The schema of one config path, e.g. 'train.epochs'; throws for a path the schema does not know. */
export function schemaAt(path: string): unknown {
  let s = configSchema as unknown as Node;
  for (const key of path.split('.')) {
    const e = unwrap(s).entries?.[key];
    if (!e) throw new Error(`the config schema has no field ${path}`);
    s = e;
  }
  return s;
}

/** The type and bounds a schema declares: min_value/max_value/integer/max_length actions, picklist options. */
export function boundsOf(schema: unknown): Bounds {
  const s = unwrap(schema as Node);
  const known = ['number', 'picklist', 'boolean', 'string'];
  const b: Bounds = { type: (known.includes(s.type) ? s.type : 'other') as Bounds['type'], integer: false };
  if (s.type === 'picklist') b.options = s.options;
  for (const a of s.pipe ?? []) {
    if (a.type === 'min_value') b.min = a.requirement as number;
    else if (a.type === 'max_value') b.max = a.requirement as number;
    else if (a.type === 'integer') b.integer = true;
    else if (a.type === 'max_length') b.maxLength = a.requirement as number;
  }
  return b;
}

/** The text of a form field. */
export interface FieldText {
  label: string;
  help: string;
  term?: TermId;
  group: 'run' | 'training' | 'evaluation' | 'model' | 'data';
  /** Part of the ground truth's key: changing it needs new ground truth. */
  groundTruth?: boolean;
  /** Input step of a real number (an integer steps by 1). */
  step?: number;
  /** Menu text of an option (default: the value itself). */
  optionLabel?: (value: never) => string;
}

export interface Setting {
  /** Where the value lives in the config, e.g. 'train.epochs'. */
  path: string;
  /** Its readable link parameter (?epochs=4), if it has one. */
  param?: string;
  /** Its form field, if the settings panel shows one. */
  field?: FieldText;
  /** Text → value, throwing a message that names `key`; default by the schema's type. The schema checks bounds. */
  read?: (text: string, key: string) => unknown;
  /** Value → text (default String). */
  write?: (value: unknown) => string;
}

/** A table entry with its schema bounds and its text codec resolved. */
export type SettingEntry = Setting & {
  bounds: Bounds;
  read: (text: string, key: string) => unknown;
  write: (value: unknown) => string;
};

const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

function readBy(b: Bounds): (text: string, key: string) => unknown {
  if (b.type === 'number')
    return (s, key) => {
      // Decimal only (spaces around allowed, as before): Number() would also read 0x10 and 0b11.
      const n = DECIMAL.test(s.trim()) ? Number(s) : Number.NaN;
      if (!Number.isFinite(n)) throw new Error(`${key}=${s.slice(0, 20)} is not a number`);
      return n;
    };
  if (b.type === 'picklist')
    return (s, key) => {
      const o = b.options!.find((x) => String(x) === s);
      if (o === undefined) throw new Error(`${key} must be one of ${b.options!.join(', ')}`);
      return o;
    };
  if (b.type === 'boolean')
    return (s, key) => {
      if (s !== 'true' && s !== 'false') throw new Error(`${key} must be true or false`);
      return s === 'true';
    };
  return (s) => s;
}

/** Resolves an entry against the schema (a path the schema lacks throws here, at load). */
export function resolve(s: Setting): SettingEntry {
  const bounds = boundsOf(schemaAt(s.path));
  if (s.field && bounds.type === 'other')
    throw new Error(`${s.path}: a form field needs a number, choice, flag or text`);
  return { ...s, bounds, read: s.read ?? readBy(bounds), write: s.write ?? String };
}

const VARY: Record<ExperimentConfig['vary'], string> = { seed: 'seed', order: 'child order', all: 'both' };

/**
 * The table, in form order (the readable query follows it). Every form min/max is the schema's: a long run is
 * priced and asked about before it starts (session.svelte.ts), so the form does not narrow them.
 */
export const SETTINGS: SettingEntry[] = (
  [
    { path: 'name', field: { label: 'Name', help: 'names the experiment (and its preset)', group: 'run' } },
    {
      path: 'instances',
      param: 'instances',
      field: { label: 'Instances', help: 'supernet runs to compare', term: 'instance', group: 'run' },
    },
    {
      path: 'vary',
      field: {
        label: 'Instances differ in',
        help: 'what changes between instances',
        group: 'run',
        optionLabel: (o: ExperimentConfig['vary']) => VARY[o],
      },
    },
    {
      path: 'seed',
      param: 'seed',
      field: {
        label: 'Seed',
        help: 'base seed of the supernet’s random choices (the ground truth keeps its own seeds)',
        group: 'run',
      },
    },
    {
      path: 'train.order',
      param: 'order',
      field: {
        label: 'Order',
        help: 'the round-robin order of children',
        term: 'roundRobin',
        group: 'training',
        optionLabel: (o: OrderMode) => ORDER_MODES[o].title,
      },
    },
    // The sharing policy has its own controls (from the sharing registry); here only its link text.
    {
      path: 'sharing',
      param: 'sharing',
      read: (s: string, key: string) => {
        // A user string names a registry entry: own entries only ('__proto__', 'toString' are no policies).
        const kind = s.split(':')[0];
        if (!Object.hasOwn(SHARING, kind))
          throw new Error(
            `${key}=${JSON.stringify(kind.slice(0, 40))} names no sharing policy (known: ${sharingKinds().join(', ')})`,
          );
        return parseSharing(s);
      },
      write: (p) => policyText(p as SharingPolicy),
    },
    {
      path: 'train.epochs',
      param: 'epochs',
      field: { label: 'Epochs', help: 'passes over the training images', group: 'training', groundTruth: true },
    },
    {
      path: 'train.batchSize',
      field: { label: 'Batch', help: 'images per step', group: 'training', groundTruth: true },
    },
    {
      path: 'train.lr',
      param: 'lr',
      field: {
        label: 'Learning rate',
        help: 'at the start; cosine-annealed',
        group: 'training',
        groundTruth: true,
        step: 0.005,
      },
    },
    {
      path: 'train.lrMin',
      field: {
        label: 'Final learning rate',
        help: 'at the end of the cosine',
        group: 'training',
        groundTruth: true,
        step: 0.001,
      },
    },
    {
      path: 'train.bnMomentum',
      field: {
        label: 'BN momentum',
        help: 'weight of the last batch in the running statistics (paper 0.4)',
        term: 'bn',
        group: 'training',
        groundTruth: true,
        step: 0.05,
      },
    },
    {
      path: 'eval.everyEpoch',
      field: { label: 'Evaluate every epoch', help: 'all children after each epoch', group: 'evaluation' },
    },
    {
      path: 'eval.denseSteps',
      param: 'dense',
      field: {
        label: 'Dense steps',
        help: 'all children after each of the last N steps',
        term: 'dense',
        group: 'evaluation',
      },
    },
    {
      path: 'eval.valSize',
      field: {
        label: 'Evaluation images',
        help: 'the supernet’s children are evaluated on the first N validation images',
        group: 'evaluation',
      },
    },
    {
      path: 'finetune.steps',
      param: 'finetune',
      field: {
        label: 'Fine-tune steps',
        help: 'per child, from the final supernet',
        term: 'finetune',
        group: 'evaluation',
      },
    },
    {
      path: 'model.stemChannels',
      field: { label: 'Stem channels', help: 'width of the two stem convs', group: 'model', groundTruth: true },
    },
    {
      path: 'model.fixedStem',
      field: {
        label: 'Fixed stem',
        help: 'the stem’s convs drawn once, the same in every run, and not trained',
        group: 'model',
        groundTruth: true,
      },
    },
    {
      path: 'model.cellChannels',
      field: { label: 'Cell channels', help: 'width of each node', group: 'model', groundTruth: true },
    },
    {
      path: 'model.numCells',
      field: { label: 'Cells', help: 'stacked cells sharing one choice', group: 'model', groundTruth: true },
    },
    {
      path: 'model.inputSize',
      field: {
        label: 'Input size',
        help: 'images are box-downsampled from 32',
        group: 'model',
        groundTruth: true,
        optionLabel: (v: number) => `${v}×${v}`,
      },
    },
    {
      path: 'data.source',
      field: {
        label: 'Dataset',
        help: 'built-in or your CIFAR-10 files',
        group: 'data',
        groundTruth: true,
        optionLabel: (d: DataSourceId) => DATASETS[d].title,
      },
    },
    {
      path: 'data.trainSize',
      field: { label: 'Training images', help: 'a prefix of the training split', group: 'data', groundTruth: true },
    },
    {
      path: 'data.valSize',
      field: {
        label: 'Validation images',
        help: 'the ground truth judges every child on these',
        group: 'data',
        groundTruth: true,
      },
    },
    {
      path: 'data.augment',
      field: { label: 'Augment', help: 'random crops and flips (as the paper)', group: 'data', groundTruth: true },
    },
  ] satisfies Setting[]
).map(resolve);

/** Adds an entry at run time (it joins the form and the readable links); returns it. */
export function addSetting(s: Setting): SettingEntry {
  if (s.param && (s.param === 'preset' || SETTINGS.some((x) => x.param === s.param)))
    throw new Error(`link parameter ${s.param} is taken`);
  const e = resolve(s);
  SETTINGS.push(e);
  return e;
}

export function getAt(cfg: ExperimentConfig, path: string): unknown {
  return path.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], cfg);
}

/** Sets one path of cfg in place. */
export function setAt(cfg: ExperimentConfig, path: string, value: unknown): void {
  const keys = path.split('.');
  const parent = keys
    .slice(0, -1)
    .reduce<Record<string, unknown>>(
      (o, k) => o[k] as Record<string, unknown>,
      cfg as unknown as Record<string, unknown>,
    );
  parent[keys[keys.length - 1]] = value;
}

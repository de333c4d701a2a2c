// The form's fields, derived from the settings table (table.ts): the settings panel renders them, and the
// ground-truth warning knows which of them the shipped ground truth depends on.
import { groundTruthTrain, spaceOf, type ExperimentConfig } from '../../engine/schema/config';
import { jobsOf } from '../../engine/space/sharing';
import type { Cost } from '../../engine/train/cost';
import { groundTruthSteps, totalSteps } from '../../engine/train/schedule';
import { getAt, setAt, SETTINGS, type FieldText, type SettingEntry } from './table';

export interface Field extends Omit<FieldText, 'optionLabel'> {
  path: string;
  kind: 'int' | 'number' | 'select' | 'bool' | 'text';
  /** The schema's bounds. */
  min?: number;
  max?: number;
  maxLength?: number;
  options?: { value: string | number; label: string }[];
  /** Text → value (throws when the text is not of the field's type). */
  read: (text: string) => unknown;
}

function toField(s: SettingEntry & { field: FieldText }): Field {
  const { optionLabel, ...text } = s.field;
  const b = s.bounds;
  const label = (optionLabel ?? String) as (v: unknown) => string;
  const kinds = { number: b.integer ? 'int' : 'number', picklist: 'select', boolean: 'bool', string: 'text' } as const;
  return {
    ...text,
    path: s.path,
    kind: kinds[b.type as keyof typeof kinds],
    min: b.min,
    max: b.max,
    maxLength: b.maxLength,
    options: b.options?.map((value) => ({ value, label: label(value) })),
    read: (t) => s.read(t, s.path),
  };
}

/** The form's fields, in table order (an entry added at run time included). */
export const fields = (): Field[] =>
  SETTINGS.filter((s): s is SettingEntry & { field: FieldText } => s.field !== undefined).map(toField);

export const getField = (cfg: ExperimentConfig, path: string): unknown => getAt(cfg, path);

/**
 * Whether changing the field changes this config's ground truth: a ◆ field, unless the config's groundTruthTrain
 * sets that training value for the truth itself (the classroom's truth trains 8 epochs at BN momentum 0.4 whatever
 * the supernet does).
 */
export function changesGroundTruth(cfg: ExperimentConfig, f: Pick<Field, 'path' | 'groundTruth'>): boolean {
  const own = f.path.startsWith('train.') && cfg.groundTruthTrain && f.path.slice(6) in cfg.groundTruthTrain;
  return !!f.groundTruth && !own;
}

/**
 * A copy of cfg with one field set from the form: a flag as is, text read by the field's type. Text that is not of
 * that type is kept as it is, so the schema's message names it.
 */
export function setField(cfg: ExperimentConfig, f: Field, raw: string | boolean): ExperimentConfig {
  const c = structuredClone(cfg);
  let value: unknown = raw;
  if (typeof raw === 'string')
    try {
      value = f.read(raw);
    } catch {
      value = raw;
    }
  setAt(c, f.path, value);
  return c;
}

/**
 * Seconds to train the ground truth at this run's measured rate: every child of the space alone, once per
 * ground-truth seed — the training part of the cost per job and instance, times children × seeds.
 */
export function groundTruthSeconds(cfg: ExperimentConfig, cost: Pick<Cost, 'parts'>): number {
  const space = spaceOf(cfg);
  const runs = jobsOf(cfg.sharing, space).length * Math.max(1, cfg.instances);
  // The truth trains with its own schedule (groundTruthTrain): scale by its images against the supernet's.
  const own = (groundTruthSteps(cfg) * groundTruthTrain(cfg).batchSize) / (totalSteps(cfg) * cfg.train.batchSize);
  return (cost.parts.train / runs) * own * space.numChildren * cfg.groundTruthSeeds;
}

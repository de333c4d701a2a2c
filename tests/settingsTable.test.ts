// The settings table is the one source: the form's fields and the readable link parameters are derived from it,
// their bounds are the schema's, and links read exactly as they did before the table.
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { Rng } from '../src/engine/core/rng';
import { DATASET_IDS } from '../src/engine/data/sources';
import { findingById, FINDINGS } from '../src/engine/findings/registry';
import {
  groundTruthKey,
  MAX_NAME,
  MAX_SEED,
  parseConfig,
  stableStringify,
  type ExperimentConfig,
} from '../src/engine/schema/config';
import { preset, SCALE_IDS } from '../src/engine/schema/scales';
import { ORDER_IDS, type OrderMode } from '../src/engine/space/orders';
import { PAPER_OPS } from '../src/engine/space/searchSpace';
import { parseSharing, policyText } from '../src/engine/space/sharing';
import { changesGroundTruth, fields, groundTruthSeconds, setField, type Field } from '../src/lib/settings/fields';
import { decodeReadable, encodeReadable, readableParams, withExperimentQuery } from '../src/lib/settings/links';
import { addSetting, getAt, schemaAt, setAt, SETTINGS, type SettingEntry } from '../src/lib/settings/table';

const field = (path: string) => fields().find((f) => f.path === path)!;
const ok = (schema: unknown, x: unknown) => v.safeParse(schema as v.GenericSchema, x).success;

/** The config with path set to value, if the whole config stays valid. */
function tryWith(cfg: ExperimentConfig, path: string, value: unknown): ExperimentConfig | undefined {
  const c = structuredClone(cfg);
  setAt(c, path, value);
  try {
    return parseConfig(c);
  } catch {
    return undefined;
  }
}

/** Another valid value for an entry (a flag flipped, another option, a bound or a neighbour), with its config. */
function changed(base: ExperimentConfig, s: SettingEntry): { value: unknown; config: ExperimentConfig } {
  const now = getAt(base, s.path);
  const b = s.bounds;
  const candidates: unknown[] =
    s.path === 'sharing'
      ? [parseSharing('none'), parseSharing('groups:4:random'), parseSharing('full')]
      : b.type === 'boolean'
        ? [!now]
        : b.type === 'picklist'
          ? b.options!.filter((o) => o !== now)
          : b.type === 'string'
            ? ['another name']
            : [b.max, b.min, (now as number) + 1, (now as number) - 1, (now as number) / 2].filter((x) => x !== now);
  for (const value of candidates) {
    const config = tryWith(base, s.path, value);
    if (config && stableStringify(config) !== stableStringify(base)) return { value, config };
  }
  throw new Error(`no other valid value for ${s.path}`);
}

describe('the settings table', () => {
  it('every form field and every readable parameter comes from the table, in its order', () => {
    expect(fields().map((f) => f.path)).toEqual(SETTINGS.filter((s) => s.field).map((s) => s.path));
    expect(readableParams()).toEqual(['preset', ...SETTINGS.filter((s) => s.param).map((s) => s.param)]);
    expect(readableParams()).toEqual([
      'preset',
      'instances',
      'seed',
      'order',
      'sharing',
      'epochs',
      'lr',
      'dense',
      'finetune',
    ]);
  });

  it("a field's bounds and options are the schema's: the bound passes the schema, one beyond fails", () => {
    for (const f of fields()) {
      const schema = schemaAt(f.path);
      if (f.kind === 'int' || f.kind === 'number') {
        expect([f.min, f.max].every(Number.isFinite), f.path).toBe(true);
        expect(ok(schema, f.min) && ok(schema, f.max), f.path).toBe(true);
        expect(ok(schema, f.min! - 1) || ok(schema, f.max! + 1), f.path).toBe(false);
        expect(ok(schema, f.min! + 0.5), f.path).toBe(f.kind === 'number');
      } else if (f.kind === 'select') {
        expect(
          f.options!.map((o) => o.value),
          f.path,
        ).toEqual((schema as { options: unknown[] }).options);
        expect(ok(schema, 'not an option'), f.path).toBe(false);
      } else if (f.kind === 'text') {
        expect(ok(schema, 'x'.repeat(f.maxLength!)) && !ok(schema, 'x'.repeat(f.maxLength! + 1))).toBe(true);
      } else expect(ok(schema, true) && ok(schema, false) && !ok(schema, 'yes'), f.path).toBe(true);
    }
    // Where the old form typed narrower numbers, the schema's stand.
    expect(field('instances')).toMatchObject({ min: 1, max: 100 });
    expect(field('seed')).toMatchObject({ min: 0, max: MAX_SEED });
    expect(field('name').maxLength).toBe(MAX_NAME);
    expect(field('train.order').options!.map((o) => o.value)).toEqual(ORDER_IDS);
    expect(field('data.source').options!.map((o) => o.value)).toEqual(DATASET_IDS);
    expect(field('vary').options).toEqual([
      { value: 'seed', label: 'seed' },
      { value: 'order', label: 'child order' },
      { value: 'all', label: 'both' },
    ]);
    expect(field('model.inputSize').options!.map((o) => o.label)).toEqual(['8×8', '16×16', '32×32']);
  });

  it('every readable parameter round-trips: value → text → value, and config → link → config', () => {
    const base = preset('tiny');
    for (const s of SETTINGS.filter((x) => x.param)) {
      const { value, config } = changed(base, s);
      expect(s.read(s.write(value), s.param!), s.path).toEqual(value);
      const q = encodeReadable(config, 'tiny');
      expect(q, s.path).toBe(`?preset=tiny&${s.param}=${encodeURIComponent(s.write(value))}`);
      expect(decodeReadable(q!), s.path).toEqual({ kind: 'ok', config });
    }
  });

  it('the form reads its text by the schema’s type; text of another type reaches the schema as it is', () => {
    const c = preset('tiny');
    expect(setField(c, field('model.inputSize'), '16').model.inputSize).toBe(16);
    expect(setField(c, field('train.lr'), '0.25').train.lr).toBe(0.25);
    expect(setField(c, field('data.augment'), true).data.augment).toBe(true);
    expect(() => parseConfig(setField(c, field('seed'), ''))).toThrow(/seed must be a number/);
  });

  it('the ◆ ground-truth mark is set exactly on the fields that change the ground truth’s key', () => {
    // A config whose truth trains as its supernet does, and one whose truth trains its own epochs and BN momentum.
    const plain = preset('tiny');
    delete plain.groundTruthTrain;
    const own = { ...structuredClone(plain), groundTruthTrain: { bnMomentum: 0.4, epochs: 8 } };
    for (const base of [plain, own])
      for (const f of fields()) {
        const s = SETTINGS.find((x) => x.path === f.path)!;
        const { config } = changed(base, s);
        const moved = stableStringify(groundTruthKey(config)) !== stableStringify(groundTruthKey(base));
        expect(changesGroundTruth(base, f), f.path).toBe(moved);
      }
    expect(changesGroundTruth(own, field('train.epochs'))).toBe(false);
    expect(changesGroundTruth(plain, field('train.epochs'))).toBe(true);
  });

  it('an entry added at run time joins the form and the links, with the schema’s bounds', () => {
    expect(() => addSetting({ path: 'train.nope' })).toThrow(/no field train.nope/);
    expect(() => addSetting({ path: 'seed', param: 'seed' })).toThrow(/taken/);
    const e = addSetting({
      path: 'groundTruthSeeds',
      param: 'gtseeds',
      field: { label: 'Ground-truth seeds', help: 'stand-alone runs per child', group: 'run' },
    });
    try {
      expect(fields().at(-1)).toMatchObject({ path: 'groundTruthSeeds', kind: 'int', min: 1, max: 20 } as Field);
      expect(readableParams().at(-1)).toBe('gtseeds');
      const c = parseConfig({ ...preset('tiny'), groundTruthSeeds: 3 });
      expect(encodeReadable(c, 'tiny')).toBe('?preset=tiny&gtseeds=3');
      expect(decodeReadable('?preset=tiny&gtseeds=3')).toEqual({ kind: 'ok', config: c });
      expect(decodeReadable('?preset=tiny&gtseeds=21')).toMatchObject({ kind: 'ok', ignored: /gtseeds/ });
      // Decimal only: hex, binary and blank values are not numbers here (Number() reads them all).
      for (const v of ['0x3', '0b11', ' ', '3abc', 'Infinity'])
        expect(decodeReadable(`?preset=tiny&gtseeds=${encodeURIComponent(v)}`), v).toMatchObject({
          ignored: /gtseeds/,
        });
      expect(decodeReadable('?preset=tiny&seed=0x10')).toMatchObject({ kind: 'ok', ignored: /seed/ });
      expect(decodeReadable('?preset=tiny&lr=1e-2')).toMatchObject({ kind: 'ok' });
      expect(withExperimentQuery('?preset=tiny&gtseeds=3&mode=class', undefined)).toBe('?mode=class');
    } finally {
      SETTINGS.splice(SETTINGS.indexOf(e), 1);
    }
    expect(readableParams()).not.toContain('gtseeds');
  });

  it('prices the ground truth by the space’s children and the run’s jobs, not a fixed 64', () => {
    const cost = { parts: { train: 100, evaluate: 0, finetune: 0, groundTruth: 0 } };
    const tiny = parseConfig({
      ...preset('tiny'),
      instances: 1,
      sharing: { kind: 'full' },
      groundTruthTrain: undefined,
    });
    expect(groundTruthSeconds(tiny, cost)).toBe(100 * 64 * tiny.groundTruthSeeds);
    const three = parseConfig({ ...tiny, space: { ops: PAPER_OPS.slice(0, 3) } });
    expect(groundTruthSeconds(three, cost)).toBe(100 * 27 * tiny.groundTruthSeeds);
    // Two instances of four groups: the training part holds 8 runs of a 16-child job.
    const groups = parseConfig({ ...tiny, instances: 2, sharing: parseSharing('groups:4:similarity') });
    expect(groundTruthSeconds(groups, cost)).toBe((100 / 8) * 64 * tiny.groundTruthSeeds);
    // A truth trained twice the supernet's epochs (the classroom's: 8 against 4) costs twice.
    const twice = parseConfig({ ...tiny, groundTruthTrain: { epochs: 2 * tiny.train.epochs } });
    expect(groundTruthSeconds(twice, cost)).toBe(2 * 100 * 64 * tiny.groundTruthSeeds);
  });
});

const basePresetKnown = (id: string) => FINDINGS.some((g) => g.id === id) || (SCALE_IDS as string[]).includes(id);

/** The readable-link reader as it was before the table (a frozen copy), to check that links read the same. */
function oldDecodeReadable(search: string): ExperimentConfig | 'error' | 'none' {
  const q = new URLSearchParams(search);
  const id = q.get('preset');
  if (id === null) return 'none';
  const g = findingById(id);
  const base = g ? structuredClone(g.config) : (SCALE_IDS as string[]).includes(id) ? preset(id) : undefined;
  if (!base) return 'error';
  try {
    const c = structuredClone(base);
    const num = (k: string) => {
      const s = q.get(k)!;
      const n = Number(s);
      if (!s.trim() || !Number.isFinite(n)) throw new Error(`${k}=${s.slice(0, 20)} is not a number`);
      return n;
    };
    if (q.has('instances')) c.instances = num('instances');
    if (q.has('seed')) c.seed = num('seed');
    if (q.has('order')) {
      const o = q.get('order')!;
      if (!(ORDER_IDS as string[]).includes(o)) throw new Error(`order must be one of ${ORDER_IDS.join(', ')}`);
      c.train.order = o as OrderMode;
    }
    if (q.has('sharing')) c.sharing = parseSharing(q.get('sharing')!);
    if (q.has('epochs')) c.train.epochs = num('epochs');
    if (q.has('lr')) c.train.lr = num('lr');
    if (q.has('finetune')) c.finetune.steps = num('finetune');
    if (q.has('dense')) c.eval.denseSteps = num('dense');
    return parseConfig(c);
  } catch {
    return 'error';
  }
}

describe('links read as before the table', () => {
  it('1,000 seeded readable links: the same config; where the old reader refused, the preset and a message', () => {
    const presets = [...FINDINGS.map((g) => g.id), ...SCALE_IDS, 'nope'];
    const values: Record<string, string[]> = {
      instances: ['1', '2', '5', '20', '21', '100', '101', '0', '2.5', 'x', '', ' 3 '],
      seed: ['0', '3', '1000000', '1000001', String(MAX_SEED), String(MAX_SEED + 1), '-1', '1e3', 'NaN'],
      order: [...ORDER_IDS, 'random', ''],
      sharing: ['full', 'none', 'groups:4:similarity', 'groups:16:random', 'groups:5', 'prefix:1', 'prefix:9', 'x'],
      epochs: ['1', '2', '4', '200', '201', '10000', '0', 'Infinity'],
      lr: ['0', '0.05', '0.1', '1', '2', '-0.1', 'abc'],
      finetune: ['0', '8', '64', '65', '10000', '-1'],
      dense: ['0', '8', '128', '512', '513', '100000'],
      other: ['1'],
    };
    const rng = Rng.from(20261128, 'readable');
    let same = 0;
    for (let i = 0; i < 1000; i++) {
      const q = new URLSearchParams({ preset: presets[rng.int(presets.length)] });
      for (const k of Object.keys(values)) if (rng.int(3) === 0) q.set(k, values[k][rng.int(values[k].length)]);
      const search = `?${q.toString()}`;
      const was = oldDecodeReadable(search);
      const now = decodeReadable(search);
      // An unknown preset is still refused; a bad setting of a known one is left out, and the message says so.
      if (was === 'none') expect(now.kind, search).toBe(was);
      else if (was === 'error')
        expect(now, search).toMatchObject(
          basePresetKnown(q.get('preset')!) ? { kind: 'ok', ignored: expect.any(String) } : { kind: 'error' },
        );
      else expect(now, search).toEqual({ kind: 'ok', config: was });
      if (now.kind === 'ok') {
        same++;
        const back = encodeReadable(now.config, q.get('preset')!);
        expect(back && decodeReadable(back), search).toEqual({ kind: 'ok', config: now.config });
      }
    }
    expect(same).toBeGreaterThan(100);
  });

  it('the written query holds the same parameters as before (the sharing text included)', () => {
    const g = findingById('interference')!;
    const c = structuredClone(g.config);
    c.instances = 4;
    c.train.order = 'shuffle-period';
    c.sharing = parseSharing('groups:4:similarity');
    expect(encodeReadable(c, g.id)).toBe(
      `?preset=interference&instances=4&order=shuffle-period&sharing=${encodeURIComponent(policyText(c.sharing))}`,
    );
  });
});

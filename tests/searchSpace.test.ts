// The search space and everything derived from the op table: names, counts, slots, the forward pass.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { parseConfig, type ExperimentConfig } from '../src/engine/schema/config';
import { forward } from '../src/engine/model/forward';
import { OP_TABLE } from '../src/engine/space/ops';
import { preset } from '../src/engine/schema/scales';
import { PAPER_SPACE, searchSpace } from '../src/engine/space/searchSpace';
import { buildSlots, childParamCount, supernetParamCount } from '../src/engine/model/slots';
import { WeightStore } from '../src/engine/model/weightStore';
import { useBackend } from '../src/node/backends';
import { microConfig } from './helpers';

describe('search space', () => {
  it('names 64 children lexicographically, 111 = 0 and 444 = 63', () => {
    const s = PAPER_SPACE;
    expect(s.names).toHaveLength(64);
    expect(s.name(0)).toBe('111');
    expect(s.name(63)).toBe('444');
    expect(s.index('434')).toBe(3 * 16 + 2 * 4 + 3);
    for (let i = 0; i < 64; i++) expect(s.index(s.name(i))).toBe(i);
    expect(s.arch(s.index('231'))).toEqual([1, 2, 0]);
    expect(() => s.index('151')).toThrow(/3 digits 1-4/);
  });

  it('has the paper-scale parameter counts (supernet 58,074; 111: 24,858; 333: 40,602; 434: 35,354)', () => {
    const m = preset('paper').model;
    const s = PAPER_SPACE;
    expect(supernetParamCount(m, s, 10)).toBe(58074);
    expect(childParamCount(m, s, 10, s.arch(s.index('111')))).toBe(24858);
    expect(childParamCount(m, s, 10, s.arch(s.index('333')))).toBe(40602);
    expect(childParamCount(m, s, 10, s.arch(s.index('434')))).toBe(35354);
  });

  it('similarity is the fraction of equal edges', () => {
    const s = PAPER_SPACE;
    expect(s.similarity(s.index('123'), s.index('123'))).toBe(1);
    expect(s.similarity(s.index('123'), s.index('124'))).toBeCloseTo(2 / 3);
    expect(s.similarity(s.index('111'), s.index('222'))).toBe(0);
  });

  it('a space of 3 or 5 ops: child count, names, slots and a forward pass follow from the op list', async () => {
    await useBackend('cpu');
    for (const ops of [
      ['max_pool_3x3', 'sep_conv_3x3', 'dil_conv_5x5'],
      ['max_pool_3x3', 'sep_conv_3x3', 'sep_conv_5x5', 'dil_conv_5x5', 'skip_connect'],
    ]) {
      const s = searchSpace(ops);
      expect(s.numOps).toBe(ops.length);
      expect(s.numChildren).toBe(ops.length ** 3);
      expect(s.names[0]).toBe('111');
      expect(s.names[s.numChildren - 1]).toBe(`${ops.length}`.repeat(3));
      expect(new Set(s.names).size).toBe(s.numChildren);
      const cfg: ExperimentConfig = parseConfig({ ...microConfig(), space: { ops } });
      const slots = buildSlots(cfg.model, s, 10);
      // Every op of the space has its slots on every edge of every cell (skip_connect has none).
      for (let o = 0; o < s.numOps; o++)
        expect(slots.filter((x) => x.op === o).length).toBe(
          OP_TABLE[ops[o] as keyof typeof OP_TABLE].slots(4).length * 3 * cfg.model.numCells,
        );
      const store = new WeightStore(cfg, 0);
      const last = s.numChildren - 1;
      const logits = tf.tidy(() =>
        forward(
          { w: store.resolver(last), training: false },
          tf.ones([2, 8, 8, 3]),
          s,
          s.arch(last),
          cfg.model,
        ).arraySync(),
      );
      expect(logits).toHaveLength(2);
      expect(logits[0]).toHaveLength(10);
      expect(logits.flat().every(Number.isFinite)).toBe(true);
      store.dispose();
    }
  });

  it('the ground-truth key includes the search space', async () => {
    const { groundTruthKey, configHash } = await import('../src/engine/schema/config');
    const a = microConfig();
    const b = parseConfig({ ...a, space: { ops: ['max_pool_3x3', 'sep_conv_3x3', 'sep_conv_5x5', 'skip_connect'] } });
    expect(configHash(groundTruthKey(a))).not.toBe(configHash(groundTruthKey(b)));
  });

  it('a fixed stem is part of the ground-truth key; a learned one, written or not, is one config', async () => {
    const { groundTruthKey, configHash } = await import('../src/engine/schema/config');
    const a = parseConfig(microConfig());
    const written = parseConfig({ ...a, model: { ...a.model, fixedStem: false } });
    const fixed = parseConfig({ ...a, model: { ...a.model, fixedStem: true } });
    expect(written).toEqual(a);
    expect(configHash(written)).toBe(configHash(a));
    expect(configHash(groundTruthKey(fixed))).not.toBe(configHash(groundTruthKey(a)));
    expect(() => parseConfig({ ...a, model: { ...a.model, fixedStem: 'yes' } })).toThrow(/model.fixedStem/);
  });
});

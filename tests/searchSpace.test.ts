import { describe, expect, it } from 'vitest';
import { preset } from '../src/engine/config';
import { archSimilarity, CHILD_NAMES, childArch, childIndex, childName } from '../src/engine/searchSpace';
import { childParamCount, supernetParamCount } from '../src/engine/slots';

describe('search space', () => {
  it('names 64 children lexicographically, 111 = 0 and 444 = 63', () => {
    expect(CHILD_NAMES).toHaveLength(64);
    expect(childName(0)).toBe('111');
    expect(childName(63)).toBe('444');
    expect(childIndex('434')).toBe(3 * 16 + 2 * 4 + 3);
    for (let i = 0; i < 64; i++) expect(childIndex(childName(i))).toBe(i);
    expect(childArch(childIndex('231'))).toEqual([1, 2, 0]);
    expect(() => childIndex('151')).toThrow(/three digits/);
  });

  it('has the paper-scale parameter counts (supernet 58,074; 111: 24,858; 333: 40,602; 434: 35,354)', () => {
    const m = preset('paper').model;
    expect(supernetParamCount(m)).toBe(58074);
    expect(childParamCount(m, childArch(childIndex('111')))).toBe(24858);
    expect(childParamCount(m, childArch(childIndex('333')))).toBe(40602);
    expect(childParamCount(m, childArch(childIndex('434')))).toBe(35354);
  });

  it('similarity is the fraction of equal edges', () => {
    expect(archSimilarity(childIndex('123'), childIndex('123'))).toBe(1);
    expect(archSimilarity(childIndex('123'), childIndex('124'))).toBeCloseTo(2 / 3);
    expect(archSimilarity(childIndex('111'), childIndex('222'))).toBe(0);
  });
});

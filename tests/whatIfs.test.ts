// The what-ifs the gallery records for each card: one change from the card's experiment each (order, sharing or
// seed), all valid, none a duplicate, and all keeping the card's ground truth.
import { describe, expect, it } from 'vitest';
import { FINDINGS, galleryConfigs } from '../src/engine/findings/registry';
import { whatIfConfigs, whatIfsOf } from '../src/engine/findings/whatIfs';
import { experimentHash, groundTruthKey, parseConfig, type ExperimentConfig } from '../src/engine/schema/config';

/** The top-level parts of the supernet that differ: train.order, sharing, seed. */
function changed(a: ExperimentConfig, b: ExperimentConfig): string[] {
  const out: string[] = [];
  if (a.train.order !== b.train.order) out.push('order');
  if (JSON.stringify(a.sharing) !== JSON.stringify(b.sharing)) out.push('sharing');
  if (a.seed !== b.seed) out.push('seed');
  const rest = (c: ExperimentConfig) =>
    JSON.stringify({ ...c, name: '', seed: 0, sharing: null, train: { ...c.train, order: '' } });
  if (rest(a) !== rest(b)) out.push('other');
  return out;
}

describe('what-ifs', () => {
  it('each card: other orders, five sharing degrees and seeds 1-4, one change each, the truth kept', () => {
    for (const g of FINDINGS) {
      const ws = whatIfsOf(g);
      for (const w of ws) {
        expect(() => parseConfig(w), w.name).not.toThrow();
        expect(changed(g.config, w), w.name).toHaveLength(1);
        expect(groundTruthKey(w), w.name).toEqual(groundTruthKey(g.config));
      }
      const kinds = ws.map((w) => changed(g.config, w)[0]);
      expect(kinds.filter((k) => k === 'order').length).toBe(2);
      expect(kinds.filter((k) => k === 'seed').length).toBe(4);
      expect(kinds.filter((k) => k === 'sharing').length).toBe(4); // five degrees, one of them the card's own
      expect(new Set(ws.map(experimentHash)).size).toBe(ws.length);
    }
  });
  it('the gallery adds only what it does not record already', () => {
    const gallery = new Set(galleryConfigs().map(experimentHash));
    const extra = whatIfConfigs();
    expect(extra.every((c) => !gallery.has(experimentHash(c)))).toBe(true);
    expect(new Set(extra.map(experimentHash)).size).toBe(extra.length);
    console.log(`what-ifs to record beyond the gallery: ${extra.length}`);
  });
});

// The visit's run list: labels say what a run changes, the list keeps each run once, and compared runs travel in
// the address and come back as the same experiments.
import { describe, expect, it } from 'vitest';
import { experimentHash } from '../src/engine/schema/config';
import { findingById } from '../src/engine/findings/registry';
import { decodeReadable } from '../src/lib/settings/links';
import {
  compareParams,
  comparedQueries,
  differences,
  MAX_VISIT_RUNS,
  runLabel,
  visitKey,
  withRun,
} from '../src/lib/session/visitRuns';
import { fakeRecord } from './fixtures';

const base = () => structuredClone(findingById('interference')!.config);

describe('runs of a visit', () => {
  it('names what a run changes, in the settings’ words', () => {
    const a = base();
    const b = structuredClone(a);
    b.train.order = 'shuffle-period';
    b.seed = 3;
    b.name = 'renamed'; // not a setting: no difference
    expect(differences(b, a)).toMatch(/^seed: 3 · order: .+$/);
    expect(differences(a, a)).toBe('the same settings');
    b.sharing = { kind: 'groups', m: 4, partition: 'random', partitionSeed: 42 };
    // The policy in the card’s words, not its link text (groups:4:random).
    expect(differences(b, a)).toMatch(/sharing: groups m=4 \(random\)/);
  });

  it('a run of another finding’s tab says which; one of this tab (its what-ifs included) does not', () => {
    const here = base();
    const other = fakeRecord({ config: { ...findingById('best-varies')!.config } });
    expect(runLabel({ ...other, source: 'recorded' }, here)).toMatch(/^The best child varies: .* \(recorded\)$/);
    const whatIf = fakeRecord({ config: { ...here, name: 'interference-whatif-seed-3', seed: 3 } });
    expect(runLabel(whatIf, here)).toBe('seed: 3 (run here)');
  });

  it('keeps each run once, the newest last, at most MAX_VISIT_RUNS, and only complete ones', () => {
    const recs = Array.from({ length: MAX_VISIT_RUNS + 3 }, (_, i) => {
      const r = fakeRecord();
      r.config.seed = i;
      return r;
    });
    let list = recs.reduce(withRun, []);
    expect(list).toHaveLength(MAX_VISIT_RUNS);
    expect(list.at(-1)).toBe(recs.at(-1));
    list = withRun(list, recs[5]);
    expect(list.filter((r) => visitKey(r) === visitKey(recs[5]))).toHaveLength(1);
    expect(list.at(-1)).toBe(recs[5]);
    const partial = { ...fakeRecord(), status: 'partial' as const };
    expect(withRun(list, partial)).toBe(list);
  });

  it('compared runs go into the address and come back as the same experiments', () => {
    const a = base();
    const b = structuredClone(a);
    b.train.order = 'shuffle-period';
    const recs = [a, b].map((config) => ({ ...fakeRecord(), config }));
    const params = compareParams(recs, 'interference');
    expect(params).toEqual(['preset', 'order=shuffle-period']);
    const search = `?preset=interference&${params.map((p) => `compare=${encodeURIComponent(p)}`).join('&')}`;
    const back = comparedQueries(search, 'interference').map((q) => decodeReadable(q));
    expect(back.map((l) => (l.kind === 'ok' ? experimentHash(l.config) : l.kind))).toEqual([a, b].map(experimentHash));
  });
});

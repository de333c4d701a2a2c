// The findings report as data for the page: written from results, read back only when well formed, and shown
// only beside the exact config it was made from.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configHash } from '../src/engine/schema/config';
import { findingFour } from '../src/engine/findings/lessSharing';
import { findingsSummary, parseFindingsSummary, summaryFor } from '../src/engine/findings/summary';
import { FINDINGS } from '../src/engine/findings/registry';
import { fakeRecord } from './fixtures';

describe('findings summary', () => {
  const full = fakeRecord();
  const result = findingFour([
    { label: 'full', rec: full },
    { label: 'prefix k=0', rec: full },
  ]);
  const s = findingsSummary([{ result, configHashes: ['aaaa', 'bbbb'] }], { instances: 5, data: 'test' });

  it('round-trips through JSON and is found by any config it was made from', () => {
    const back = parseFindingsSummary(JSON.parse(JSON.stringify(s)));
    expect(back).toEqual(JSON.parse(JSON.stringify(s)));
    const found = summaryFor(back, 'less-sharing', 'bbbb');
    expect(found?.instances).toBe(5);
    expect(found?.rows[1]).toMatchObject({ statistic: result.rows[1].statistic, holds: false });
    expect(found?.rows[0].reference).toBe(true);
    expect(found?.verdict).toBe(result.verdict);
  });
  it('is not shown for another config or another finding, and a malformed file is refused', () => {
    expect(summaryFor(s, 'less-sharing', 'cccc')).toBeUndefined();
    expect(summaryFor(s, 'interference', 'aaaa')).toBeUndefined();
    expect(parseFindingsSummary({ ...s, kind: 'run' })).toBeUndefined();
    expect(parseFindingsSummary({ ...s, instances: 'five' })).toBeUndefined();
    expect(parseFindingsSummary(null)).toBeUndefined();
  });
  it('the shipped summary covers every gallery preset as configured now', () => {
    const shipped = parseFindingsSummary(JSON.parse(readFileSync('public/findings.json', 'utf8')));
    expect(shipped).toBeDefined();
    for (const g of FINDINGS) expect(summaryFor(shipped, g.id, configHash(g.config)), g.id).toBeDefined();
  });
});

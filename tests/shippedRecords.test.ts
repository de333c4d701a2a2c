// Every run record shipped with the page (public/runs/) is valid as the app reads it — a record the
// app cannot read is dropped silently on the page, as the paper's trace once was after a schema change.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configHash, experimentHash } from '../src/engine/schema/config';
import { lagKendall, lagSharpness } from '../src/engine/findings/statistics';
import { PAPER } from '../src/engine/findings/verdicts';
import { galleryConfigs } from '../src/engine/findings/registry';
import { validateRecord } from '../src/engine/schema/readRecord';
import { denseRows } from '../src/engine/schema/summary';

const files = readdirSync('public/runs').filter((f) => f.endsWith('.json'));

describe('shipped run records', () => {
  for (const f of files)
    it(`${f} is a valid record`, () => {
      const r = validateRecord(JSON.parse(readFileSync(`public/runs/${f}`, 'utf8')));
      // Stored by what the experiment is (its name left out), and its configHash true to its config.
      expect(r.configHash).toBe(configHash(r.config));
      if (f !== 'paper-trace.json') expect(f).toBe(`${experimentHash(r.config)}.json`);
      else expect(r.source).toBe('published');
    });

  it('every gallery preset and contrast has its recording', () => {
    const want = galleryConfigs();
    for (const c of want) expect(files, c.name).toContain(`${experimentHash(c)}.json`);
  });

  it("the paper's lag figures quoted by finding 3 are those of the shipped trace", () => {
    const trace = validateRecord(JSON.parse(readFileSync('public/runs/paper-trace.json', 'utf8')));
    const rows = denseRows(trace.instances[0]);
    expect(lagKendall(rows, 64)).toBeCloseTo(PAPER.lag64, 3);
    expect(lagKendall(rows, 32)).toBeCloseTo(PAPER.lag32, 3);
    expect(lagKendall(rows, 1)).toBeCloseTo(PAPER.lag1, 3);
    expect(lagSharpness(trace.instances[0], 64)).toBeCloseTo(PAPER.sharpness, 2);
  });
});

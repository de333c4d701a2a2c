// Every child is readable on the page's white, the worst ones (finding 2's subject) included; and a long dense
// record (the CLI writes 2,000 points) draws without spreading its values into Math.min/max; exports say what and
// which run, and classroom mode hides them.
import { rgb } from 'd3';
import { render } from 'svelte/server';
import { describe, expect, it } from 'vitest';
import { describeTraces, traces } from '../src/lib/charts/chartData';
import { rankColour } from '../src/lib/charts/chartKit';
import Charts from '../src/lib/charts/Charts.svelte';
import DenseTraces from '../src/lib/charts/DenseTraces.svelte';
import { exportName } from '../src/lib/charts/registry';
import { fakeRecord } from './fixtures';

/** WCAG contrast ratio of a colour against white. */
function contrastOnWhite(c: string): number {
  const lin = (v: number) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
  const { r, g, b } = rgb(c);
  return 1.05 / (0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b) + 0.05);
}

describe('child colours and long records', () => {
  it('every child of 64 (and of 27 and 512) is at least 3:1 on white', () => {
    for (const n of [27, 64, 512]) {
      const worst = Math.min(...Array.from({ length: n }, (_, k) => contrastOnWhite(rankColour(k + 1, n))));
      expect(worst, `${n} children`).toBeGreaterThanOrEqual(3);
    }
    expect(contrastOnWhite('#ffffff')).toBeCloseTo(1, 6); // the check itself
  });
  it('a record with 2,000 dense points is described and drawn', () => {
    const rec = fakeRecord({ instances: 1 });
    const inst = rec.instances[0];
    inst.points = Array.from({ length: 2000 }, (_, k) => ({
      step: k + 1,
      epoch: 1,
      epochEnd: k === 1999,
      dense: true,
    }));
    inst.accuracy = inst.points.map((_, k) => Array.from({ length: 64 }, (_, c) => 0.3 + ((c * 7 + k) % 50) / 100));
    const t = traces(rec)!;
    expect(describeTraces(rec, t)).toMatch(/from 30\.0% to 79\.0%/);
    expect(render(DenseTraces, { props: { record: rec, width: 560, onhover: () => undefined } }).body).toMatch(/<svg/);
  });
  it('exports are named by run, hash, source and chart, and are hidden when asked', () => {
    const rec = fakeRecord();
    rec.config.name = 'my run: 2/3';
    expect(exportName(rec, 'lag')).toBe(`my-run-2-3-${rec.configHash.slice(0, 8)}-live-lag`);
    const props = { record: rec, charts: ['tau'], contrasts: [], published: undefined, runs: [], all: false };
    expect(render(Charts, { props }).body).toMatch(/aria-label="Download “Agreement over epochs/);
    expect(render(Charts, { props: { ...props, exports: false } }).body).not.toMatch(/Download/);
  });
});

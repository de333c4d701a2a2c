// Every chart rendered (server-side, Svelte's own renderer) from a fixed record and compared with a
// committed SVG, the observablehq/plot way: on a difference the new rendering is written beside the
// old as <name>-changed.svg, to look at and to copy over the old one when the change is intended.
import { existsSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { render } from 'svelte/server';
import { describe, expect, it } from 'vitest';
import { lagCurve, PAPER_TABLE3, sharingPoints } from '../src/lib/charts/chartData';
import BestPicks from '../src/lib/charts/BestPicks.svelte';
import DenseTraces from '../src/lib/charts/DenseTraces.svelte';
import FinetuneChart from '../src/lib/charts/FinetuneChart.svelte';
import LagChart from '../src/lib/charts/LagChart.svelte';
import RankSpread from '../src/lib/charts/RankSpread.svelte';
import SharingChart from '../src/lib/charts/SharingChart.svelte';
import TauChart from '../src/lib/charts/TauChart.svelte';
import { findingOne } from '../src/engine/findings/report';
import { findingsSummary } from '../src/engine/findings/summary';
import FindingCard from '../src/lib/findings/FindingCard.svelte';
import { GALLERY } from '../src/lib/findings/cards';
import { fakeRecord } from './fixtures';

const rec = fakeRecord({ instances: 3, finetune: 3 });
// A longer dense window so the lag curve has points.
const dense = structuredClone(rec);
for (const inst of dense.instances) {
  inst.points = Array.from({ length: 40 }, (_, k) => ({ step: k + 1, epoch: 1, epochEnd: k === 39, dense: true }));
  inst.accuracy = inst.points.map((_, k) => rec.instances[0].accuracy[0].map((v, c) => v + (((c + k) % 7) - 3) / 200));
}
const onhover = () => undefined;

const views: [string, () => string][] = [
  ['traces', () => render(DenseTraces, { props: { record: rec, width: 560, onhover } }).body],
  ['tau', () => render(TauChart, { props: { record: rec, width: 560 } }).body],
  ['spread', () => render(RankSpread, { props: { record: rec, width: 560, onhover } }).body],
  ['best', () => render(BestPicks, { props: { record: rec, width: 560, onhover } }).body],
  ['finetune', () => render(FinetuneChart, { props: { record: rec, width: 560 } }).body],
  [
    'lag',
    () => render(LagChart, { props: { series: [lagCurve(dense, 'fixture', 'ours')!], period: 16, width: 560 } }).body,
  ],
  [
    'sharing',
    () =>
      render(SharingChart, { props: { points: [...PAPER_TABLE3, ...sharingPoints([rec], 'ours', 64)], width: 560 } })
        .body,
  ],
];

/** Svelte's hydration comments and generated ids are not part of what a chart shows. */
const normalise = (html: string) =>
  html
    .replace(/<!--[^>]*-->/g, '')
    .replace(/tip-[a-z0-9]+/g, 'tip-x')
    .replace(/\s+/g, ' ') // source line breaks inside text collapse when rendered
    .replace(/> </g, '>\n<')
    .trim() + '\n';

describe('the finding card', () => {
  const preset = GALLERY.find((g) => g.id === 'best-varies')!;
  const card = (record: ReturnType<typeof fakeRecord>) =>
    render(FindingCard, { props: { preset, record, contrasts: [], comparison: undefined, recorded: false } }).body;
  it('judges a live run on its finished instances only, and says so while none has finished', () => {
    const live = { ...fakeRecord({ instances: 3 }), source: 'run' as const };
    live.instances = live.instances.map((i) => ({ ...i, status: 'partial' as const }));
    const html = card(live);
    expect(html).toMatch(/appear when its first instance finishes/);
    expect(html).not.toMatch(/data-testid="verdict"/);
    live.instances[0] = { ...live.instances[0], status: 'complete' };
    expect(card(live)).toMatch(/data-testid="verdict"/);
    expect(card(live)).toMatch(/\(n=1\)/); // one finished instance of three
  });
  it('shows the findings report over several instances beside the run, row by row', () => {
    const record = fakeRecord({ instances: 3 });
    const mine = findingOne(record);
    const summary = {
      ...findingsSummary([{ result: mine, configHashes: ['x'] }], { instances: 5, data: 't' }).results[0],
      instances: 5,
    };
    summary.rows[0] = { ...summary.rows[0], ours: '0.432 ± 0.068 (n=5)', holds: true };
    const html = render(FindingCard, {
      props: { preset, record, contrasts: [], comparison: undefined, recorded: true, summary },
    }).body;
    expect(html).toMatch(/over 5 instances: 0\.432 ± 0\.068 \(n=5\) \(holds\)/);
    expect(html).toMatch(/Over 5 instances<\/b> \(the findings report/);
  });
});

describe('views render as committed', () => {
  for (const [name, draw] of views)
    it(name, () => {
      const path = `tests/snapshots/${name}.svg`;
      const changed = `tests/snapshots/${name}-changed.svg`;
      const got = normalise(draw());
      expect(got).toMatch(/<svg/);
      if (!existsSync(path)) writeFileSync(path, got);
      const want = readFileSync(path, 'utf8');
      if (got !== want) writeFileSync(changed, got);
      else if (existsSync(changed)) unlinkSync(changed);
      expect(got === want, `${name} differs from ${path}: see ${changed}`).toBe(true);
    });
});

// Every chart rendered (server-side, Svelte's own renderer) from a fixed record and compared with a
// committed SVG, the observablehq/plot way (see checkSnapshot).
import { existsSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
import { findingOne } from '../src/engine/findings/bestVaries';
import { verdictTally } from '../src/engine/findings/verdicts';
import { findingsSummary } from '../src/engine/findings/summary';
import FindingCard from '../src/lib/findings/FindingCard.svelte';
import { findingById } from '../src/engine/findings/registry';
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
  const preset = findingById('best-varies')!;
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
    // The report's value as a number beside the run's, without a second yes/no; its count in the one verdict line.
    expect(html).toMatch(/over 5 instances: 0\.432 ± 0\.068 \(n=5\)\s*<\/span>/);
    const tally = verdictTally(summary.rows);
    expect(html).toMatch(new RegExp(`${tally.held} of ${tally.judged} over the 5 recorded instances`));
    expect(html).toMatch(/data-testid="verdict-line"/);
    expect(html).not.toMatch(/summary-verdict/);
  });
});

/** Whether the env var CI is on (CI=true, as CI services set it; CI=0 or CI=false is off). */
const inCI = (ci: string | undefined) => !!ci && !/^(0|false)$/i.test(ci);

/**
 * Compares a rendering with its snapshot `<dir>/<name>.svg`; returns why it fails, or undefined.
 * - Changed: fails, and writes the rendering as `<name>-changed.svg` beside it, to look at and to copy over the
 *   snapshot when the change is intended.
 * - Missing, in CI: fails (a snapshot test must not pass by writing its own snapshot), and writes the rendering as
 *   `<name>-new.svg`, to review and commit as `<name>.svg`.
 * - Missing, outside CI: writes `<name>.svg` (a developer creating it) and says so.
 * Both `-changed` and `-new` files are ignored by git and removed once the snapshot matches.
 */
function checkSnapshot(dir: string, name: string, got: string, ci = inCI(process.env.CI)): string | undefined {
  const path = join(dir, `${name}.svg`);
  const changed = join(dir, `${name}-changed.svg`);
  const fresh = join(dir, `${name}-new.svg`);
  if (!existsSync(path)) {
    if (ci) {
      writeFileSync(fresh, got);
      return `${path} is missing (CI): the rendering is in ${fresh}; review it and commit it as ${path}`;
    }
    writeFileSync(path, got);
    console.warn(`${path} was missing: written from this rendering; review it and commit it`);
  }
  const want = readFileSync(path, 'utf8');
  for (const stale of [changed, fresh]) if (existsSync(stale)) unlinkSync(stale);
  if (got === want) return undefined;
  writeFileSync(changed, got);
  return `${name} differs from ${path}: see ${changed}`;
}

describe('views render as committed', () => {
  for (const [name, draw] of views)
    it(name, () => {
      const got = normalise(draw());
      expect(got).toMatch(/<svg/);
      expect(checkSnapshot('tests/snapshots', name, got)).toBeUndefined();
    });
});

describe('the snapshot check', () => {
  const inTemp = (f: (dir: string) => void) => {
    const dir = mkdtempSync(join(tmpdir(), 'views-'));
    try {
      f(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  it('fails on a missing snapshot in CI, writing the rendering beside it as <name>-new.svg', () =>
    inTemp((dir) => {
      expect(checkSnapshot(dir, 'x', '<svg/>\n', true)).toMatch(/x\.svg is missing \(CI\)/);
      expect(existsSync(join(dir, 'x.svg'))).toBe(false);
      expect(readFileSync(join(dir, 'x-new.svg'), 'utf8')).toBe('<svg/>\n');
      expect(checkSnapshot(dir, 'x', '<svg/>\n', true)).toBeDefined(); // and again: the -new file is no snapshot
    }));
  it('fails on a changed snapshot, writing <name>-changed.svg, and passes once they match', () =>
    inTemp((dir) => {
      writeFileSync(join(dir, 'x.svg'), '<svg/>\n');
      expect(checkSnapshot(dir, 'x', '<svg></svg>\n', true)).toMatch(/differs/);
      expect(readFileSync(join(dir, 'x-changed.svg'), 'utf8')).toBe('<svg></svg>\n');
      expect(checkSnapshot(dir, 'x', '<svg/>\n', true)).toBeUndefined();
      expect(existsSync(join(dir, 'x-changed.svg'))).toBe(false);
    }));
  it('writes a missing snapshot outside CI', () =>
    inTemp((dir) => {
      expect(checkSnapshot(dir, 'x', '<svg/>\n', false)).toBeUndefined();
      expect(readFileSync(join(dir, 'x.svg'), 'utf8')).toBe('<svg/>\n');
    }));
  it('reads CI as CI services set it', () => {
    const read = ['true', '1', '', 'false', '0', undefined].map((v) => inCI(v));
    expect(read).toEqual([true, true, false, false, false, false]);
  });
});

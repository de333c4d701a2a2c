// One entry per finding and per chart: a finding added to the registry alone reaches the gallery's tabs, the card,
// the article and the CLI's report; a chart added alone is drawn by the page wherever a finding names it.
import { readFileSync } from 'node:fs';
import { render } from 'svelte/server';
import { afterAll, describe, expect, it } from 'vitest';
import type { FindingDef } from '../src/engine/findings/findingDef';
import { findingsMarkdown, judgeFindings } from '../src/engine/findings/judge';
import { FINDINGS, findingById, findingNumber, galleryConfigs } from '../src/engine/findings/registry';
import { tiny } from '../src/engine/findings/configs';
import { findingsSummary } from '../src/engine/findings/summary';
import Article from '../src/lib/article/Article.svelte';
import { GLOSSARY } from '../src/lib/article/glossary';
import { glossify, richParts } from '../src/lib/article/richText';
import Charts from '../src/lib/charts/Charts.svelte';
import { CHARTS, type ChartDef } from '../src/lib/charts/registry';
import TauChart from '../src/lib/charts/TauChart.svelte';
import FindingCard from '../src/lib/findings/FindingCard.svelte';
import Gallery from '../src/lib/findings/Gallery.svelte';
import { chartContext, fakeRecord } from './fixtures';

const PROBE: FindingDef = {
  id: 'probe',
  title: 'A probe finding',
  claim: 'A claim only this test makes.',
  lookAt: 'The probe chart.',
  article: 'The paper never said this; the [[period]] is a term.',
  charts: ['probe-chart'],
  config: tiny('probe', (c) => (c.instances = 2)),
  contrasts: [{ label: 'probe contrast', config: tiny('probe-contrast', (c) => (c.seed = 7)) }],
  judge: (main, contrasts) => [
    {
      id: 'probe',
      title: 'A probe finding',
      rows: [
        {
          statistic: 'instances and contrasts seen',
          paper: '—',
          ours: `${main.instances.length} + ${contrasts.map((c) => c.label).join(', ')}`,
          target: 'any',
          holds: true,
          says: '',
        },
      ],
      verdict: 'The probe holds.',
    },
  ],
};

const PROBE_CHART: ChartDef = {
  id: 'probe-chart',
  title: () => 'The probe chart',
  caption: (ctx) => `A caption that names ${ctx.record.childNames.length} children.`,
  description: () => 'What the probe chart shows.',
  view: TauChart,
  props: ({ record }) => ({ record }),
};

describe('the finding registry', () => {
  FINDINGS.push(PROBE);
  CHARTS.push(PROBE_CHART);
  afterAll(() => {
    FINDINGS.splice(FINDINGS.indexOf(PROBE), 1);
    CHARTS.splice(CHARTS.indexOf(PROBE_CHART), 1);
  });
  const record = fakeRecord();

  it('reaches the report: judged from its config and contrast, under its own number and heading', async () => {
    const asked: string[] = [];
    const results = await judgeFindings(async (c) => (asked.push(c.name), record), {});
    expect(asked).toEqual(expect.arrayContaining(['probe', 'probe-contrast']));
    const mine = results.find((r) => r.result.id === 'probe')!;
    expect(mine.result.rows[0].ours).toBe('2 + probe contrast');
    expect(mine.configHashes).toHaveLength(2);
    expect(findingNumber('probe')).toBe(FINDINGS.length);
    const md = findingsMarkdown(results.map((r) => r.result)).join('\n');
    expect(md).toContain(`## Finding ${FINDINGS.length}: A probe finding`);
    expect(md).toContain('| instances and contrasts seen | — | 2 + probe contrast | any | yes |');
    expect(galleryConfigs().map((c) => c.name)).toContain('probe-contrast');
    // The page's summary file carries it by id.
    expect(findingsSummary(results, { instances: 2, data: 'x' }).results.map((r) => r.id)).toContain('probe');
  });

  it('reaches the page: a gallery tab, the card with its verdict, and the article with its term', () => {
    const tabs = render(Gallery, { props: { active: 'probe', onpick: () => undefined } }).body;
    expect(tabs).toContain('data-preset="probe"');
    expect(tabs).toContain('A probe finding');
    const card = render(FindingCard, {
      props: { preset: PROBE, record, contrasts: [], comparison: undefined, recorded: false },
    }).body;
    expect(card).toContain('A claim only this test makes.');
    expect(card).toContain('The probe holds.');
    const article = render(Article, { props: { record } }).body;
    expect(article).toContain('A probe finding'.toLowerCase());
    expect(article).toMatch(/class="term"[^>]*>period<\/button>/);
  });

  it('a chart added to the chart registry is drawn where a finding names it, and in the full list', () => {
    const only = render(Charts, {
      props: { record, charts: PROBE.charts, contrasts: [], published: undefined, runs: [], all: false },
    }).body;
    expect(only).toContain('The probe chart');
    expect(only).toContain('A caption that names 64 children.');
    expect(only).not.toContain('Agreement with lag');
    const all = render(Charts, {
      props: { record, charts: ['lag'], contrasts: [], published: undefined, runs: [], all: true },
    }).body;
    expect(all.indexOf('Agreement with lag')).toBeLessThan(all.indexOf('The probe chart'));
  });
  it('every term marked in a finding text or a chart caption is a glossary term, and is rendered as one', () => {
    const ctx = chartContext(record);
    const texts = [
      ...FINDINGS.flatMap((g) => [g.claim, g.lookAt, g.article]),
      ...CHARTS.filter((c) => !c.when || c.when(ctx)).map((c) => c.caption(ctx)),
    ];
    const ids = texts.flatMap((t) => [...t.matchAll(/\[\[([A-Za-z]+)/g)].map((m) => m[1]));
    expect(ids.length).toBeGreaterThan(10);
    expect(ids.filter((id) => !Object.hasOwn(GLOSSARY, id))).toEqual([]);
    const card = render(FindingCard, {
      props: { preset: findingById('interference')!, record, contrasts: [], comparison: undefined, recorded: false },
    }).body;
    expect(card).toMatch(/class="term"[^>]*>period<\/button>/);
    const charts = render(Charts, {
      props: { record, charts: ['lag'], contrasts: [], published: undefined, runs: [], all: false },
    }).body;
    expect(charts).toMatch(/class="term"[^>]*>Kendall tau<\/button>/);
    expect(card + charts).not.toContain('[[');
  });
});

describe('statistic names explain themselves', () => {
  it('every statistic of the findings report marks a glossary term, the issue’s two examples too', () => {
    const summary = JSON.parse(readFileSync('public/findings.json', 'utf8')) as {
      results: { rows: { statistic: string; target: string }[] }[];
    };
    const rows = summary.results.flatMap((r) => r.rows);
    expect(rows.length).toBeGreaterThan(15);
    for (const r of rows) {
      const parts = richParts(glossify(r.statistic));
      expect(
        parts.some((p) => p.term),
        r.statistic,
      ).toBe(true);
    }
    expect(richParts(glossify('Kendall(rank at i, i+64) − Kendall(i, i+32), fixed order'))[0]).toEqual({
      text: 'Kendall(rank at i, i+64) − Kendall(i, i+32)',
      term: 'lag',
    });
    expect(glossify('full: GT-Tau-Mean-64 / Std-64')).toBe('full: [[meanK|GT-Tau-Mean-64]] / [[stdK|Std-64]]');
    expect(glossify('≥ 0.2 in enough instances (sign test p < 0.05)')).toMatch(/\[\[signTest\|sign test\]\]/);
    // Already marked text is left as it is; each term is marked once.
    expect(glossify('[[gtTau|GT-Tau]] and GT-Tau')).toBe('[[gtTau|GT-Tau]] and GT-Tau');
    expect(glossify('GT-Tau and GT-Tau')).toBe('[[gtTau|GT-Tau]] and GT-Tau');
  });
});

describe('axis titles that are glossary terms', () => {
  it('explain themselves on hover (an SVG title from the glossary)', () => {
    const { body } = render(TauChart, { props: { record: fakeRecord({ gt: true }) } });
    expect(body).toMatch(/class="y-label"[^>]*>\s*Kendall tau(<!--[^>]*-->)?<title>[^<]*<\/title>/);
    expect(body).toContain(`<title>${GLOSSARY.kendall.short}</title>`);
  });
});

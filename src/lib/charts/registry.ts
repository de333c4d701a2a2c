// The charts, one entry each: id, title, caption, text alternative, and the view with its props — all functions of
// the run on screen (ChartContext). Charts.svelte enumerates this list, a finding names the ids it is about
// (engine/findings), and a chart added here appears on the page.
import type { Component } from 'svelte';
import type { RunRecord } from '../../engine/schema/record';
import BestPicks from './BestPicks.svelte';
import {
  bestPicks,
  describeFinetune,
  describeLag,
  describePicks,
  describeSharing,
  describeSpread,
  describeTau,
  describeTraces,
  finetuneCurves,
  lagCurve,
  lagLegend,
  meanGtTau,
  PAPER_TABLE3,
  rankSpread,
  sharingPoints,
  tauCurves,
  traces,
  type ComparedTau,
  type LagSeries,
  type SharingPoint,
} from './chartData';
import DenseTraces from './DenseTraces.svelte';
import FinetuneChart from './FinetuneChart.svelte';
import LagChart from './LagChart.svelte';
import RankSpread from './RankSpread.svelte';
import SharingChart from './SharingChart.svelte';
import TauChart from './TauChart.svelte';

/** What a chart is drawn from: the run on screen, its recorded contrasts, the paper's trace, the visit's runs. */
export interface ChartContext {
  record: RunRecord;
  /** Set when `record` stands in for a run not made yet: the run before it, named by what it changes. */
  recordLabel?: string;
  /** The finding's recorded contrasts (e.g. another order), drawn where a chart compares them. */
  contrasts: { label: string; record: RunRecord }[];
  /** The runs of this visit ticked for comparison, each named by what it changes: drawn over the charts. */
  compared: { label: string; record: RunRecord }[];
  published: RunRecord | undefined;
  runs: RunRecord[];
  /** The child under the pointer, shared by the charts that draw children. */
  hovered: number | null;
  onhover: (c: number | null) => void;
}

export interface ChartDef {
  id: string;
  title: (ctx: ChartContext) => string;
  caption: (ctx: ChartContext) => string;
  /** The text alternative: what the chart shows, with its key numbers. */
  description: (ctx: ChartContext) => string;
  legend?: (ctx: ChartContext) => string;
  // Each view has its own props; the registry pairs a view with the props it builds for it.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  view: Component<any>;
  props: (ctx: ChartContext) => Record<string, unknown>;
  /** Drawn only when this holds (e.g. the paper's trace is loaded). */
  when?: (ctx: ChartContext) => boolean;
  /** Shown only where a finding asks for it, not in the full list below the finding's own charts. */
  onRequest?: boolean;
}

const period = (ctx: ChartContext) => ctx.record.jobs[0]?.length ?? 64;

/** The name of the run on screen in a legend. */
export const ownLabel = (ctx: Pick<ChartContext, 'record' | 'recordLabel'>): string =>
  ctx.recordLabel ?? (ctx.record.source === 'recorded' ? 'this run (recorded)' : 'this run');

/** Compared runs a chart overlays at most, the last ticked (more would be unreadable; the run list says so). */
export const MAX_COMPARED = 2;

/**
 * The lag curves: this run, up to two contrasts that differ in order or sharing, up to two compared runs, and the
 * paper's trace.
 */
export function lagSeries(ctx: ChartContext): LagSeries[] {
  const { record, contrasts, compared, published } = ctx;
  return [
    lagCurve(record, ownLabel(ctx), 'ours'),
    ...contrasts
      .filter(
        (c) =>
          c.record.config.train.order !== record.config.train.order ||
          c.record.config.sharing.kind !== record.config.sharing.kind,
      )
      .slice(0, 2)
      .map((c, i) => lagCurve(c.record, c.label, 'contrast', i === 1)),
    ...compared.slice(-MAX_COMPARED).map((c, i) => lagCurve(c.record, c.label, 'compared', i === 1)),
    published && lagCurve(published, 'the paper’s trace', 'paper'),
  ].filter((x): x is LagSeries => !!x);
}

/** The compared runs' GT-Tau after each epoch (mean over instances), for the agreement chart. */
const comparedTau = (ctx: ChartContext): ComparedTau[] =>
  ctx.compared
    .slice(-MAX_COMPARED)
    .map((c, i) => ({ label: c.label, dotted: i === 1, ...meanGtTau(c.record) }))
    .filter((c) => c.epochs.length > 0);

/** The agreement chart's legend: only when compared runs are drawn over it (the caption names its own inks). */
function tauLegend(ctx: ChartContext): string {
  const c = comparedTau(ctx);
  if (!c.length) return '';
  return (
    `blue: ${ownLabel(ctx)} · ` +
    c.map((x) => `purple${x.dotted ? ' dotted' : ''}: ${x.label} (GT-Tau, mean over instances)`).join(' · ')
  );
}

/** The sharing chart's points: the paper's Table 3, this run and its recorded contrasts, and the visit's other runs. */
export function sharingSeries(ctx: ChartContext): SharingPoint[] {
  const { record, contrasts, runs } = ctx;
  return [
    ...PAPER_TABLE3,
    ...sharingPoints([record, ...contrasts.map((c) => c.record)], 'recorded'),
    ...sharingPoints(
      runs.filter((r) => r.configHash !== record.configHash),
      'ours',
    ),
  ];
}

const dense = (ctx: ChartContext) => traces(ctx.record)?.dense !== false;

export const CHARTS: ChartDef[] = [
  {
    id: 'traces',
    title: () => 'Every child, step by step (paper Fig. 5)',
    caption: (ctx) =>
      `Validation accuracy of every child with inherited weights ${
        dense(ctx) ? 'after each of the last steps' : 'at the end of each epoch (this run has no dense window)'
      }; colour = ground-truth rank (darker = better); ◆ = ${
        ctx.record.jobs.length > 1
          ? `the children trained in ${dense(ctx) ? 'that step' : 'the step before'} (one per group of weights)`
          : `the child trained in ${dense(ctx) ? 'that step' : 'the step before'}`
      }.`,
    description: (ctx) => {
      const t = traces(ctx.record);
      return t ? describeTraces(ctx.record, t) : '';
    },
    view: DenseTraces,
    props: ({ record, hovered, onhover }) => ({ record, hovered, onhover }),
  },
  {
    id: 'paper-trace',
    title: () => 'The paper’s own supernet, its last 128 steps',
    caption: ({ published }) => {
      const p = published?.provenance;
      return (
        'Published dense trace of a full-sharing supernet on CIFAR-10 at the paper’s scale ' +
        `(${p?.title}; commit ${p?.commit}; ${p?.licence}). The order of training is not in the data, so no ◆.`
      );
    },
    description: ({ published }) => {
      const t = published && traces(published);
      return published && t ? describeTraces(published, t) : '';
    },
    view: DenseTraces,
    props: ({ published, hovered, onhover }) => ({ record: published, hovered, onhover }),
    when: (ctx) => !!ctx.published,
    onRequest: true,
  },
  {
    id: 'lag',
    title: () => 'Agreement with lag: does the ranking repeat every period?',
    caption: () =>
      '[[kendall|Kendall tau]] between the rankings after step i and after step i + lag, averaged over the dense ' +
      'window. A peak at the [[period|period]] means [[interference|interference]]: the ranking depends on ' +
      'which children were trained last. The period is the number of children trained in turn: 64 under full ' +
      'sharing, a group’s children under groups.',
    legend: (ctx) => lagLegend(lagSeries(ctx)),
    description: (ctx) => describeLag(lagSeries(ctx), period(ctx)),
    view: LagChart,
    props: (ctx) => ({ series: lagSeries(ctx), period: period(ctx) }),
  },
  {
    id: 'tau',
    title: () => 'Agreement over epochs (paper Fig. 2)',
    caption: () =>
      '[[gtTau|GT-Tau]] of each instance (blue) and [[sTau|S-Tau]] between instances (orange, mean ± std over ' +
      'pairs) after every epoch; red dashed: the ground truth’s agreement with itself ([[noiseFloor|noise floor]]).',
    legend: (ctx) => tauLegend(ctx),
    description: (ctx) => describeTau(tauCurves(ctx.record), comparedTau(ctx)),
    view: TauChart,
    props: (ctx) => ({ record: ctx.record, compared: comparedTau(ctx) }),
  },
  {
    id: 'best',
    title: () => 'Who gets picked as best',
    caption: () => 'How often each child is ranked first, over every instance and epoch, with its true rank.',
    description: ({ record }) => describePicks(record, bestPicks(record)),
    view: BestPicks,
    props: ({ record, hovered, onhover }) => ({ record, hovered, onhover }),
  },
  {
    id: 'spread',
    title: () => 'Rank spread per child (paper Fig. 3)',
    caption: () =>
      'Each child’s rank over instances (or the last evaluations of one), children ordered by ground truth: bad ' +
      'children stay at the bottom.',
    description: ({ record }) => {
      const sp = rankSpread(record);
      return sp ? describeSpread(record, sp) : '';
    },
    view: RankSpread,
    props: ({ record, hovered, onhover }) => ({ record, hovered, onhover }),
  },
  {
    id: 'finetune',
    title: () => 'Fine-tune: a few steps per child (paper Fig. 4)',
    caption: () =>
      '[[gtTau|GT-Tau]] after each step of training every child alone from the final supernet (a ' +
      '[[finetune|fine-tune]]); step 0 is the supernet’s own ranking.',
    description: ({ record }) => {
      const f = finetuneCurves(record);
      return f ? describeFinetune(f) : 'No fine-tune in this run.';
    },
    view: FinetuneChart,
    props: ({ record }) => ({ record }),
  },
  {
    id: 'sharing',
    title: () => 'Less sharing, steadier ranking (paper Table 3)',
    caption: () =>
      '[[meanK|GT-Tau-Mean-64]] (dot) ± [[stdK|Std-64]] (bar) against the number of weight copies per op: ' +
      'blue = runs here (recorded and yours), grey hollow = the paper’s Table 3 (m = groups of similar children, ' +
      'k = 0 prefix sharing).',
    description: (ctx) => describeSharing(sharingSeries(ctx)),
    view: SharingChart,
    props: (ctx) => ({ points: sharingSeries(ctx), children: ctx.record.childNames.length }),
  },
];

/** An export's file name: the run's name, its config hash, whether it was recorded or live, and the chart. */
export function exportName(record: RunRecord, chart: string): string {
  const name = record.config.name.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '') || 'run';
  const kind = record.source === 'run' ? 'live' : record.source;
  return `${name}-${record.configHash.slice(0, 8)}-${kind}-${chart}`;
}

export const chartById = (id: string): ChartDef | undefined => CHARTS.find((c) => c.id === id);

/** The charts to draw: the finding's own first, in its order, then (unless `all` is off) every other one. */
export function chartsFor(findingCharts: readonly string[], all: boolean, ctx: ChartContext): ChartDef[] {
  const own = findingCharts.map(chartById).filter((c): c is ChartDef => !!c);
  const rest = all ? CHARTS.filter((c) => !findingCharts.includes(c.id) && !c.onRequest) : [];
  return [...own, ...rest].filter((c) => !c.when || c.when(ctx));
}

// Each finding as rows of (statistic, paper, ours, target, holds), from run records: the CLI's
// `findings` report and the page's cards both read them, so the page says what the report says.
import { bestFirstRanks, gtTau, mean, sTau, topNRank } from '../core/metrics';
import {
  bottomQuarterInBottomHalf,
  finalRows,
  finetuneGain,
  lagKendall,
  groundTruthQuality,
  meanStd,
  periodicity,
  tauWindow,
  trainedChildTopShare,
  type MeanStd,
} from './statistics';
import type { GroundTruth, RunRecord } from '../schema/record';
import { policyLabel } from '../space/sharing';
import { totalSteps } from '../train/schedule';
import { denseRows, epochRows } from '../schema/summary';

export interface FindingRow {
  statistic: string;
  paper: string;
  ours: string;
  target: string;
  /** undefined: not measurable from these runs (e.g. no ground truth). */
  holds?: boolean;
  /**
   * No verdict of its own: the row others are compared with (finding 4's full sharing), or context that explains a
   * verdict (finding 3's step-to-step Kendall).
   */
  reference?: boolean;
  /** What this run shows for the row, in one plain sentence (the verdict quotes it when the row does not hold). */
  says: string;
}

export interface FindingResult {
  finding: 0 | 1 | 2 | 3 | 4;
  title: string;
  rows: FindingRow[];
  /** One sentence: does this run show the finding, with the numbers. */
  verdict: string;
}

const f = (x: number, d = 3) => (Number.isFinite(x) ? x.toFixed(d) : '—');
// One instance has no spread: print its value alone rather than a falsely precise "± 0.000".
const ms = (m: MeanStd, d = 3) =>
  !m.n ? '—' : m.n === 1 ? `${f(m.mean, d)} (n=1)` : `${f(m.mean, d)} ± ${f(m.std, d)} (n=${m.n})`;
const most = (flags: boolean[]) => flags.length > 0 && flags.filter(Boolean).length > flags.length / 2;
const count = (flags: boolean[]) => `${flags.filter(Boolean).length} of ${flags.length}`;
const all = (rows: FindingRow[]) => {
  // A reference row is not judged, but without its data nothing compared with it can be.
  const judged = rows.filter((r) => !r.reference || r.holds === undefined);
  return judged.some((r) => r.holds === undefined) ? undefined : judged.every((r) => r.holds);
};
const pct = (x: number) => `${Math.round(x * 100)} %`;
/** "1 instance", "3 instances". */
export const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * One sentence (or a few): the finding holds; or it holds in part ("Partly here", with how many statistics hold)
 * or not at all ("Not here"), and what does not, each in plain words. `no` replaces that opening (ground truth).
 */
function verdict(rows: FindingRow[], yes: string, no?: string): string {
  const h = all(rows);
  if (h === undefined)
    return 'Not measurable from this run: it lacks ground truth or the evaluations the statistic needs.';
  if (h) return yes;
  const judged = rows.filter((r) => !r.reference);
  const failing = judged.filter((r) => !r.holds).map((r) => r.says);
  const held = judged.length - failing.length;
  const opening = no ?? (held ? `Partly here (${held} of ${judged.length} statistics hold); not` : 'Not here');
  return `${opening}: ${failing.join('; ')}.`;
}

/** The paper's numbers (paper-notes §5; Table 2 "different seeds", Table 3). */
export const PAPER = {
  gtSeedAgreement: 0.712,
  gtTau: '0.457 ± 0.148',
  t1r: '18.5 ± 1.2',
  sTau: '0.542',
  lag64: 0.795,
  lag32: 0.435,
  /** Kendall between the rankings after consecutive steps of the published trace: how much one step reorders. */
  lag1: 0.646,
  finetune: 'GT-Tau → ~0.8 within 5 steps (Fig. 4)',
  table3: {
    full: [0.4988, 0.1497],
    sim4: [0.7075, 0.0702],
    sim8: [0.6917, 0.0457],
    rand4: [0.2736, 0.134],
    prefix0: [0.696, 0.0129],
  } as Record<string, [number, number]>,
};

export function groundTruthFinding(gt: GroundTruth | undefined, paperGt?: GroundTruth): FindingResult {
  const q = gt ? groundTruthQuality(gt) : undefined;
  const p = paperGt ? groundTruthQuality(paperGt) : undefined;
  const rows: FindingRow[] = [
    {
      statistic: 'Kendall between ground-truth seeds',
      paper: f(PAPER.gtSeedAgreement),
      ours: q ? `${f(q.seedAgreement)} (${gt!.seeds} seeds)` : '—',
      target: '≥ 0.7',
      holds: q && Number.isFinite(q.seedAgreement) ? q.seedAgreement >= 0.7 : undefined,
      says: q
        ? `training the same child with another seed reorders the children a lot (its seeds agree at Kendall ` +
          `${f(q.seedAgreement, 2)}; the paper's at ${f(PAPER.gtSeedAgreement, 2)})`
        : '',
    },
    {
      statistic: 'spread of child means / mean seed std',
      paper: p ? f(p.spreadRatio, 1) : '—',
      ours: q ? `${f(q.spreadRatio, 1)} (${f(q.spreadOfMeans * 100, 2)} pp / ${f(q.meanSeedStd * 100, 2)} pp)` : '—',
      target: '≥ 3',
      holds: q ? q.spreadRatio >= 3 : undefined,
      says: q
        ? `the children differ only ${f(q.spreadRatio, 1)}× as much as one child's seeds do` +
          (p ? ` (the paper's: ${f(p.spreadRatio, 1)}×)` : '')
        : '',
    },
  ];
  return {
    finding: 0,
    title: 'The ground truth ranks',
    rows,
    verdict: verdict(
      rows,
      'The ground truth is a ranking worth comparing with: its seeds agree and the children differ far more ' +
        'than their seeds do.',
      'The ground truth itself is too noisy to rank against',
    ),
  };
}

/** Finding 1 from runs of full sharing with several instances. */
export function findingOne(rec: RunRecord): FindingResult {
  const gt = rec.groundTruth;
  const rows = finalRows(rec);
  const taus = gt ? rows.map((r) => gtTau(r, gt.mean)) : [];
  const t1r = gt ? rows.map((r) => topNRank(r, gt.mean, 1)) : [];
  const s = rows.length > 1 ? sTau(rows).mean : Number.NaN;
  const floor = gt?.perSeed && gt.perSeed.length > 1 ? sTau(gt.perSeed).mean : Number.NaN;
  const bests = new Set(rec.instances.flatMap((i) => epochRows(i).map((row) => bestFirstRanks(row).indexOf(1))));
  const tauMs = meanStd(taus);
  const out: FindingRow[] = [
    {
      statistic: 'GT-Tau at the end (full sharing)',
      paper: PAPER.gtTau,
      ours: ms(tauMs),
      target: '0.3 – 0.7',
      holds: tauMs.n ? tauMs.mean >= 0.3 && tauMs.mean <= 0.7 : undefined,
      says:
        `the supernet's ranking agrees with the ground truth at GT-Tau ${f(tauMs.mean)}, outside 0.3–0.7 ` +
        `(the paper: ${PAPER.gtTau})`,
    },
    {
      statistic: 'T1R (true rank of the child picked best)',
      paper: PAPER.t1r,
      ours: t1r.length ? `${ms(meanStd(t1r), 1)}; > 1 in ${count(t1r.map((x) => x > 1))}` : '—',
      target: '> 1 in most instances',
      holds: t1r.length ? most(t1r.map((x) => x > 1)) : undefined,
      says: `the child picked best is the true best in ${count(t1r.map((x) => x === 1))} instances`,
    },
    {
      statistic: 'S-Tau between instances vs the ground truth’s own',
      paper: `${PAPER.sTau} vs ${f(PAPER.gtSeedAgreement)}`,
      ours: `${f(s)} vs ${f(floor)}`,
      target: 'clearly below (by ≥ 0.1)',
      holds: Number.isFinite(s) && Number.isFinite(floor) ? s <= floor - 0.1 : undefined,
      // Blame the ground truth only when it is itself noisy (its target: seeds agree at ≥ 0.7).
      says:
        `instances agree with each other (S-Tau ${f(s)}) ${s > floor ? 'better than' : 'about as well as'} ` +
        `the ground truth's own seeds do (${f(floor)}), not clearly less — ` +
        (floor < 0.7
          ? 'this ground truth is too noisy to tell'
          : 'in this run the supernet ranks about as consistently as children trained alone do'),
    },
  ];
  return {
    finding: 1,
    title: 'The best child varies',
    rows: out,
    verdict: verdict(
      out,
      `It does: ${bests.size} different children were ranked best over ` +
        `${plural(rec.instances.length, 'instance')} × ` +
        `their epochs, and instances agree less (S-Tau ${f(s)}) than the ground truth’s own seeds (${f(floor)}).`,
    ),
  };
}

/** Finding 2's "it does", with its numbers: how far the fine-tune moved GT-Tau, and whether that is a little. */
function finetuneVerdict(shares: number[], gains: { before: number; after: number }[]): string {
  const [before, after] = [mean(gains.map((g) => g.before)), mean(gains.map((g) => g.after))];
  const higher = count(gains.map((g) => g.after > g.before));
  const how =
    after <= before
      ? ` in most instances, though not on average (higher in ${higher})`
      : after - before < 0.05
        ? `, but only a little (higher in ${higher}; the paper's reaches ~0.8)`
        : ` (higher in ${higher})`;
  return (
    `It does: the worst children stay at the bottom (${f(mean(shares), 2)} of the ground truth's worst quarter ` +
    `in the bottom half), and a short fine-tune of each child moves the ranking towards the ground truth` +
    `${how}: GT-Tau ${f(before)} → ${f(after)}.`
  );
}

/** Finding 2 from runs with a fine-tune phase. */
export function findingTwo(rec: RunRecord): FindingResult {
  const gt = rec.groundTruth;
  const rows = finalRows(rec);
  const shares = gt ? rows.map((r) => bottomQuarterInBottomHalf(r, gt.mean)) : [];
  const gains = gt
    ? rec.instances.map((i) => finetuneGain(i, gt.mean)).filter((x): x is { before: number; after: number } => !!x)
    : [];
  const out: FindingRow[] = [
    {
      statistic: 'share of the GT bottom quarter ranked in the bottom half',
      paper: 'bad children reliably bad (Fig. 3)',
      ours: shares.length ? `${ms(meanStd(shares), 2)}; ≥ 0.75 in ${count(shares.map((x) => x >= 0.75))}` : '—',
      target: '≥ 0.75 in most instances',
      holds: shares.length ? most(shares.map((x) => x >= 0.75)) : undefined,
      says:
        `bad children are not reliably ranked bad: the ground truth's worst quarter mostly stays in the ` +
        `bottom half in only ${count(shares.map((x) => x >= 0.75))} instances`,
    },
    {
      statistic: 'GT-Tau before → after the fine-tune',
      paper: PAPER.finetune,
      ours: gains.length
        ? `${f(mean(gains.map((g) => g.before)))} → ${f(mean(gains.map((g) => g.after)))}; higher in ` +
          `${count(gains.map((g) => g.after > g.before))}`
        : '—',
      target: 'higher after, in most instances',
      holds: gains.length ? most(gains.map((g) => g.after > g.before)) : undefined,
      says:
        `the fine-tune raised GT-Tau in only ${count(gains.map((g) => g.after > g.before))} instances ` +
        `(${f(mean(gains.map((g) => g.before)))} → ${f(mean(gains.map((g) => g.after)))} on average), ` +
        `far from the paper's ~0.8`,
    },
  ];
  return {
    finding: 2,
    title: 'There is still signal',
    rows: out,
    verdict: verdict(out, finetuneVerdict(shares, gains)),
  };
}

/** Finding 3 from dense-evaluated runs with a fixed order, and optionally the same with the order reshuffled. */
export function findingThree(fixed: RunRecord, shuffled?: RunRecord): FindingResult {
  const period = fixed.jobs[0]?.length ?? 64;
  const per = fixed.instances.map((i) => periodicity(i, period)).filter((p) => Number.isFinite(p.difference));
  const diff = meanStd(per.map((p) => p.difference));
  const top = fixed.instances.map((i) => trainedChildTopShare(i)).filter(Number.isFinite);
  const sh = shuffled
    ? meanStd(shuffled.instances.map((i) => periodicity(i, period).difference).filter(Number.isFinite))
    : undefined;
  const step = meanStd(fixed.instances.map((i) => lagKendall(denseRows(i), 1)).filter(Number.isFinite));
  // Why a weak period: one step moves the ranking less than in the paper (said only where it does).
  const stepNote =
    step.n && step.mean > PAPER.lag1 + 0.1
      ? `; one step reorders the ranking less than in the paper (Kendall between consecutive steps ` +
        `${f(step.mean, 2)} against ${f(PAPER.lag1, 2)})`
      : '';
  const out: FindingRow[] = [
    {
      statistic: `Kendall(rank at i, i+${period}) − Kendall(i, i+${period / 2}), fixed order`,
      paper: `${f(PAPER.lag64 - PAPER.lag32, 2)} (${PAPER.lag64} − ${PAPER.lag32}, the published trace)`,
      ours: diff.n
        ? `${ms(diff)} (${f(mean(per.map((p) => p.lagPeriod)))} − ${f(mean(per.map((p) => p.lagHalf)))})`
        : '—',
      target: '≥ 0.2',
      holds: diff.n ? diff.mean >= 0.2 : undefined,
      says:
        diff.mean > 0
          ? `the ranking does repeat at the period, but more weakly than our bar: the rankings ${period} steps ` +
            `apart agree ${f(diff.mean)} better than those ${period / 2} apart (bar 0.2; the paper's trace ` +
            `${f(PAPER.lag64 - PAPER.lag32, 2)})${stepNote}`
          : `the ranking does not repeat at the period: rankings ${period} steps apart agree no better than ` +
            `those ${period / 2} apart (${f(diff.mean)})${stepNote}`,
    },
    {
      statistic: 'Kendall between the rankings after consecutive steps, fixed order',
      paper: `${PAPER.lag1} (the published trace)`,
      ours: ms(step),
      target: 'none (context: lower means one step reorders more)',
      holds: step.n ? true : undefined,
      reference: true,
      says: `the rankings before and after one step agree at Kendall ${f(step.mean, 2)}`,
    },
    {
      statistic: 'steps at which the child just trained ranks in the top quarter',
      paper: '“in most mini-batches” (Fig. 5a; order not in the published trace)',
      ours: top.length ? `${ms(meanStd(top), 2)}; > 0.5 in ${count(top.map((x) => x > 0.5))}` : '—',
      target: '> 0.5 in most instances',
      holds: top.length ? most(top.map((x) => x > 0.5)) : undefined,
      says:
        `the child just trained lands in the top quarter after ${pct(mean(top))} of its steps — ` +
        (mean(top) > 0.25 ? 'more often than chance (25 %), but not in most' : 'no more often than chance (25 %)'),
    },
  ];
  if (sh)
    out.push({
      statistic: 'the same difference with the order reshuffled each period',
      paper: 'the period disappears (Fig. 5b)',
      ours: ms(sh),
      target: 'lower than with a fixed order',
      holds: sh.n && diff.n ? sh.mean < diff.mean : undefined,
      says: `reshuffling the order did not weaken the repetition (${f(sh.mean)} against ${f(diff.mean)})`,
    });
  return {
    finding: 3,
    title: 'Interference',
    rows: out,
    verdict: verdict(
      out,
      'It does: the ranking repeats with the round-robin period, and the child just trained tends to jump to the top.',
    ),
  };
}

const POLICY_KEYS: Record<string, string> = {
  full: 'full',
  'groups m=4 (similarity)': 'sim4',
  'groups m=8 (similarity)': 'sim8',
  'groups m=4 (random)': 'rand4',
  'prefix k=0': 'prefix0',
};

/** updates: steps per child over the run (each step trains one child). */
type PolicyStats = { label: string; key?: string; meanK: MeanStd; stdK: MeanStd; updates: number };

/** What a reduced-sharing policy did against full sharing, in words: closer, steadier, both or neither. */
function policySays(s: PolicyStats, full: PolicyStats | undefined, k: number): string {
  const [m, fm, sd, fs] = [s.meanK.mean, full?.meanK.mean ?? Number.NaN, s.stdK.mean, full?.stdK.mean ?? Number.NaN];
  const closer = `Mean-${k} ${f(m)} against ${f(fm)}`;
  const steadier = `Std-${k} ${f(sd)} against ${f(fs)}`;
  const chance = m < 0 ? ': worse than chance' : '';
  const what =
    m > fm
      ? `ranked closer to the ground truth (${closer}) but not more steadily (${steadier})`
      : sd < fs
        ? `was steadier (${steadier}) but ranked no closer to the ground truth (${closer}${chance})`
        : `was neither closer to the ground truth (${closer}${chance}) nor steadier (${steadier})`;
  // Prefix k=0 is the paper's most striking row (0.696 after 2,000 epochs); say why it cannot show here.
  const why =
    s.key === 'prefix0'
      ? ` — with only the stem shared, each child’s own cell gets just its own ${s.updates} updates here; the ` +
        'paper trained it for 2,000 epochs'
      : '';
  return `${s.label} ${what}${why}`;
}

/**
 * Finding 4 from a gallery preset's run and its labelled contrasts (the page's card and the CLI's report): the run
 * is labelled by its policy, "full sharing" becomes the reference and comes first.
 */
export function findingFourOf(main: RunRecord, contrasts: { label: string; rec: RunRecord }[]): FindingResult {
  const all = [
    { label: policyLabel(main.config.sharing), rec: main },
    ...contrasts.map((c) => ({ label: c.label === 'full sharing' ? 'full' : c.label, rec: c.rec })),
  ];
  return findingFour(all.sort((a, b) => (a.label === 'full' ? -1 : b.label === 'full' ? 1 : 0)));
}

/** Finding 4 from records of several sharing policies (dense windows of ≥ k points), labelled by policy. */
export function findingFour(byPolicy: { label: string; rec: RunRecord }[], k = 64): FindingResult {
  const stats = byPolicy.map(({ label, rec }) => ({
    label,
    key: POLICY_KEYS[label],
    updates: Math.round(totalSteps(rec.config) / Math.max(1, rec.childNames.length)),
    ...tauWindow(rec, k),
  }));
  const full = stats.find((s) => s.key === 'full');
  const out: FindingRow[] = stats.map((s) => {
    const p = s.key ? PAPER.table3[s.key] : undefined;
    const better =
      full && s !== full && s.key !== 'rand4'
        ? s.meanK.mean > full.meanK.mean && s.stdK.mean < full.stdK.mean
        : undefined;
    const sim4 = stats.find((x) => x.key === 'sim4');
    const holds = s.key === 'rand4' ? (sim4 ? s.meanK.mean < sim4.meanK.mean : undefined) : better;
    return {
      statistic: `${s.label}: GT-Tau-Mean-${k} / Std-${k}`,
      paper: p ? `${f(p[0], 3)} / ${f(p[1], 3)}` : '—',
      ours: `${ms(s.meanK)} / ${ms(s.stdK)}`,
      target:
        s === full
          ? 'the reference'
          : s.key === 'rand4'
            ? 'Mean below similarity m=4'
            : 'Mean above and Std below full sharing',
      holds: s === full ? (s.meanK.n ? true : undefined) : holds,
      reference: s === full || undefined,
      says:
        s.key === 'rand4'
          ? `random groups of 4 ranked no worse than similar ones (Mean-${k} ${f(s.meanK.mean)} against ` +
            `${f(sim4?.meanK.mean ?? Number.NaN)})`
          : policySays(s, full, k),
    };
  });
  return {
    finding: 4,
    title: 'Less sharing, less variance',
    rows: out,
    verdict: verdict(
      out,
      'It does: every reduced-sharing policy ranks closer to the ground truth and more steadily than full ' +
        'sharing, and random groups do worse than similar ones.',
    ),
  };
}

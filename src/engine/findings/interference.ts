// Finding 3: training one child reorders the others — with a fixed order the ranking repeats every period.
import { mean } from '../core/metrics';
import type { RunRecord } from '../schema/record';
import { denseRows } from '../schema/summary';
import { tiny } from './configs';
import type { FindingDef } from './findingDef';
import { lagKendall, meanStd, periodicity, trainedChildTopShare } from './statistics';
import { count, f, ms, most, PAPER, pct, verdict, type FindingResult, type FindingRow } from './verdicts';

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
    id: 'interference',
    title: 'Interference',
    rows: out,
    verdict: verdict(
      out,
      'It does: the ranking repeats with the round-robin period, and the child just trained tends to jump to the top.',
    ),
  };
}

const FIXED = tiny('interference', (c) => {
  c.train.order = 'fixed';
  c.eval.denseSteps = 128;
});
const RESHUFFLED = 'order reshuffled each period';

export const INTERFERENCE: FindingDef = {
  id: 'interference',
  title: 'Interference',
  claim:
    'The paper’s finding 3: training one child reorders the others — with a fixed order the ranking ' +
    'repeats every period (64 steps), and the child just trained tends to jump up.',
  lookAt:
    'The dense traces: does the child just trained (◆) rise after its step? “Agreement with lag”: the ' +
    'paper’s own trace peaks at the period (64 steps) for the fixed order; compare ours, and the same run ' +
    'with the order reshuffled each period.',
  article:
    'Training one child changes the weights — and the [[bn]] — that other children read: [[interference]]. With a ' +
    'fixed order the ranking after step i resembles the one after step i + 64 (the [[period]]) more than the one ' +
    'after i + 32; in the paper’s own trace, Kendall 0.80 against 0.44. The child just trained often jumps to the ' +
    'top. In the paper, reshuffling the order each period removes the periodicity, not the swings.',
  charts: ['traces', 'paper-trace', 'lag'],
  config: FIXED,
  contrasts: [
    {
      label: RESHUFFLED,
      config: {
        ...structuredClone(FIXED),
        name: 'interference-shuffled',
        train: { ...FIXED.train, order: 'shuffle-period' },
      },
    },
  ],
  judge: (main, contrasts) => [
    findingThree(main, contrasts.find((c) => c.rec.config.train.order === 'shuffle-period')?.rec),
  ],
};

// What every finding's statistics share: a row of (statistic, paper, ours, target, holds), the result a card and the
// report show, number formats, the verdict sentence, and the paper's own numbers.
import type { MeanStd } from './statistics';

export interface FindingRow {
  statistic: string;
  paper: string;
  ours: string;
  target: string;
  /** undefined: not measurable from these runs (e.g. no ground truth). */
  holds?: boolean;
  /**
   * The target is met on average, but the stated test over instances does not support it (too few instances, or
   * they disagree): the row does not hold, and says "not distinguishable".
   */
  undecided?: boolean;
  /**
   * No verdict of its own: the row others are compared with (finding 4's full sharing), or context that explains a
   * verdict (finding 3's step-to-step Kendall).
   */
  reference?: boolean;
  /** What this run shows for the row, in one plain sentence (the verdict quotes it when the row does not hold). */
  says: string;
}

export interface FindingResult {
  /** The registry id of the finding ('ground-truth' for the truth's own quality). */
  id: string;
  title: string;
  rows: FindingRow[];
  /** One sentence: does this run show the finding, with the numbers. */
  verdict: string;
}

export const f = (x: number, d = 3) => (Number.isFinite(x) ? x.toFixed(d) : '—');
// One instance has no spread: print its value alone rather than a falsely precise "± 0.000".
export const ms = (m: MeanStd, d = 3) =>
  !m.n ? '—' : m.n === 1 ? `${f(m.mean, d)} (n=1)` : `${f(m.mean, d)} ± ${f(m.std, d)} (n=${m.n})`;
export const most = (flags: boolean[]) => flags.length > 0 && flags.filter(Boolean).length > flags.length / 2;
export const count = (flags: boolean[]) => `${flags.filter(Boolean).length} of ${flags.length}`;
const all = (rows: Pick<FindingRow, 'holds' | 'reference'>[]) => {
  // A reference row is not judged, but without its data nothing compared with it can be.
  const judged = rows.filter((r) => !r.reference || r.holds === undefined);
  return judged.some((r) => r.holds === undefined) ? undefined : judged.every((r) => r.holds);
};
export const pct = (x: number) => `${Math.round(x * 100)} %`;

/** The plain sentences of the judged rows that do not hold. */
export const notHolding = (rows: FindingRow[]): string[] =>
  rows.filter((r) => !r.reference && !r.holds).map((r) => r.says);

/**
 * One sentence (or a few): the finding holds; or it holds in part ("Partly here", with how many statistics hold)
 * or not at all ("Not here"), and what does not, each in plain words. `no` replaces that opening (ground truth).
 */
export function verdict(rows: FindingRow[], yes: string, no?: string): string {
  const h = all(rows);
  if (h === undefined)
    return 'Not measurable from this run: it lacks ground truth or the evaluations the statistic needs.';
  if (h) return yes;
  const judged = rows.filter((r) => !r.reference);
  const failing = notHolding(rows);
  const held = judged.length - failing.length;
  const opening = no ?? (held ? `Partly here (${held} of ${judged.length} statistics hold); not` : 'Not here');
  return `${opening}: ${failing.join('; ')}.`;
}

/**
 * A card's one verdict in a word, and how many of its judged statistics hold (reference rows are not judged):
 * 'holds' when all do, 'partly' when some do, 'not here' when none, 'not measurable' when none can be judged (no
 * judged row has a value, or the reference they compare with has none). A row that cannot be judged beside rows
 * that can counts as not holding: three measured "no" and one without data are "not here", not "not measurable".
 */
export function verdictTally(rows: Pick<FindingRow, 'holds' | 'reference'>[]): {
  word: 'holds' | 'partly' | 'not here' | 'not measurable';
  held: number;
  judged: number;
} {
  const judged = rows.filter((r) => !r.reference);
  const held = judged.filter((r) => r.holds === true).length;
  const measured = judged.filter((r) => r.holds !== undefined).length;
  const noReference = rows.some((r) => r.reference && r.holds === undefined);
  const word =
    measured === 0 || noReference ? 'not measurable' : held === judged.length ? 'holds' : held ? 'partly' : 'not here';
  return { word, held, judged: judged.length };
}

/** The word a row's "holds" column shows. */
export const holdsText = (r: Pick<FindingRow, 'holds' | 'reference' | 'undecided'>): string =>
  r.reference || r.holds === undefined ? '—' : r.holds ? 'yes' : r.undecided ? 'not distinguishable' : 'no';

/** The level below which a test supports a row. */
export const ALPHA = 0.05;

/**
 * A row judged over instances: `met` says whether the target is met (on average), `p` the test's one-sided p-value
 * for the direction the target predicts. It holds only when both do; met without support is "not distinguishable".
 */
export function tested(met: boolean | undefined, p: number): Pick<FindingRow, 'holds' | 'undecided'> {
  if (met === undefined) return { holds: undefined };
  const supported = p < ALPHA;
  return met && supported ? { holds: true } : met ? { holds: false, undecided: true } : { holds: false };
}

/** "sign test p = 0.031 (5 of 5)" */
export const signText = (p: number, k: number, n: number) => `sign test p = ${f(p, 3)} (${k} of ${n})`;

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
  /** Kendall at lag 64 minus the mean of lags 62 and 66 in the published trace: how sharp the period's peak is. */
  sharpness: 0.3,
  finetune: 'GT-Tau → ~0.8 within 5 steps (Fig. 4)',
  table3: {
    full: [0.4988, 0.1497],
    sim4: [0.7075, 0.0702],
    sim8: [0.6917, 0.0457],
    rand4: [0.2736, 0.134],
    prefix0: [0.696, 0.0129],
  } as Record<string, [number, number]>,
};

// The truth's own quality: do its seeds agree, and do the children differ more than one child's seeds do? Shown
// in the report beside finding 1 (the truth it is judged against).
import type { GroundTruth } from '../schema/record';
import { groundTruthQuality } from './statistics';
import { f, PAPER, verdict, type FindingResult, type FindingRow } from './verdicts';

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
    id: 'ground-truth',
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

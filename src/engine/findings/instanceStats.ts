// Per instance, the statistics behind the findings report, compact (docs/findings-instances.json): enough to redo
// every test over instances (sign tests, paired comparisons) without the run records.
import { gtTau, gtTauWindow, mean, topNRank } from '../core/metrics';
import { configHash } from '../schema/config';
import type { InstanceRecord, RunRecord } from '../schema/record';
import { denseRows, finalRow } from '../schema/summary';
import {
  bottomQuarterInBottomHalf,
  finetuneGain,
  lagKendall,
  lagSharpness,
  periodicity,
  periodOf,
  standardError,
  trainedChildRankGains,
} from './statistics';

export interface InstanceStats {
  index: number;
  seeds: InstanceRecord['seeds'];
  /** GT-Tau of the final ranking; T1R: the true rank of the child ranked best. */
  gtTau?: number;
  t1r?: number;
  /** Share of the truth's bottom quarter ranked in the bottom half. */
  bottomQuarterInBottomHalf?: number;
  /** GT-Tau over the last 64 dense points: its mean and standard deviation (the paper's Table 3). */
  mean64?: number;
  std64?: number;
  /** Dense window: lag-P − lag-P/2 Kendall, its sharpness, consecutive-step Kendall (P = the rotation's period). */
  lagDifference?: number;
  sharpness?: number;
  consecutive?: number;
  /** Rank places the child just trained gains over its step: mean, standard error, count. */
  trainedGain?: { mean: number; se: number; n: number };
  /** GT-Tau before and after the fine-tune. */
  finetune?: { before: number; after: number };
}

export interface RecordStats {
  name: string;
  configHash: string;
  order: string;
  sharing: string;
  instances: InstanceStats[];
}

const r4 = (x: number) => (Number.isFinite(x) ? Math.round(x * 1e4) / 1e4 : undefined);

function denseStats(inst: InstanceRecord, period: number): Partial<InstanceStats> {
  const rows = denseRows(inst);
  if (rows.length < 2) return {};
  const gains = trainedChildRankGains(inst);
  return {
    lagDifference: r4(periodicity(inst, period).difference),
    sharpness: r4(lagSharpness(inst, period)),
    consecutive: r4(lagKendall(rows, 1)),
    trainedGain: gains.length ? { mean: r4(mean(gains))!, se: r4(standardError(gains))!, n: gains.length } : undefined,
  };
}

/** The per-instance statistics of one record (those its evaluations and ground truth allow). */
export function recordStats(rec: RunRecord): RecordStats {
  const gt = rec.groundTruth?.mean;
  const period = periodOf(rec);
  return {
    name: rec.config.name,
    configHash: configHash(rec.config),
    order: rec.config.train.order,
    sharing: JSON.stringify(rec.config.sharing),
    instances: rec.instances
      .filter((i) => i.accuracy.length)
      .map((inst) => {
        const last = finalRow(inst);
        const window64 = gt ? gtTauWindow(denseRows(inst), gt, 64) : undefined;
        const ft = gt ? finetuneGain(inst, gt) : undefined;
        return {
          index: inst.index,
          seeds: inst.seeds,
          ...(gt && {
            gtTau: r4(gtTau(last, gt)),
            t1r: topNRank(last, gt, 1),
            bottomQuarterInBottomHalf: r4(bottomQuarterInBottomHalf(last, gt)),
          }),
          ...(window64 &&
            window64.k > 1 && {
              mean64: r4(window64.mean),
              std64: r4(window64.std),
            }),
          ...denseStats(inst, period),
          ...(ft && { finetune: { before: r4(ft.before)!, after: r4(ft.after)! } }),
        };
      }),
  };
}

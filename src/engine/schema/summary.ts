// Every metric of the paper computed from a run record's own data (pure).
import { gtTau, gtTauWindow, mean, sTau, std, topNRank } from '../core/metrics';
import type { InstanceMetrics, InstanceRecord, RunMetrics, RunRecord } from './record';

export const finalRow = (inst: InstanceRecord) => inst.accuracy[inst.accuracy.length - 1];
export const epochRows = (inst: InstanceRecord) => inst.accuracy.filter((_, i) => inst.points[i].epochEnd);
export const denseRows = (inst: InstanceRecord) => inst.accuracy.filter((_, i) => inst.points[i].dense);

const ms = (v: number[]) => ({ mean: mean(v), std: std(v) });

export function instanceMetrics(inst: InstanceRecord, gt: number[]): InstanceMetrics {
  const last = finalRow(inst);
  const dense = denseRows(inst);
  const win = gtTauWindow(dense, gt, dense.length);
  const epochs = epochRows(inst);
  let best = 0;
  last.forEach((v, i) => (v > last[best] ? (best = i) : 0));
  return {
    index: inst.index,
    gtTau: gtTau(last, gt),
    t1r: topNRank(last, gt, 1),
    t3r: topNRank(last, gt, 3),
    gtTauMeanK: win.mean,
    gtTauStdK: win.std,
    k: win.k,
    gtTauByEpoch: epochs.map((r) => gtTau(r, gt)),
    best,
    sTauLastEpochs: sTau(epochs.slice(-10)),
    finetuneGtTau: inst.finetune?.accuracy.map((r) => gtTau(r, gt)),
  };
}

/** Metrics of a record; the ground-truth ones are NaN when the record has no ground truth. */
export function computeMetrics(rec: RunRecord): RunMetrics | undefined {
  const gt = rec.groundTruth?.mean;
  const insts = rec.instances.filter((i) => i.accuracy.length > 0);
  if (insts.length === 0) return undefined;
  const per = gt ? insts.map((i) => instanceMetrics(i, gt)) : [];
  const nEpochs = Math.min(...insts.map((i) => epochRows(i).length));
  return {
    instances: per,
    sTau: sTau(insts.map(finalRow)),
    sTauByEpoch: Array.from({ length: nEpochs }, (_, e) => sTau(insts.map((i) => epochRows(i)[e]))),
    gtTau: ms(per.map((p) => p.gtTau)),
    t1r: ms(per.map((p) => p.t1r)),
    t3r: ms(per.map((p) => p.t3r)),
    gtTauMeanK: ms(per.map((p) => p.gtTauMeanK)),
    gtTauStdK: ms(per.map((p) => p.gtTauStdK)),
    groundTruthSTau:
      rec.groundTruth?.perSeed && rec.groundTruth.perSeed.length > 1 ? sTau(rec.groundTruth.perSeed) : undefined,
  };
}

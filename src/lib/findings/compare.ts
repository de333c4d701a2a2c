// A live run against its recording: equal (same backend, same numbers) or how far it deviates.
import { gtTau } from '../../engine/core/metrics';
import type { RunRecord } from '../../engine/schema/record';
import { finalRow } from '../../engine/schema/summary';

export interface Comparison {
  equal: boolean;
  sameBackend: boolean;
  /** The live run stopped before the end (cancelled): compared on the points it reached. */
  stopped: boolean;
  /** Largest |accuracy difference| over every instance, evaluation point and child. */
  maxAccuracyDiff: number;
  /** Largest |GT-Tau difference| at the final point of an instance (NaN without ground truth). */
  maxGtTauDiff: number;
  compared: number;
  text: string;
}

/**
 * The live run's accuracies against the recording's at the same instance and evaluation point. A stopped (partial)
 * run is compared on what it reached: its instances' first points, and its missing instances are not a difference.
 */
export function compareRuns(live: RunRecord, rec: RunRecord): Comparison {
  let maxAcc = 0;
  let compared = 0;
  const stopped = live.status === 'partial';
  let equal = stopped ? live.instances.length <= rec.instances.length : live.instances.length === rec.instances.length;
  let maxTau = 0;
  const gt = rec.groundTruth?.mean ?? live.groundTruth?.mean;
  live.instances.forEach((inst) => {
    const other = rec.instances.find((x) => x.index === inst.index);
    const partial = stopped && inst.status === 'partial';
    if (
      !other ||
      (partial ? inst.accuracy.length > other.accuracy.length : other.accuracy.length !== inst.accuracy.length)
    ) {
      equal = false;
      return;
    }
    inst.accuracy.forEach((row, p) => {
      if (inst.points[p]?.step !== other.points[p]?.step) equal = false;
      row.forEach((v, c) => {
        const d = Math.abs(v - other.accuracy[p][c]);
        compared++;
        if (d !== 0) equal = false;
        maxAcc = Math.max(maxAcc, d);
      });
    });
    if (gt && !partial) maxTau = Math.max(maxTau, Math.abs(gtTau(finalRow(inst), gt) - gtTau(finalRow(other), gt)));
  });
  const sameBackend = live.engine.backend === rec.engine.backend;
  if (stopped && compared === 0) equal = false;
  const backend = live.engine.backend;
  const n = compared.toLocaleString('en');
  const how =
    maxAcc > 0
      ? `largest accuracy difference ${(maxAcc * 100).toFixed(2)} pp` +
        (gt && maxTau > 0 ? `, GT-Tau differs by at most ${maxTau.toFixed(3)}` : '')
      : 'its instances or evaluation points are not the recording’s';
  const text =
    stopped && compared === 0
      ? 'Stopped before its first evaluation: nothing to compare with the recording yet.'
      : equal && stopped
        ? `Stopped before the end: the ${n} accuracies it reached equal the recording’s (${backend}, as recorded).`
        : equal
          ? `The live run equals the recording: all ${n} accuracies identical (${backend}, as recorded).`
          : `The live run (${backend}${stopped ? ', stopped before the end' : ''}) deviates from the recording ` +
            `(${rec.engine.backend}): ${how}` +
            (sameBackend
              ? ' — on the same backend, which should not happen: please report it.'
              : ' — different backends round differently.');
  return {
    equal,
    sameBackend,
    stopped,
    maxAccuracyDiff: maxAcc,
    maxGtTauDiff: gt ? maxTau : Number.NaN,
    compared,
    text,
  };
}

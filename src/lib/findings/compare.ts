// A live run against its recording: equal (same backend, same numbers) or how far it deviates.
import { gtTau } from '../../engine/core/metrics';
import type { RunRecord } from '../../engine/schema/record';
import { finalRow } from '../../engine/schema/summary';

export interface Comparison {
  equal: boolean;
  sameBackend: boolean;
  /** Largest |accuracy difference| over every instance, evaluation point and child. */
  maxAccuracyDiff: number;
  /** Largest |GT-Tau difference| at the final point of an instance (NaN without ground truth). */
  maxGtTauDiff: number;
  compared: number;
  text: string;
}

export function compareRuns(live: RunRecord, rec: RunRecord): Comparison {
  let maxAcc = 0;
  let compared = 0;
  let equal = live.instances.length === rec.instances.length;
  let maxTau = 0;
  const gt = rec.groundTruth?.mean ?? live.groundTruth?.mean;
  live.instances.forEach((inst) => {
    const other = rec.instances.find((x) => x.index === inst.index);
    if (!other || other.accuracy.length !== inst.accuracy.length) {
      equal = false;
      return;
    }
    inst.accuracy.forEach((row, p) =>
      row.forEach((v, c) => {
        const d = Math.abs(v - other.accuracy[p][c]);
        compared++;
        if (d !== 0) equal = false;
        maxAcc = Math.max(maxAcc, d);
      }),
    );
    if (gt) maxTau = Math.max(maxTau, Math.abs(gtTau(finalRow(inst), gt) - gtTau(finalRow(other), gt)));
  });
  const sameBackend = live.engine.backend === rec.engine.backend;
  const pct = (x: number) => `${(x * 100).toFixed(2)} pp`;
  const text = equal
    ? `The live run equals the recording: all ${compared.toLocaleString('en')} accuracies identical ` +
      `(${live.engine.backend}, as recorded).`
    : `The live run (${live.engine.backend}) deviates from the recording (${rec.engine.backend}): largest ` +
      `accuracy difference ${pct(maxAcc)}${gt ? `, GT-Tau differs by at most ${maxTau.toFixed(3)}` : ''}` +
      (sameBackend
        ? ' — on the same backend, which should not happen: please report it.'
        : ' — different backends round differently.');
  return { equal, sameBackend, maxAccuracyDiff: maxAcc, maxGtTauDiff: gt ? maxTau : Number.NaN, compared, text };
}

// The metrics summary printed at the end of a CLI run.
import type { RunRecord } from '../engine/schema/record';
import { stripControl } from '../engine/schema/config';
import { plural } from '../engine/core/text';
import { policyLabel } from '../engine/space/sharing';

const f = (x: number, d = 4) => (Number.isFinite(x) ? x.toFixed(d) : '—');
const pm = (s: { mean: number; std: number }, d = 4) => `${f(s.mean, d)} ± ${f(s.std, d)}`;

export function summaryTable(r: RunRecord): string {
  const m = r.metrics;
  const lines = [
    `${stripControl(r.config.name)}: ${policyLabel(r.config.sharing)}, order ${r.config.train.order}, ` +
      `${plural(r.instances.length, 'instance')}, ${r.parameterCount.toLocaleString('en')} params, ` +
      `${r.engine.backend}, ` +
      `${r.seconds.toFixed(1)} s${r.status !== 'complete' ? ` (${r.status.toUpperCase()})` : ''}`,
  ];
  if (!m) return lines.concat('no evaluation yet').join('\n');
  if (m.sTau.pairs > 0)
    lines.push(
      `S-Tau (between instances, final): mean ${f(m.sTau.mean)}  max ${f(m.sTau.max)}  min ${f(m.sTau.min)}  ` +
        `(${m.sTau.pairs} pairs)`,
    );
  else lines.push('S-Tau between instances needs --seeds 2 or more');
  for (const i of m.instances.filter((x) => x.sTauLastEpochs.pairs > 0))
    lines.push(
      `S-Tau across the last ${Math.round((1 + Math.sqrt(1 + 8 * i.sTauLastEpochs.pairs)) / 2)} epochs of ` +
        `instance ${i.index} ("different epochs"): mean ${f(i.sTauLastEpochs.mean)}  max ` +
        `${f(i.sTauLastEpochs.max)}  min ${f(i.sTauLastEpochs.min)}`,
    );
  if (r.groundTruth) {
    lines.push(
      `ground truth: ${r.groundTruth.source}` +
        (m.groundTruthSTau ? `; its own seed-to-seed S-Tau ${f(m.groundTruthSTau.mean)}` : ''),
    );
    lines.push(`GT-Tau ${pm(m.gtTau)}   T1R ${pm(m.t1r, 1)}   T3R ${pm(m.t3r, 1)}`);
    lines.push(`GT-Tau-Mean-k ${pm(m.gtTauMeanK)}   GT-Tau-Std-k ${pm(m.gtTauStdK)}   (k = ${m.instances[0]?.k ?? 0})`);
    lines.push('');
    lines.push('inst  GT-Tau   T1R  T3R  Mean-k   Std-k   best child');
    for (const i of m.instances)
      lines.push(
        `${String(i.index).padStart(4)}  ${f(i.gtTau).padStart(7)}  ${String(i.t1r).padStart(3)}  ` +
          `${String(i.t3r).padStart(3)}  ${f(i.gtTauMeanK).padStart(7)}  ${f(i.gtTauStdK).padStart(6)}  ` +
          `${r.childNames[i.best]}`,
      );
  } else
    lines.push(
      'no ground truth for this config: GT-Tau, TnR and GT-Tau-Mean-k need it — run again with --compute-gt, ' +
        'or `npm run cli -- groundtruth` with the same options',
    );
  return lines.join('\n');
}

// The probe's answer in one paragraph: how far the trained child and the others moved, by shared edges, against the
// control (pure; tested).
import type { ProbeAnswer } from '../worker/protocol';

const pp = (x: number) => `${x >= 0 ? '+' : '−'}${Math.abs(x * 100).toFixed(2)}`;

export function probeSentence(r: ProbeAnswer): string {
  const own = r.after[r.child] - r.before[r.child];
  const byShared = r.groups
    .map((g) => `${g.shared} edge${g.shared === 1 ? '' : 's'}: ${pp(g.change)} ± ${(g.se * 100).toFixed(2)}`)
    .join('; ');
  const control = r.groups.map((g) => `${g.shared}: ${pp(g.controlChange)}`).join(', ');
  // Interference shows as a change beyond two standard errors in some group.
  const moved = r.groups.filter((g) => Math.abs(g.change) > 2 * g.se);
  return (
    `From step ${r.fromStep} of ${r.totalSteps} (instance ${r.instance}), ${r.steps} step${r.steps === 1 ? '' : 's'} ` +
    `of ${r.childName} at learning rate ${r.lr.toPrecision(2)} moved its own accuracy ${pp(own)} points and the ` +
    `others, by edges shared (mean change ± standard error, points): ${byShared}. The control (no weight moved, only ` +
    `BN statistics): ${control}. ` +
    (moved.length
      ? `Children sharing ${moved.map((g) => g.shared).join(', ')} edge(s) moved by more than two standard errors.`
      : 'No group moved by more than two standard errors.')
  );
}

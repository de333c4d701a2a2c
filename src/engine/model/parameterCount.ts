// The trainable parameters of a supernet over all its weight copies, from shapes alone (no tensors): the slots,
// and the sharing policy's copy keys.
import { numClassesOf, spaceOf, type ExperimentConfig } from '../schema/config';
import { copyKeyFn } from '../space/sharing';
import { buildSlots, childUsesSlot } from './slots';

/** Trainable parameters of a config's supernet over all its weight copies, counted from shapes (no tensors). */
export function countParameters(cfg: ExperimentConfig): number {
  const space = spaceOf(cfg);
  const slots = buildSlots(cfg.model, space, numClassesOf(cfg)).filter((s) => s.trainable);
  const key = copyKeyFn(cfg.sharing, space);
  const sizes = new Map<string, number>();
  for (let c = 0; c < space.numChildren; c++) {
    const arch = space.arch(c);
    for (const s of slots)
      if (childUsesSlot(arch, s))
        sizes.set(
          key(c, s),
          s.shape.reduce((a, b) => a * b, 1),
        );
  }
  let n = 0;
  for (const v of sizes.values()) n += v;
  return n;
}

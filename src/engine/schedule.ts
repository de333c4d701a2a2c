// Learning-rate schedule and the order in which a job's children are trained.
import type { OrderMode, TrainConfig } from './config';
import { Rng } from './rng';

/** Cosine annealing per epoch (PyTorch CosineAnnealingLR, T_max = epochs) from lr down to lrMin. */
export function cosineLr(t: TrainConfig, epoch: number): number {
  return t.lrMin + ((t.lr - t.lrMin) * (1 + Math.cos((Math.PI * epoch) / t.epochs))) / 2;
}

/**
 * Child sequence of one job. fixed: lexicographic round-robin; shuffle-once: one permutation,
 * repeated; shuffle-period: a new permutation every len(children) steps; uniform: i.i.d. draws.
 */
export class ChildOrder {
  private perm: number[];
  private pos = 0;
  private period = 0;
  private readonly rng: Rng;
  constructor(
    private readonly children: readonly number[],
    private readonly mode: OrderMode,
    orderSeed: number,
    job: number,
  ) {
    this.rng = Rng.from(orderSeed, 'order', job);
    this.perm = mode === 'fixed' || mode === 'uniform' ? [...children] : this.rng.shuffle([...children]);
  }
  next(): number {
    if (this.mode === 'uniform') return this.children[this.rng.int(this.children.length)];
    if (this.pos === this.perm.length) {
      this.pos = 0;
      this.period++;
      if (this.mode === 'shuffle-period') this.perm = this.rng.shuffle([...this.children]);
    }
    return this.perm[this.pos++];
  }
}

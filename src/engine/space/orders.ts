// The child orders: one registry that the config schema, the CLI and the page list from, and the
// sequence of children one job trains.
import { Rng } from '../core/rng';

/** The child orders: one registry that the config schema, the CLI and the page list from. */
export const ORDER_MODES = {
  fixed: { title: 'fixed', help: 'lexicographic round-robin, the same every period (paper: "different seeds")' },
  'shuffle-once': {
    title: 'shuffled once',
    help: 'one random permutation, repeated every period (paper: "different orders")',
  },
  'shuffle-period': {
    title: 'reshuffled each period',
    help: 'a new permutation every period (paper: "diff. orders (shuffle)")',
  },
  uniform: { title: 'uniform', help: 'i.i.d. draws: a child may repeat or wait (not in the paper)' },
} as const;
export type OrderMode = keyof typeof ORDER_MODES;
export const ORDER_IDS = Object.keys(ORDER_MODES) as OrderMode[];
/** Whether a string names a child order: own entries only (not __proto__, toString…). */
export const isOrderMode = (s: string): s is OrderMode => Object.hasOwn(ORDER_MODES, s);

/**
 * Child sequence of one job. fixed: lexicographic round-robin; shuffle-once: one permutation,
 * repeated; shuffle-period: a new permutation every len(children) steps; uniform: i.i.d. draws.
 */
export interface ChildOrderState {
  perm: number[];
  pos: number;
  rng: number;
}

export class ChildOrder {
  private perm: number[];
  private pos = 0;
  private rng: Rng;
  constructor(
    private readonly children: readonly number[],
    private readonly mode: OrderMode,
    orderSeed: number,
    job: number,
  ) {
    this.rng = Rng.from(orderSeed, 'order', job);
    this.perm = mode === 'fixed' || mode === 'uniform' ? [...children] : this.rng.shuffle([...children]);
  }
  /** For checkpoints: where the sequence stands. */
  get state(): ChildOrderState {
    return { perm: [...this.perm], pos: this.pos, rng: this.rng.state };
  }
  set state(s: ChildOrderState) {
    this.perm = [...s.perm];
    this.pos = s.pos;
    this.rng = new Rng(s.rng);
  }
  next(): number {
    if (this.mode === 'uniform') return this.children[this.rng.int(this.children.length)];
    if (this.pos === this.perm.length) {
      this.pos = 0;
      if (this.mode === 'shuffle-period') this.perm = this.rng.shuffle([...this.children]);
    }
    return this.perm[this.pos++];
  }
}

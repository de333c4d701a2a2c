// Learning-rate schedule and the order in which a job's children are trained.
import type { ExperimentConfig, TrainConfig } from './config';
import type { EvalPoint } from './record';
import { Rng } from './rng';

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

/** Cosine annealing per epoch (PyTorch CosineAnnealingLR, T_max = epochs) from lr down to lrMin. */
export function cosineLr(t: TrainConfig, epoch: number): number {
  return t.lrMin + ((t.lr - t.lrMin) * (1 + Math.cos((Math.PI * epoch) / t.epochs))) / 2;
}

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

export function stepsPerEpoch(cfg: ExperimentConfig): number {
  return Math.ceil(cfg.data.trainSize / cfg.train.batchSize);
}

export const totalSteps = (cfg: ExperimentConfig) => stepsPerEpoch(cfg) * cfg.train.epochs;

/** Evaluation points of one instance: every epoch end (if on), every dense step, and the last step. */
export function evalPoints(cfg: ExperimentConfig): EvalPoint[] {
  const spe = stepsPerEpoch(cfg);
  const total = totalSteps(cfg);
  const out: EvalPoint[] = [];
  for (let step = 0; step < total; step++) {
    const epochEnd = step % spe === spe - 1 && cfg.eval.everyEpoch;
    const dense = step >= total - cfg.eval.denseSteps;
    if (epochEnd || dense || step === total - 1)
      out.push({ step: step + 1, epoch: Math.floor(step / spe) + 1, epochEnd: epochEnd || step === total - 1, dense });
  }
  return out;
}

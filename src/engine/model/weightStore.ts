// Owns every weight copy, BN running statistic and momentum buffer of a supernet instance.
import * as tf from '@tensorflow/tfjs';
import { numClassesOf, spaceOf, type ExperimentConfig } from '../schema/config';
import { Rng } from '../core/rng';
import type { SearchSpace } from '../space/searchSpace';
import { copyKeyFn, type CopyKeyFn } from '../space/sharing';
import { buildSlots, childUsesSlot, FIXED_INIT_SEED } from './slots';
import { type SlotDef } from '../space/slotDef';

/** For one child: slot name → the variable that fills it. */
export type Resolver = (slot: string) => tf.Variable;

export type Snapshot = Map<string, { value: Float32Array; momentum?: Float32Array }>;

export interface Copy {
  key: string;
  slot: SlotDef;
  value: tf.Variable;
  momentum?: tf.Variable;
}

export class WeightStore {
  readonly space: SearchSpace;
  readonly numClasses: number;
  readonly slots: SlotDef[];
  readonly copies = new Map<string, Copy>();
  /** child → (slot name → copy key) */
  private readonly keys: Map<string, string>[] = [];
  private readonly keyFn: CopyKeyFn;
  /** tfjs variable names are global: prefix ours so stores can coexist. */
  private readonly id = `store${nextStoreId++}`;
  /** 1 on the device once a queued step's loss was not finite (trainer.queueStep): later updates are skipped. */
  private halted?: tf.Variable;

  constructor(
    readonly cfg: ExperimentConfig,
    initSeed: number,
    children?: readonly number[],
  ) {
    this.space = spaceOf(cfg);
    this.numClasses = numClassesOf(cfg);
    this.slots = buildSlots(cfg.model, this.space, this.numClasses);
    this.keyFn = copyKeyFn(cfg.sharing, this.space);
    for (const c of children ?? Array.from({ length: this.space.numChildren }, (_, i) => i)) {
      const arch = this.space.arch(c);
      const m = new Map<string, string>();
      for (const s of this.slots) {
        if (!childUsesSlot(arch, s)) continue;
        const key = this.keyFn(c, s);
        m.set(s.name, key);
        if (!this.copies.has(key))
          this.copies.set(key, {
            key,
            slot: s,
            value: ownedVariable(
              initTensor(s, s.fixedInit ? Rng.from(FIXED_INIT_SEED, 'init', s.name) : Rng.from(initSeed, 'init', key)),
              s.trainable,
              `${this.id}/${key}`,
            ),
          });
      }
      this.keys[c] = m;
    }
  }

  keyOf(child: number, slot: string): string {
    const k = this.keys[child]?.get(slot);
    if (k === undefined) throw new Error(`child ${child} has no slot ${slot}`);
    return k;
  }

  resolver(child: number): Resolver {
    const m = this.keys[child];
    if (!m) throw new Error(`child ${child} is not in this store`);
    return (slot) => {
      const k = m.get(slot);
      if (k === undefined) throw new Error(`child ${child} has no slot ${slot}`);
      return this.copies.get(k)!.value;
    };
  }

  /** Every copy a child reads (weights and BN statistics), in slot order. */
  copiesOf(child: number): Copy[] {
    return [...this.keys[child].values()].map((k) => this.copies.get(k)!);
  }

  /** The trainable copies a child reads, in slot order. */
  trainableCopies(child: number): Copy[] {
    return this.copiesOf(child).filter((c) => c.slot.trainable);
  }

  /** Copy keys of the stem for a child, joined: children with equal signatures have identical stems. */
  stemSignature(child: number): string {
    return [...this.keys[child].entries()]
      .filter(([name]) => name.startsWith('stem.'))
      .map(([, k]) => k)
      .join('|');
  }

  /** Resets every momentum buffer (a fresh optimizer, as for fine-tuning). */
  resetMomenta(): void {
    for (const c of this.copies.values()) {
      c.momentum?.dispose();
      c.momentum = undefined;
    }
  }

  /** Plain-array copy of all values (and momenta, unless only values are asked for: evaluation elsewhere). */
  async snapshot(withMomenta = true): Promise<Snapshot> {
    const out: Snapshot = new Map();
    for (const c of this.copies.values())
      out.set(c.key, {
        value: (await c.value.data()) as Float32Array,
        momentum: withMomenta && c.momentum ? ((await c.momentum.data()) as Float32Array) : undefined,
      });
    return out;
  }

  /** Puts back a snapshot: every copy, or only `only` (e.g. the copies one child reads). */
  restore(snap: Snapshot, only?: Copy[]): void {
    for (const c of only ?? this.copies.values()) {
      const s = snap.get(c.key);
      if (!s) throw new Error(`snapshot lacks ${c.key}`);
      tf.tidy(() => c.value.assign(tf.tensor(s.value, c.value.shape)));
      c.momentum?.dispose();
      c.momentum = s.momentum ? ownedVariable(tf.tensor(s.momentum, c.value.shape), false) : undefined;
    }
  }

  parameterCount(): number {
    let n = 0;
    for (const c of this.copies.values()) if (c.slot.trainable) n += c.value.size;
    return n;
  }

  haltedFlag(): tf.Variable {
    return (this.halted ??= ownedVariable(tf.scalar(0), false));
  }

  dispose(): void {
    for (const c of this.copies.values()) {
      c.value.dispose();
      c.momentum?.dispose();
    }
    this.copies.clear();
    this.halted?.dispose();
    this.halted = undefined;
  }
}

let nextStoreId = 0;

/** tf.variable(t) keeps t's buffer referenced: dispose the initialiser so the tensor count stays flat. */
export function ownedVariable(init: tf.Tensor, trainable: boolean, name?: string): tf.Variable {
  const v = tf.variable(init, trainable, name);
  init.dispose();
  return v;
}

/**
 * PyTorch-default init (uniform ±1/√fanIn for convs and linears), drawn from our own PRNG so it is identical on every
 * backend.
 */
function initTensor(s: SlotDef, rng: Rng): tf.Tensor {
  const n = s.shape.reduce((a, b) => a * b, 1);
  const a = new Float32Array(n);
  if (s.fanIn > 0) {
    const bound = 1 / Math.sqrt(s.fanIn);
    for (let i = 0; i < n; i++) a[i] = rng.uniform(-bound, bound);
  } else a.fill(s.fill);
  return tf.tensor(a, s.shape);
}

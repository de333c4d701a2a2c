// Seeded randomness. Every random choice in the engine flows from an Rng built from the
// experiment seed plus a label, so adding a new consumer never shifts existing streams.

/** 32-bit FNV-1a hash of a string. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Mixes a seed and labels into one 32-bit seed. */
export function deriveSeed(seed: number, ...labels: (string | number)[]): number {
  let h = hashString(`${seed >>> 0}`);
  for (const l of labels) h = hashString(`${h}:${l}`);
  return h;
}

/** mulberry32: small, fast, good enough for shuffles, crops and weight init. */
export class Rng {
  private state_: number;
  constructor(seed: number) {
    this.state_ = seed >>> 0;
  }
  static from(seed: number, ...labels: (string | number)[]): Rng {
    return new Rng(deriveSeed(seed, ...labels));
  }
  /** The whole generator state (one 32-bit word), for checkpoints: `new Rng(r.state)` continues the stream. */
  get state(): number {
    return this.state_;
  }
  /** Uniform in [0, 1). */
  next(): number {
    let t = (this.state_ = (this.state_ + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }
  /** Standard normal (Box–Muller). */
  normal(): number {
    let u = 0;
    while (u === 0) u = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }
  /** In-place Fisher–Yates shuffle. */
  shuffle<T>(a: T[]): T[] {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
    return a;
  }
  permutation(n: number): number[] {
    return this.shuffle(Array.from({ length: n }, (_, i) => i));
  }
}

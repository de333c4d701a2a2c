// Image datasets as uint8 NHWC arrays, and the batches the trainer consumes.
import { Rng } from '../core/rng';

export interface ImageSet {
  /** n × size × size × 3 bytes, NHWC. */
  images: Uint8Array;
  labels: Uint8Array;
  n: number;
  size: number;
}

export interface DataSplits {
  name: string;
  classes: string[];
  train: ImageSet;
  val: ImageSet;
}

/** CIFAR-10 channel mean / std (the paper's Normalize). Applied to every dataset. */
export const CIFAR_MEAN = [0.49139968, 0.48215827, 0.44653124];
export const CIFAR_STD = [0.24703233, 0.24348505, 0.26158768];

export function subset(s: ImageSet, n: number): ImageSet {
  const k = Math.min(n, s.n);
  const px = s.size * s.size * 3;
  return { images: s.images.subarray(0, k * px), labels: s.labels.subarray(0, k), n: k, size: s.size };
}

/** Box-filter downsampling by an integer factor (32 → 16 → 8). */
export function downsample(s: ImageSet, size: number): ImageSet {
  if (size === s.size) return s;
  const f = s.size / size;
  if (!Number.isInteger(f)) throw new Error(`cannot downsample ${s.size} to ${size}`);
  const out = new Uint8Array(s.n * size * size * 3);
  const inv = 1 / (f * f);
  for (let i = 0; i < s.n; i++)
    for (let y = 0; y < size; y++)
      for (let x = 0; x < size; x++)
        for (let c = 0; c < 3; c++) {
          let acc = 0;
          for (let dy = 0; dy < f; dy++)
            for (let dx = 0; dx < f; dx++) acc += s.images[((i * s.size + y * f + dy) * s.size + x * f + dx) * 3 + c];
          out[((i * size + y) * size + x) * 3 + c] = Math.round(acc * inv);
        }
  return { images: out, labels: s.labels, n: s.n, size };
}

export interface Batch {
  x: Float32Array;
  y: Int32Array;
  n: number;
  size: number;
}

/**
 * Normalised float batch of the given indices. With an Rng: random crop with zero padding
 * (4 px at 32×32, scaled with the input) and horizontal flip, as in the paper's training set.
 */
export function makeBatch(s: ImageSet, idx: ArrayLike<number>, augment?: Rng): Batch {
  const n = idx.length;
  const S = s.size;
  const x = new Float32Array(n * S * S * 3);
  const y = new Int32Array(n);
  const pad = Math.max(1, Math.round((4 * S) / 32));
  // Normalised value of a zero pixel, used for the padded border.
  const zero = CIFAR_MEAN.map((m, c) => -m / CIFAR_STD[c]);
  const scale = CIFAR_STD.map((sd) => 1 / (255 * sd));
  const shift = CIFAR_MEAN.map((m, c) => m / CIFAR_STD[c]);
  for (let b = 0; b < n; b++) {
    const i = idx[b];
    y[b] = s.labels[i];
    const ox = augment ? augment.int(2 * pad + 1) - pad : 0;
    const oy = augment ? augment.int(2 * pad + 1) - pad : 0;
    const flipH = augment ? augment.next() < 0.5 : false;
    const base = i * S * S * 3;
    for (let r = 0; r < S; r++) {
      const sr = r + oy;
      for (let col = 0; col < S; col++) {
        const sc0 = flipH ? S - 1 - col : col;
        const sc = sc0 + ox;
        const o = ((b * S + r) * S + col) * 3;
        if (sr < 0 || sr >= S || sc < 0 || sc >= S) {
          x[o] = zero[0];
          x[o + 1] = zero[1];
          x[o + 2] = zero[2];
        } else {
          const p = base + (sr * S + sc) * 3;
          x[o] = s.images[p] * scale[0] - shift[0];
          x[o + 1] = s.images[p + 1] * scale[1] - shift[1];
          x[o + 2] = s.images[p + 2] * scale[2] - shift[2];
        }
      }
    }
  }
  return { x, y, n, size: S };
}

/**
 * A seeded built-in set of 32×32 images: `draw` paints image i of class i mod classes (interleaved,
 * so every prefix is balanced) into a float RGB buffer, which is clamped to bytes.
 */
export function generateImages(
  n: number,
  classes: number,
  rng: Rng,
  draw: (img: Float32Array, label: number, rng: Rng) => void,
): ImageSet {
  const S = 32;
  const images = new Uint8Array(n * S * S * 3);
  const labels = new Uint8Array(n);
  const img = new Float32Array(S * S * 3);
  for (let i = 0; i < n; i++) {
    const label = i % classes;
    draw(img, label, rng);
    labels[i] = label;
    const o = i * S * S * 3;
    for (let k = 0; k < img.length; k++) images[o + k] = Math.max(0, Math.min(255, Math.round(img[k])));
  }
  return { images, labels, n, size: S };
}

/** Train and validation splits of a generated dataset, each drawn from its own stream of the seed. */
export function generatedSplits(
  name: string,
  classes: string[],
  stream: string,
  draw: (img: Float32Array, label: number, rng: Rng) => void,
  sizes: { trainSize: number; valSize: number; seed: number },
): DataSplits {
  const set = (n: number, split: string) =>
    generateImages(n, classes.length, Rng.from(sizes.seed, stream, split), draw);
  return {
    name: `${name}(seed ${sizes.seed})`,
    classes,
    train: set(sizes.trainSize, 'train'),
    val: set(sizes.valSize, 'val'),
  };
}

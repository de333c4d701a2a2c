// The first synthetic dataset (v1, kept so old links and records still open): stripes, checkers,
// blobs, dot pairs, bars and rings. It was meant to make the ops rank differently, but measured it
// does not: max-pool children do as well as conv children and the ground truth's seeds agree at
// Kendall 0.14 (docs/findings.md). The classroom presets use gratings.ts. ~1 s for 6,000 images.
import { Rng } from '../core/rng';
import { generatedSplits, type DataSplits } from './dataset';

export const SHAPE_CLASSES = [
  'h-stripes',
  'v-stripes',
  'checker',
  'soft blob',
  'same-colour pair',
  'two-colour pair',
  'bar over dot',
  'dot over bar',
  'ring',
  'disk',
];

const S = 32;
type RGB = [number, number, number];

function randomColour(rng: Rng, avoid?: RGB): RGB {
  for (;;) {
    const c: RGB = [rng.uniform(20, 235), rng.uniform(20, 235), rng.uniform(20, 235)];
    if (!avoid || Math.hypot(c[0] - avoid[0], c[1] - avoid[1], c[2] - avoid[2]) > 140) return c;
  }
}

/** Draws one image of class `label` into `img` (float RGB, 32×32×3). */
function draw(img: Float32Array, label: number, rng: Rng): void {
  const bg = randomColour(rng);
  const fg = randomColour(rng, bg);
  for (let p = 0; p < S * S; p++) {
    img[p * 3] = bg[0];
    img[p * 3 + 1] = bg[1];
    img[p * 3 + 2] = bg[2];
  }
  const put = (x: number, y: number, c: RGB, a = 1) => {
    x = Math.round(x);
    y = Math.round(y);
    if (x < 0 || y < 0 || x >= S || y >= S) return;
    const o = (y * S + x) * 3;
    for (let k = 0; k < 3; k++) img[o + k] = img[o + k] * (1 - a) + c[k] * a;
  };
  const rect = (x0: number, y0: number, w: number, h: number, c: RGB) => {
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) put(x0 + x, y0 + y, c);
  };
  const cx = rng.uniform(11, 21);
  const cy = rng.uniform(11, 21);
  switch (label) {
    case 0:
    case 1:
    case 2: {
      // Textured patch; period 4–6 px survives downsampling to 16×16.
      const period = 4 + rng.int(3);
      const half = 6 + rng.int(4);
      for (let y = -half; y < half; y++)
        for (let x = -half; x < half; x++) {
          const u = Math.floor((x + 64) / (period / 2)) % 2;
          const v = Math.floor((y + 64) / (period / 2)) % 2;
          const on = label === 0 ? v : label === 1 ? u : u ^ v;
          if (on) put(cx + x, cy + y, fg);
        }
      break;
    }
    case 3: {
      const r = rng.uniform(5, 8);
      for (let y = -12; y <= 12; y++)
        for (let x = -12; x <= 12; x++) put(cx + x, cy + y, fg, Math.exp(-(x * x + y * y) / (2 * r * r)));
      break;
    }
    case 4:
    case 5: {
      const d = rng.uniform(10, 14);
      const a = rng.uniform(0, 2 * Math.PI);
      const c2 = label === 4 ? fg : randomColour(rng, fg);
      rect(cx - 2 - (Math.cos(a) * d) / 2, cy - 2 - (Math.sin(a) * d) / 2, 5, 5, fg);
      rect(cx - 2 + (Math.cos(a) * d) / 2, cy - 2 + (Math.sin(a) * d) / 2, 5, 5, c2);
      break;
    }
    case 6:
    case 7: {
      const d = rng.uniform(7, 11);
      const sign = label === 6 ? 1 : -1;
      rect(cx - 5, cy - 1 - (sign * d) / 2, 10, 3, fg);
      rect(cx - 1, cy - 1 + (sign * d) / 2, 3, 3, fg);
      break;
    }
    case 8:
    case 9: {
      const r = rng.uniform(6, 9.5);
      for (let y = -11; y <= 11; y++)
        for (let x = -11; x <= 11; x++) {
          const rr = Math.hypot(x, y);
          if (rr <= r && (label === 9 || rr >= r - 2.2)) put(cx + x, cy + y, fg);
        }
      break;
    }
  }
  // Sensor noise and a random global brightness shift.
  const gain = rng.uniform(0.8, 1.2);
  for (let i = 0; i < img.length; i++) img[i] = img[i] * gain + rng.normal() * 10;
}

export function shapeSplits(trainSize: number, valSize: number, seed: number): DataSplits {
  return generatedSplits('synthetic', SHAPE_CLASSES, 'synthetic', draw, { trainSize, valSize, seed });
}

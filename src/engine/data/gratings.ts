// The classroom dataset: noisy gratings. Each image holds one class grating, whose wavelength and
// orientation are the label, under distractor gratings of random wavelength and orientation and
// pixel noise. Telling 16 px from 22 px stripes, or a vertical class grating from a near-vertical
// distractor, needs a wide receptive field and several nonlinear layers, so the children's
// accuracies spread by architecture (max-pool children learn least) while every child converges
// quickly — the ground truth then ranks the same way from seed to seed.
import { Rng } from '../core/rng';
import { generatedSplits, type DataSplits } from './dataset';

const S = 32;
/** Wavelengths in pixels at 32×32 (the model sees 16×16: half these). */
const WAVELENGTHS = [8, 11, 16, 22, 30];
const ORIENTATIONS = [0, 90];
const AMPLITUDE = 50;
const DISTRACTORS = 3;
const DISTRACTOR_AMPLITUDE = 0.8;
const JITTER = 0.08;
const NOISE = 30;

export const GRATING_CLASSES = ORIENTATIONS.flatMap((o) =>
  WAVELENGTHS.map((w) => `${o === 0 ? 'vertical' : 'horizontal'} ${w} px`),
);

function unitColour(rng: Rng): number[] {
  const c = [rng.normal(), rng.normal(), rng.normal()];
  const n = Math.hypot(c[0], c[1], c[2]) || 1;
  return c.map((x) => (x / n) * 1.7);
}

function draw(img: Float32Array, label: number, rng: Rng): void {
  const bg = [rng.uniform(80, 175), rng.uniform(80, 175), rng.uniform(80, 175)];
  for (let p = 0; p < S * S; p++) for (let k = 0; k < 3; k++) img[p * 3 + k] = bg[k];
  const grating = (wavelength: number, degrees: number, amp: number) => {
    const th = (degrees * Math.PI) / 180;
    const phase = rng.uniform(0, 2 * Math.PI);
    const col = unitColour(rng);
    const kx = (Math.cos(th) * 2 * Math.PI) / wavelength;
    const ky = (Math.sin(th) * 2 * Math.PI) / wavelength;
    for (let y = 0; y < S; y++)
      for (let x = 0; x < S; x++) {
        const v = amp * Math.cos(kx * x + ky * y + phase);
        const q = (y * S + x) * 3;
        for (let k = 0; k < 3; k++) img[q + k] += v * col[k];
      }
  };
  const w = WAVELENGTHS[label % WAVELENGTHS.length];
  const o = ORIENTATIONS[Math.floor(label / WAVELENGTHS.length)];
  grating(w * (1 + rng.uniform(-JITTER, JITTER)), o + rng.uniform(-8, 8), AMPLITUDE);
  const [lo, hi] = [Math.log(WAVELENGTHS[0] * 0.8), Math.log(WAVELENGTHS[WAVELENGTHS.length - 1] * 1.2)];
  for (let d = 0; d < DISTRACTORS; d++)
    grating(Math.exp(rng.uniform(lo, hi)), rng.uniform(0, 180), AMPLITUDE * DISTRACTOR_AMPLITUDE * rng.uniform(0.5, 1));
  for (let i = 0; i < img.length; i++) img[i] += rng.normal() * NOISE;
}

export function gratingSplits(trainSize: number, valSize: number, seed: number): DataSplits {
  return generatedSplits('gratings', GRATING_CLASSES, 'gratings', draw, { trainSize, valSize, seed });
}

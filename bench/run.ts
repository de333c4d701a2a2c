// npm run bench: supernet-step images/s at batch 64 (paper model and tiny) on wasm, cpu and webgpu
// (Dawn), next to the same step in PyTorch on the CPU, and ours/PyTorch. A measurement, not a test.
import * as tf from '@tensorflow/tfjs';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { ExperimentConfig } from '../src/engine/config';
import { preset } from '../src/engine/presets';
import { makeBatch } from '../src/engine/data/dataset';
import { gratingSplits } from '../src/engine/data/gratings';
import { downsample } from '../src/engine/data/dataset';
import { trainStep } from '../src/engine/trainer';
import { useStockGradients } from '../src/engine/gradients';
import { WeightStore } from '../src/engine/weightStore';
import { useBackend, type BackendName } from '../src/node/backends';

const BATCH = 64;
const args = process.argv.slice(2);
const only = (flag: string) =>
  args
    .find((a) => a.startsWith(`--${flag}=`))
    ?.split('=')[1]
    ?.split(',');
const backends = (only('backends') ?? ['wasm', 'cpu', 'webgpu']) as BackendName[];
const models = only('models') ?? ['paper', 'tiny'];
/** Seconds of timed steps per case (after warm-up); slow cases stop after one step. */
const BUDGET_S = Number(only('seconds')?.[0] ?? 20);

const children = Array.from({ length: 64 }, (_, i) => i).filter((i) => i % 7 === 0); // same children as the PyTorch script

async function measure(
  name: string,
  backend: BackendName,
  stockGradients = false,
): Promise<{ imgPerS: number; steps: number } | string> {
  useStockGradients(stockGradients);
  try {
    await useBackend(backend);
  } catch (e) {
    return `unavailable: ${(e as Error).message}`;
  }
  const cfg: ExperimentConfig = preset(name);
  cfg.train.batchSize = BATCH;
  const data = gratingSplits(BATCH, 10, 0);
  const train = downsample(data.train, cfg.model.inputSize);
  const batch = makeBatch(
    train,
    Array.from({ length: BATCH }, (_, i) => i),
  );
  const store = new WeightStore(cfg, 0);
  try {
    // Warm-up: each child once (shader compilation on webgpu, kernel set-up), within the budget.
    const w0 = performance.now();
    for (const c of children) {
      await trainStep(store, c, batch, { ...cfg.train, lr: 0.025 });
      if ((performance.now() - w0) / 1000 > BUDGET_S) break;
    }
    let steps = 0;
    const t0 = performance.now();
    do {
      await trainStep(store, children[steps % children.length], batch, { ...cfg.train, lr: 0.025 });
      steps++;
    } while ((performance.now() - t0) / 1000 < BUDGET_S);
    const sec = (performance.now() - t0) / 1000 / steps;
    return { imgPerS: BATCH / sec, steps };
  } finally {
    store.dispose();
    useStockGradients(false);
  }
}

function torchRef(name: string): { imgPerS: number } | string {
  const py = '/usr/bin/python3';
  if (!existsSync(py)) return 'not measured: /usr/bin/python3 missing';
  const m = preset(name).model;
  const r = spawnSync(
    py,
    [
      'bench/torch_step.py',
      String(m.stemChannels),
      String(m.cellChannels),
      String(m.numCells),
      String(m.inputSize),
      String(BATCH),
      name === 'paper' ? '6' : '30',
    ],
    { encoding: 'utf8' },
  );
  if (r.status !== 0)
    return /No module named 'torch'/.test(r.stderr)
      ? 'not measured: PyTorch not installed (apt-get install python3-torch)'
      : `failed: ${r.stderr.trim().split('\n').pop()}`;
  return { imgPerS: JSON.parse(r.stdout.trim().split('\n').pop()!).img_per_s };
}

const rows: string[] = [];
const line = (s: string) => {
  rows.push(s);
  console.log(s);
};
line(
  `supernet training step, batch ${BATCH}, one child per step (round-robin over ${children.length} children); tfjs ${tf.version.tfjs}; ${new Date().toISOString()}`,
);
for (const name of models) {
  const ref = torchRef(name);
  const refTxt = typeof ref === 'string' ? ref : `${ref.imgPerS.toFixed(1)} img/s`;
  line(`\n${name} model (${JSON.stringify(preset(name).model)})`);
  line(`  PyTorch CPU, 1 thread (reference)  ${refTxt}`);
  for (const b of backends) {
    const r = await measure(name, b);
    if (typeof r === 'string') line(`  tfjs ${b.padEnd(7)} ${r}`);
    else
      line(
        `  tfjs ${b.padEnd(7)} ${r.imgPerS.toFixed(1).padStart(8)} img/s  (${r.steps} timed steps)  ours/PyTorch ${typeof ref === 'string' ? '—' : (r.imgPerS / ref.imgPerS).toFixed(3)}`,
      );
  }
}

// Baseline in the same process: our forward-op gradients against stock tfjs kernels and autodiff
// (wasm lacks the stock backprop kernels, so cpu and webgpu only; tiny model, to keep it short).
const stockBackends = backends.filter((b) => b !== 'wasm');
if (models.includes('tiny') && stockBackends.length) {
  line(`\ncustom gradients vs stock tfjs gradients (tiny model, same process)`);
  for (const b of stockBackends) {
    const stockRun = await measure('tiny', b, true);
    const ours = await measure('tiny', b, false);
    if (typeof stockRun === 'string' || typeof ours === 'string')
      line(`  tfjs ${b.padEnd(7)} ${typeof stockRun === 'string' ? stockRun : ours}`);
    else
      line(
        `  tfjs ${b.padEnd(7)} stock ${stockRun.imgPerS.toFixed(1)} img/s, ours ${ours.imgPerS.toFixed(1)} img/s: ours/stock ${(ours.imgPerS / stockRun.imgPerS).toFixed(2)}`,
      );
  }
}

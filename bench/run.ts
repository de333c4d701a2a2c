// npm run bench: one supernet training step at batch 64 (paper model and the classroom tiny) on
// wasm (our SIMD kernels, and without them), cpu and webgpu (Dawn), next to the same step in PyTorch
// on the CPU (one thread), measured in this run. Images per wall-second and per CPU-second (CPU time
// stays comparable on a shared, loaded machine). A measurement, not a test.
import * as tf from '@tensorflow/tfjs';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { downsample, subset, type ImageSet } from '../src/engine/data/dataset';
import { gratingSplits } from '../src/engine/data/gratings';
import { useFusedBnRelu, useStockGradients } from '../src/engine/kernels/gradients';
import { evaluateChildren, trainStep } from '../src/engine/train/trainer';
import { useWasmKernels } from '../src/engine/kernels/wasmKernels';
import { useWebgpuKernels } from '../src/engine/kernels/webgpuKernels';
import { WeightStore } from '../src/engine/model/weightStore';
import { useBackend, type BackendName } from '../src/node/backends';
import { BENCH_CHILDREN, benchConfig, stepSetup, timedSteps } from './stepSetup';

const BATCH = 64;
const args = process.argv.slice(2);
const only = (flag: string) =>
  args
    .find((a) => a.startsWith(`--${flag}=`))
    ?.split('=')[1]
    ?.split(',');
const backends = (only('backends') ?? ['wasm', 'cpu', 'webgpu']) as BackendName[];
const models = only('models') ?? ['paper', 'tiny'];
/** Cells of the model (default: the preset's), to measure a deeper classroom model: --cells=2. */
const CELLS = only('cells') ? Number(only('cells')![0]) : undefined;
if (CELLS !== undefined && !(Number.isInteger(CELLS) && CELLS >= 1 && CELLS <= 8))
  throw new Error('--cells must be 1..8');
/** Pooling in front of every cell after the first (model.cellPool): --pool=4. */
const POOL = only('pool') ? (Number(only('pool')![0]) as 1 | 2 | 4) : undefined;
if (POOL !== undefined && ![1, 2, 4].includes(POOL)) throw new Error('--pool must be 1, 2 or 4');
/** Seconds of timed steps per case (after warm-up); slow cases stop after one step. */
const BUDGET_S = Number(only('seconds')?.[0] ?? 15);

const children = BENCH_CHILDREN;

interface Rate {
  perWall: number;
  perCpu: number;
  steps: number;
  /** tfjs kernels one training step runs (each a dispatch on WebGPU, a call on wasm/cpu). */
  kernels: number;
}

/** Kernels that `f` runs, counted by tfjs's profiler (our own kernels included: they are registered tfjs kernels). */
async function kernelsOf(f: () => Promise<unknown>): Promise<number> {
  const info = await tf.profile(async () => {
    await f();
    return tf.scalar(0);
  });
  tf.dispose(info.result);
  return info.kernels.length;
}

let peakRss = 0;
const sampleRss = () => (peakRss = Math.max(peakRss, process.memoryUsage().rss));
type Variant = 'ours' | 'queued' | 'bn-relu-apart' | 'no-kernels' | 'stock';

async function measure(name: string, backend: BackendName, variant: Variant = 'ours'): Promise<Rate | string> {
  try {
    await useBackend(backend);
  } catch (e) {
    return `unavailable: ${(e as Error).message}`;
  }
  const kernels = variant === 'ours' || variant === 'queued' || variant === 'bn-relu-apart';
  useStockGradients(variant === 'stock');
  useWasmKernels(kernels);
  useWebgpuKernels(kernels);
  useFusedBnRelu(variant !== 'bn-relu-apart');
  const { batch, store, params } = stepSetup(name, BATCH, CELLS, POOL);
  try {
    const { steps, wall, cpu } = await timedSteps(store, batch, params, BUDGET_S, variant === 'queued');
    sampleRss();
    const kernels = await kernelsOf(() => trainStep(store, children[0], batch, params));
    return { perWall: (BATCH * steps) / wall, perCpu: (BATCH * steps) / cpu, steps, kernels };
  } catch (e) {
    return `failed: ${(e as Error).message}`;
  } finally {
    store.dispose();
    useStockGradients(false);
    useWasmKernels(true);
    useWebgpuKernels(true);
    useFusedBnRelu(true);
  }
}

/** Evaluating all 64 children on 1,024 images with inherited weights (the dense window's unit of work). */
async function measureEval(name: string): Promise<string> {
  await useBackend('wasm');
  const cfg = benchConfig(name, CELLS, POOL);
  const data = gratingSplits(10, 1024, 0);
  const val = downsample(data.val, cfg.model.inputSize);
  const store = new WeightStore(cfg, 0);
  const all = Array.from({ length: 64 }, (_, i) => i);
  const out: string[] = [];
  for (const [kernels, fused] of [
    [false, true],
    [true, false],
    [true, true],
  ]) {
    useWasmKernels(kernels);
    useFusedBnRelu(fused);
    // Counted on 2 images in batches of 1: the same 2 batches, so the same kernels, as 1,024 in batches of 512,
    // without profiling the paper model's whole evaluation (minutes, and the profiler's records of every kernel).
    const kernelCount = await kernelsOf(() => evaluateChildren(store, all, subset(val, 2), { batchSize: 1 }));
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await evaluateChildren(store, all, val, { batchSize: 512 });
    const cu = process.cpuUsage(c0);
    sampleRss();
    out.push(
      `${kernels ? (fused ? 'ours' : 'ours with BN and ReLU apart') : 'without our kernels'} ` +
        `${((performance.now() - t0) / 1000).toFixed(2)} s wall, ` +
        `${((cu.user + cu.system) / 1e6).toFixed(2)} CPU-s, ${kernelCount} kernels`,
    );
  }
  useWasmKernels(true);
  useFusedBnRelu(true);
  if (only('eval')?.[0] === 'profile') out.push(await evalProfile(store, all, val));
  store.dispose();
  return out.join('; ');
}

/**
 * --eval=profile: where one evaluation's time goes, by kernel (tfjs's profiler, our kernels' own time; a wrapping
 * op's time includes the kernels inside it). Shows whether an evaluation is bound by compute or by kernel count.
 */
async function evalProfile(store: WeightStore, all: number[], val: ImageSet): Promise<string> {
  const info = await tf.profile(async () => {
    await evaluateChildren(store, all, val, { batchSize: 1024 });
    return tf.scalar(0);
  });
  tf.dispose(info.result);
  const by = new Map<string, { n: number; ms: number }>();
  for (const k of info.kernels) {
    const e = by.get(k.name) ?? { n: 0, ms: 0 };
    e.n++;
    e.ms += Number(await k.kernelTimeMs);
    by.set(k.name, e);
  }
  const top = [...by].sort((a, b) => b[1].ms - a[1].ms).slice(0, 10);
  return (
    `\n    profile at batches of 1,024 (kernel, calls, ms): ` +
    top.map(([name, e]) => `${name === '' ? 'unnamed' : name} ${e.n} ${e.ms.toFixed(0)}`).join(', ')
  );
}

function torchRef(name: string): { perWall: number; perCpu: number } | string {
  const py = '/usr/bin/python3';
  if (!existsSync(py)) return 'not measured: /usr/bin/python3 missing';
  const m = benchConfig(name, CELLS, POOL).model;
  const shape = [m.stemChannels, m.cellChannels, m.numCells, m.inputSize, BATCH].map(String);
  // A fixed stem trains no stem filters: the reference must not either.
  const args = [
    ...shape,
    name === 'paper' ? '8' : '40',
    ...(m.fixedStem ? ['--fixed-stem'] : []),
    ...(m.cellPool && m.cellPool > 1 ? ['--cell-pool', String(m.cellPool)] : []),
  ];
  const r = spawnSync(py, ['bench/torch_step.py', ...args], { encoding: 'utf8' });
  if (r.status !== 0)
    return /No module named 'torch'/.test(r.stderr)
      ? 'not measured: PyTorch not installed (apt-get install python3-torch)'
      : `failed: ${r.stderr.trim().split('\n').pop()}`;
  const j = JSON.parse(r.stdout.trim().split('\n').pop()!);
  return { perWall: j.img_per_s, perCpu: j.img_per_cpu_s };
}

const f = (x: number) => x.toFixed(1).padStart(8);
console.log(
  `supernet training step, batch ${BATCH}, one child per step (${children.length} children in turn); tfjs ` +
    `${tf.version.tfjs}; ${new Date().toISOString()}`,
);
console.log(`images per wall-second | per CPU-second; ratios against PyTorch per CPU-second`);
for (const name of models) {
  const ref = torchRef(name);
  console.log(`\n${name} model ${JSON.stringify(benchConfig(name, CELLS, POOL).model)}`);
  console.log(
    typeof ref === 'string'
      ? `  PyTorch CPU, 1 thread       ${ref}`
      : `  PyTorch CPU, 1 thread      ${f(ref.perWall)} | ${f(ref.perCpu)}`,
  );
  const variants: [BackendName, Variant, string][] = [];
  for (const b of backends) {
    variants.push([b, 'ours', `tfjs ${b}`]);
    if (b === 'webgpu') variants.push([b, 'queued', `tfjs ${b}, queued steps`]);
    if (b === 'wasm' || b === 'webgpu') variants.push([b, 'bn-relu-apart', `tfjs ${b}, BN and ReLU apart`]);
    if (b === 'wasm' || b === 'webgpu') variants.push([b, 'no-kernels', `tfjs ${b}, without our kernels`]);
    // Stock gradients on cpu take minutes a step for the paper model; on webgpu it is the baseline the issue names.
    if (b === 'webgpu' || (b === 'cpu' && name === 'tiny')) variants.push([b, 'stock', `tfjs ${b}, stock gradients`]);
  }
  for (const [b, variant, label] of variants) {
    const r = await measure(name, b, variant);
    if (typeof r === 'string') console.log(`  ${label.padEnd(27)} ${r}`);
    else
      console.log(
        `  ${label.padEnd(27)}${f(r.perWall)} | ${f(r.perCpu)}   ` +
          `×${typeof ref === 'string' ? '—' : (r.perCpu / ref.perCpu).toFixed(2)} PyTorch   (${r.steps} steps, ` +
          `${r.kernels} kernels a step)`,
      );
  }
  if (backends.includes('wasm') && only('eval')?.[0] !== 'no')
    console.log(
      `  evaluation of 64 children × 1,024 images on wasm: ` +
        `${await measureEval(name).catch((e: Error) => `failed: ${e.message}`)}`,
    );
}
console.log(`\npeak resident memory sampled: ${(peakRss / 2 ** 30).toFixed(2)} GiB`);

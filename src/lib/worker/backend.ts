// Backend choice inside the worker: WebGPU, WebGL and WASM are each refused (and the page told why) when missing, a
// software fallback (slower than wasm where measured; ?timeAll times them anyway), or failing the self-test: one loss
// and gradient of a small supernet compared with the cpu backend. Of those that pass, the one whose classroom step
// is fastest, timed here, trains; cpu only when nothing else passes.
import * as tf from '@tensorflow/tfjs';
import { setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-backend-webgpu';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { describeBackend, prepareWasm, prepareWebgpu } from '../../engine/kernels/backendSetup';
import { downsample, makeBatch } from '../../engine/data/dataset';
import { gratingSplits } from '../../engine/data/gratings';
import { preset } from '../../engine/schema/scales';
import { lossAndGradients, trainStep } from '../../engine/train/trainer';
import { WeightStore } from '../../engine/model/weightStore';
import type { DeviceReport } from './protocol';
import { fixThreadedFactorySource } from './wasmThreads';

/**
 * wasm threads. One by default: tfjs-backend-wasm 4.22's threaded build does start in our worker
 * (cross-origin isolated, its factory source fixed), but its XNNPACK pool then reports a single
 * thread (measured in Chromium 156), so it only adds the shared-memory overhead. `?threads=N` on the
 * page URL tries it anyway; the report says what came of it.
 */
export function wasmThreads(requested: number): DeviceReport['threads'] {
  const isolated =
    (self as unknown as { crossOriginIsolated?: boolean }).crossOriginIsolated === true &&
    typeof SharedArrayBuffer !== 'undefined';
  if (requested <= 1)
    return {
      count: 1,
      why:
        'the single-threaded build: tfjs’s threaded build gets one XNNPACK thread inside a worker here ' +
        '(add ?threads=2 to try it)',
    };
  if (!isolated)
    return {
      count: 1,
      why:
        'the page is not cross-origin isolated (no COOP/COEP headers), so SharedArrayBuffer and wasm ' +
        'threads are unavailable',
    };
  if (!fixThreadedFactorySource()) return { count: 1, why: 'the threaded wasm module could not be prepared' };
  const cores = navigator.hardwareConcurrency || 1;
  return {
    count: Math.max(1, Math.min(requested, cores, 8)),
    why: `requested ${requested}; cross-origin isolated; ${cores} logical cores reported`,
  };
}

let threads: DeviceReport['threads'] | undefined;
/** Once per worker, before the wasm backend starts: thread count, flags and our kernels. */
function setUpWasm(requested: number): DeviceReport['threads'] {
  if (threads) return threads;
  threads = wasmThreads(requested);
  prepareWasm(threads.count);
  if (threads.count > 1) setThreadsCount(threads.count);
  return threads;
}

setWasmPaths({
  'tfjs-backend-wasm.wasm': wasmPlain,
  'tfjs-backend-wasm-simd.wasm': wasmSimd,
  'tfjs-backend-wasm-threaded-simd.wasm': wasmThreaded,
});

const SOFTWARE = /swiftshader|llvmpipe|lavapipe|software|microsoft basic render/i;

async function selfTestReference() {
  await tf.setBackend('cpu');
  return selfTestRun();
}

async function selfTestRun() {
  const cfg = preset('tiny');
  cfg.model = { stemChannels: 4, cellChannels: 4, numCells: 1, inputSize: 8 };
  const data = gratingSplits(8, 1, 0);
  const batch = makeBatch(downsample(data.train, 8), [0, 1, 2, 3, 4, 5, 6, 7]);
  const store = new WeightStore(cfg, 0);
  try {
    // Children 234 (sep-convs, dilated conv) and 142 (max-pool, dilated, sep 5×5): every kernel of a step.
    let loss = 0;
    const grads = new Map<string, Float32Array>();
    for (const child of [27, 13]) {
      const r = await lossAndGradients(store, child, batch);
      loss += r.loss;
      for (const [k, v] of r.grads) grads.set(`${child}:${k}`, v);
    }
    return { loss, grads };
  } finally {
    store.dispose();
  }
}

function relErr(a: Map<string, Float32Array>, b: Map<string, Float32Array>): number {
  let num = 0;
  let den = 0;
  for (const [k, v] of b) {
    const w = a.get(k)!;
    for (let i = 0; i < v.length; i++) {
      num += (w[i] - v[i]) ** 2;
      den += v[i] ** 2;
    }
  }
  return Math.sqrt(num / Math.max(den, 1e-30));
}

export interface BackendOptions {
  /** Force a backend (URL ?backend=…), skipping the software-adapter rule but not the self-test. */
  force?: string;
  /** wasm threads asked for (URL ?threads=…). */
  threads?: number;
  /** Time software adapters too instead of refusing them (URL ?timeAll). */
  timeSoftware?: boolean;
}

/** Steps timed per backend, after a warm-up step that compiles its kernels; and the time a backend may take. */
const TIMED_STEPS = 2;
const WARM_STEPS = 1;
const BUDGET_MS = 6000;

/**
 * Milliseconds per training step of the classroom model (batch 64) on the current backend: the median of a few
 * steps after warm-up, each read back (so a GPU's queued work is counted). Infinity when the steps would take more
 * than BUDGET_MS (a software GPU can take minutes): the unfinished step is left to finish in the background.
 */
async function msPerStep(): Promise<number> {
  const cfg = preset('tiny');
  const data = gratingSplits(cfg.model.inputSize, 1, 0);
  const batch = makeBatch(
    downsample(data.train, cfg.model.inputSize),
    Array.from({ length: 64 }, (_, i) => i),
  );
  const store = new WeightStore(cfg, 0);
  const start = performance.now();
  const times: number[] = [];
  let pending: Promise<unknown> = Promise.resolve();
  try {
    for (let i = 0; i < WARM_STEPS + TIMED_STEPS; i++) {
      const t0 = performance.now();
      const left = BUDGET_MS - (t0 - start);
      pending = trainStep(store, (i * 23) % 64, batch, { ...cfg.train, lr: 0.01 });
      const done = await Promise.race([pending.then(() => true), sleep(left).then(() => false)]);
      if (!done) return Infinity;
      if (i >= WARM_STEPS) times.push(performance.now() - t0);
    }
    return times.sort((a, b) => a - b)[Math.floor(times.length / 2)];
  } finally {
    // A step left running (or one that threw: the caller reports it) disposes the store when it ends.
    void pending.then(
      () => store.dispose(),
      () => store.dispose(),
    );
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));
const msText = (t: { backend: string; msPerStep: number }) =>
  `${t.backend} ${Number.isFinite(t.msPerStep) ? `${t.msPerStep.toFixed(0)} ms` : `over ${BUDGET_MS / 1000} s`}`;

type Passed = Omit<DeviceReport, 'workers' | 'timed' | 'why'>;

/**
 * The fastest of the backends that passed the self-test, by timing the classroom model's step on each; cpu is
 * only a last resort and is not timed. Leaves the chosen backend active.
 */
async function fastest(passed: Passed[]): Promise<Omit<DeviceReport, 'workers'>> {
  const timedOnes = passed.filter((p) => p.backend !== 'cpu');
  if (timedOnes.length < 2) {
    const only = timedOnes[0] ?? passed[0];
    await tf.setBackend(only.backend);
    const why =
      only.backend === 'cpu'
        ? 'no faster backend passed its self-test (cpu is the slow last resort)'
        : 'the only one of WebGPU, WebGL and WASM that passed (nothing to time it against)';
    return { ...only, why };
  }
  const timed: { backend: string; msPerStep: number }[] = [];
  for (const p of timedOnes) {
    try {
      await tf.setBackend(p.backend);
      timed.push({ backend: p.backend, msPerStep: await msPerStep() });
    } catch (e) {
      p.refused.push({ backend: p.backend, reason: `its timing failed: ${(e as Error).message}` });
    }
  }
  timed.sort((a, b) => a.msPerStep - b.msPerStep);
  const best = passed.find((p) => p.backend === timed[0]?.backend) ?? passed[0];
  await tf.setBackend(best.backend);
  const list = timed.map(msText).join(', ');
  return { ...best, timed, why: `the fastest step of the classroom model, timed on each backend that passed: ${list}` };
}

export async function chooseBackend(opts: BackendOptions = {}): Promise<Omit<DeviceReport, 'workers'>> {
  const refused: DeviceReport['refused'] = [];
  const passed: Passed[] = [];
  const wasmThreadInfo = setUpWasm(opts.threads ?? 1);
  prepareWebgpu();
  const ref = await selfTestReference();
  const order = opts.force ? [opts.force, 'wasm', 'cpu'] : ['webgpu', 'webgl', 'wasm', 'cpu'];
  for (const name of [...new Set(order)]) {
    let adapter = '';
    try {
      if (name === 'webgpu') {
        const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
        if (!gpu) throw new Error('this browser exposes no WebGPU (navigator.gpu is missing)');
        const a = (await gpu.requestAdapter()) as {
          info?: Record<string, string | boolean>;
          isFallbackAdapter?: boolean;
        } | null;
        if (!a) throw new Error('no WebGPU adapter was offered');
        const info = a.info ?? {};
        adapter =
          [info.vendor, info.architecture, info.device, info.description].filter(Boolean).join(' ') ||
          'unnamed adapter';
        const fallback = a.isFallbackAdapter || info.isFallbackAdapter;
        if ((fallback || SOFTWARE.test(adapter)) && opts.force !== 'webgpu' && !opts.timeSoftware)
          throw new Error(`software fallback adapter (${adapter}): slower than wasm on this machine`);
      }
      if (name === 'webgl') {
        const gl = new OffscreenCanvas(1, 1).getContext('webgl2') as WebGL2RenderingContext | null;
        if (!gl) throw new Error('no WebGL2 context (OffscreenCanvas in a worker)');
        const ext = gl.getExtension('WEBGL_debug_renderer_info');
        adapter = ext ? String(gl.getParameter(ext.UNMASKED_RENDERER_WEBGL)) : String(gl.getParameter(gl.RENDERER));
        if (SOFTWARE.test(adapter) && opts.force !== 'webgl' && !opts.timeSoftware)
          throw new Error(`software renderer (${adapter}): slower than wasm on this machine`);
      }
      if (!(await tf.setBackend(name))) throw new Error('failed to initialise');
      await tf.ready();
      if (name === 'wasm' || name === 'cpu') adapter = describeBackend().replace(/^\w+ — /, '');
      const got = await selfTestRun();
      const err = Math.max(Math.abs(got.loss - ref.loss) / Math.abs(ref.loss), relErr(got.grads, ref.grads));
      if (!(err < 1e-3))
        throw new Error(
          `self-test failed: loss/gradients differ from the cpu backend by ${err.toExponential(2)} (relative)`,
        );
      const actual = name === 'wasm' ? Number(/(\d+) threads?/.exec(adapter)?.[1] ?? 1) : 1;
      const threads =
        name === 'wasm'
          ? {
              count: actual,
              why:
                actual === wasmThreadInfo.count
                  ? wasmThreadInfo.why
                  : `${wasmThreadInfo.count} asked for, ${actual} running (${wasmThreadInfo.why})`,
            }
          : { count: 1, why: `${name} runs on its own device` };
      const ok = {
        backend: name,
        adapter,
        refused,
        selfTest: `loss and gradients match the cpu backend to ${err.toExponential(1)} relative`,
        threads,
      };
      // A forced backend is used as it is; otherwise the fast ones that pass are timed against each other.
      if (opts.force)
        return {
          ...ok,
          why: name === opts.force ? `asked for (?backend=${opts.force})` : `?backend=${opts.force} was refused`,
        };
      passed.push(ok);
    } catch (e) {
      refused.push({ backend: name, reason: (e as Error).message });
    }
  }
  if (passed.length) return fastest(passed);
  throw new Error(`no usable backend: ${refused.map((r) => `${r.backend}: ${r.reason}`).join('; ')}`);
}

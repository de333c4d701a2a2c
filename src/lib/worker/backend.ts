// Backend choice inside the worker: WebGPU → WebGL → WASM → CPU. A faster backend is refused
// (and the page told why) when it is missing, is a software fallback slower than wasm, or fails the
// self-test: one loss and gradient of a small supernet compared with the cpu backend.
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
import { lossAndGradients } from '../../engine/train/trainer';
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
}

export async function chooseBackend(opts: BackendOptions = {}): Promise<Omit<DeviceReport, 'workers'>> {
  const refused: DeviceReport['refused'] = [];
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
        if ((fallback || SOFTWARE.test(adapter)) && opts.force !== 'webgpu')
          throw new Error(`software fallback adapter (${adapter}): slower than wasm on this machine`);
      }
      if (name === 'webgl') {
        const gl = new OffscreenCanvas(1, 1).getContext('webgl2') as WebGL2RenderingContext | null;
        if (!gl) throw new Error('no WebGL2 context (OffscreenCanvas in a worker)');
        const ext = gl.getExtension('WEBGL_debug_renderer_info');
        adapter = ext ? String(gl.getParameter(ext.UNMASKED_RENDERER_WEBGL)) : String(gl.getParameter(gl.RENDERER));
        if (SOFTWARE.test(adapter) && opts.force !== 'webgl')
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
      return {
        backend: name,
        adapter,
        refused,
        selfTest: `loss and gradients match the cpu backend to ${err.toExponential(1)} relative`,
        threads,
      };
    } catch (e) {
      refused.push({ backend: name, reason: (e as Error).message });
    }
  }
  throw new Error(`no usable backend: ${refused.map((r) => `${r.backend}: ${r.reason}`).join('; ')}`);
}

// Our WebAssembly SIMD kernels (kernels/simd.ts) registered into tfjs-backend-wasm's kernel registry.
// They read and write tfjs's own heap through the tensors' byte offsets: one instance per wasm backend,
// importing that backend's memory. Where they are not installed (cpu, webgpu), gradients.ts uses tfjs ops.
import * as tf from '@tensorflow/tfjs';
import { KERNELS_PLAIN, KERNELS_SHARED } from './wasmKernels.bin';

interface Exports {
  depthwise(
    x: number,
    w: number,
    y: number,
    n: number,
    h: number,
    wd: number,
    c: number,
    k: number,
    d: number,
    pt: number,
    pl: number,
    flip: number,
  ): void;
  depthwiseFilterGrad(
    x: number,
    dy: number,
    dw: number,
    n: number,
    h: number,
    wd: number,
    c: number,
    k: number,
    d: number,
    pt: number,
    pl: number,
  ): void;
  colSums(a: number, b: number, m: number, c: number, outA: number, outB: number, mask: number): void;
  moments(x: number, m: number, c: number, mean: number, variance: number): void;
  affine(x: number, a: number, b: number, y: number, m: number, c: number, relu: number): void;
  bnInputGrad(
    dy: number,
    xhat: number,
    k: number,
    sdy: number,
    sdx: number,
    dx: number,
    m: number,
    c: number,
    mask: number,
  ): void;
  maxPoolGrad(x: number, dy: number, dx: number, n: number, h: number, wd: number, c: number): void;
  spatialMean(x: number, out: number, n: number, hw: number, c: number): void;
  pointwise(
    x: number,
    w: number,
    y: number,
    m: number,
    ci: number,
    co: number,
    transposeW: number,
    scratch: number,
    a: number,
    b: number,
    relu: number,
  ): void;
  pointwiseFilterGrad(x: number, dy: number, dw: number, m: number, ci: number, co: number): void;
  reluGrad(x: number, dy: number, dx: number, size: number): void;
  sgd(
    w: number,
    g: number,
    m: number,
    wOut: number,
    mOut: number,
    size: number,
    lr: number,
    mom: number,
    wd: number,
  ): void;
}

interface WasmBackend {
  wasm: { asm?: Record<string, unknown>; wasmMemory?: WebAssembly.Memory; HEAPU8: Uint8Array };
  makeOutput(shape: number[], dtype: 'float32'): tf.TensorInfo;
  disposeData(dataId: object, force?: boolean): boolean;
  getMemoryOffset(dataId: object): number;
}

let instanceFor: WasmBackend['wasm'] | undefined;
let ex: Exports | undefined;

function fromBase64(s: string): Uint8Array {
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** The kernels' exports for the current wasm backend, instantiating them on its memory once. */
function exportsFor(b: WasmBackend): Exports {
  if (ex && instanceFor === b.wasm) return ex;
  const memory = (b.wasm.wasmMemory ?? (b.wasm.asm?.memory as WebAssembly.Memory | undefined))!;
  const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
  const module = new WebAssembly.Module(fromBase64(shared ? KERNELS_SHARED : KERNELS_PLAIN) as BufferSource);
  ex = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as Exports;
  instanceFor = b.wasm;
  return ex;
}

type Attrs = Record<string, number>;
type KernelArgs = { inputs: Record<string, tf.TensorInfo>; backend: unknown; attrs: Attrs };
const ptr = (b: WasmBackend, t: tf.TensorInfo | undefined) => (t ? b.getMemoryOffset(t.dataId) : 0);

const KERNELS: Record<
  string,
  (b: WasmBackend, e: Exports, i: Record<string, tf.TensorInfo>, a: Attrs) => tf.TensorInfo | tf.TensorInfo[]
> = {
  SPDepthwise: (b, e, { x, w }, a) => {
    const [n, h, wd, c] = x.shape;
    const y = b.makeOutput(x.shape, 'float32');
    e.depthwise(ptr(b, x), ptr(b, w), ptr(b, y), n, h, wd, c, a.k, a.d, a.pt, a.pl, a.flip);
    return y;
  },
  SPDepthwiseFilterGrad: (b, e, { x, dy }, a) => {
    const [n, h, wd, c] = x.shape;
    const dw = b.makeOutput([a.k, a.k, c, 1], 'float32');
    e.depthwiseFilterGrad(ptr(b, x), ptr(b, dy), ptr(b, dw), n, h, wd, c, a.k, a.d, a.pt, a.pl);
    return dw;
  },
  SPMoments: (b, e, { x }) => {
    const [m, c] = x.shape;
    const mean = b.makeOutput([c], 'float32');
    const variance = b.makeOutput([c], 'float32');
    e.moments(ptr(b, x), m, c, ptr(b, mean), ptr(b, variance));
    return [mean, variance];
  },
  SPColSums: (b, e, { a, b: bb, mask }) => {
    const [m, c] = a.shape;
    const sa = b.makeOutput([c], 'float32');
    const sb = bb ? b.makeOutput([c], 'float32') : undefined;
    e.colSums(ptr(b, a), ptr(b, bb), m, c, ptr(b, sa), ptr(b, sb), ptr(b, mask));
    return sb ? [sa, sb] : [sa];
  },
  SPAffine: (b, e, { x, a, b: bb }, at) => {
    const c = x.shape[x.shape.length - 1];
    const y = b.makeOutput(x.shape, 'float32');
    e.affine(ptr(b, x), ptr(b, a), ptr(b, bb), ptr(b, y), x.shape.reduce((p, q) => p * q, 1) / c, c, at.relu ? 1 : 0);
    return y;
  },
  SPBnInputGrad: (b, e, { dy, xhat, k, sdy, sdx, mask }) => {
    const [m, c] = dy.shape;
    const dx = b.makeOutput(dy.shape, 'float32');
    e.bnInputGrad(ptr(b, dy), ptr(b, xhat), ptr(b, k), ptr(b, sdy), ptr(b, sdx), ptr(b, dx), m, c, ptr(b, mask));
    return dx;
  },
  SPMaxPoolGrad: (b, e, { x, dy }) => {
    const [n, h, wd, c] = x.shape;
    const dx = b.makeOutput(x.shape, 'float32');
    e.maxPoolGrad(ptr(b, x), ptr(b, dy), ptr(b, dx), n, h, wd, c);
    return dx;
  },
  // With a (and b): the affine step of evaluation-mode BN on each output, y·a + b, as SPAffine computes it
  // (with attr relu, then max(·, 0): the ReLU that follows the BN).
  SPPointwise: (b, e, { x, w, a: sa, b: sb }, a) => {
    const [m, ci] = x.shape;
    const co = a.transposeW ? w.shape[0] : w.shape[1];
    const y = b.makeOutput([m, co], 'float32');
    // Room for the transposed weight: a tfjs allocation, freed at once (the kernels own no memory).
    const scratch = a.transposeW ? b.makeOutput([ci * co], 'float32') : undefined;
    const relu = a.relu ? 1 : 0;
    e.pointwise(
      ptr(b, x),
      ptr(b, w),
      ptr(b, y),
      m,
      ci,
      co,
      a.transposeW,
      ptr(b, scratch),
      ptr(b, sa),
      ptr(b, sb),
      relu,
    );
    if (scratch) b.disposeData(scratch.dataId);
    return y;
  },
  SPPointwiseFilterGrad: (b, e, { x, dy }) => {
    const [m, ci] = x.shape;
    const co = dy.shape[1];
    const dw = b.makeOutput([ci, co], 'float32');
    e.pointwiseFilterGrad(ptr(b, x), ptr(b, dy), ptr(b, dw), m, ci, co);
    return dw;
  },
  SPSgd: (b, e, { w, g, m, ok }, a) => {
    // Queued (guarded) steps are for GPUs only: on wasm the loss is read before the update, for free.
    if (ok) throw new Error('SPSgd: the guarded update (ok) is WebGPU-only');
    const wOut = b.makeOutput(w.shape, 'float32');
    const mOut = b.makeOutput(w.shape, 'float32');
    e.sgd(
      ptr(b, w),
      ptr(b, g),
      ptr(b, m),
      ptr(b, wOut),
      ptr(b, mOut),
      w.shape.reduce((p, q) => p * q, 1),
      a.lr,
      a.momentum,
      a.weightDecay,
    );
    return [wOut, mOut];
  },
  SPReluGrad: (b, e, { x, dy }) => {
    const dx = b.makeOutput(x.shape, 'float32');
    e.reluGrad(
      ptr(b, x),
      ptr(b, dy),
      ptr(b, dx),
      x.shape.reduce((p, q) => p * q, 1),
    );
    return dx;
  },
  SPSpatialMean: (b, e, { x }) => {
    const [n, h, wd, c] = x.shape;
    const out = b.makeOutput([n, c], 'float32');
    e.spatialMean(ptr(b, x), ptr(b, out), n, h * wd, c);
    return out;
  },
};

let registered = false;
let enabled = true;

/** Registers the kernels for the wasm backend (once); they are instantiated lazily on first use. */
export function installWasmKernels(): void {
  if (registered) return;
  registered = true;
  for (const [kernelName, f] of Object.entries(KERNELS))
    tf.registerKernel({
      kernelName,
      backendName: 'wasm',
      kernelFunc: ({ inputs, backend, attrs }: KernelArgs) => {
        const b = backend as WasmBackend;
        const t = inputs as Record<string, tf.TensorInfo>;
        for (const v of Object.values(t))
          if (v && v.dtype !== 'float32') throw new Error(`${kernelName}: float32 only`);
        return f(b, exportsFor(b), t, attrs);
      },
    } as unknown as tf.KernelConfig);
}

/** Benchmarks and tests can turn our kernels off to measure or compare against the tfjs-op path. */
export function useWasmKernels(on: boolean): void {
  enabled = on;
}

/** True when the current backend is wasm and our kernels are registered for it. */
export const wasmKernels = (): boolean => enabled && registered && tf.getBackend() === 'wasm';

export const run = (name: string, inputs: Record<string, tf.Tensor>, attrs: Attrs = {}) =>
  tf.engine().runKernel(name, inputs as unknown as tf.NamedTensorMap, attrs as unknown as tf.NamedAttrMap) as
    tf.Tensor | tf.Tensor[];

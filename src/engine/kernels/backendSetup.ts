// Backend set-up shared by the worker and Node: the wasm flags and our kernels, and one line that
// says what runs. Pure tfjs (no DOM, no Node): the worker adds its wasm file URLs, Node adds Dawn.
import * as tf from '@tensorflow/tfjs';
import { installZeroCopyIdentity } from './zeroCopyIdentity';
import { installWasmKernels } from './wasmKernels';
import { installWebgpuKernels } from './webgpuKernels';

/** Before the wasm backend initialises: thread count (1 = the single-threaded binary) and our kernels. */
export function prepareWasm(threads: number): void {
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', threads > 1);
  installZeroCopyIdentity();
  installWasmKernels();
}

/** Registers our WGSL kernels for the webgpu backend (before or after it initialises). */
export function prepareWebgpu(): void {
  installWebgpuKernels();
}

/** "wasm — SIMD on, 2 threads" for the current backend, with an adapter description for GPUs. */
export function describeBackend(adapter = ''): string {
  const name = tf.getBackend();
  if (name === 'wasm') {
    const b = tf.backend() as unknown as { wasm?: { tfjs?: { getThreadsCount?: () => number } } };
    const threads = b.wasm?.tfjs?.getThreadsCount?.() ?? 1;
    const simd = tf.env().getBool('WASM_HAS_SIMD_SUPPORT') ? 'on' : 'off';
    return `wasm — WebAssembly, SIMD ${simd}, ${threads} thread${threads === 1 ? '' : 's'}`;
  }
  if (name === 'cpu') return 'cpu — plain JavaScript';
  return `${name}${adapter ? ` — ${adapter}` : ''}`;
}

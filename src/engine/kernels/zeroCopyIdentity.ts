// Kernel-level tuning that changes no numerics.
import * as tf from '@tensorflow/tfjs';

type WasmLike = { incRef(dataId: object): void };

/**
 * tfjs saves every tensor a gradient needs through an Identity kernel, and tfjs-backend-wasm's
 * Identity copies the whole buffer (~0.5 ms per MB here, hundreds of calls per training step).
 * Tensors are immutable, so sharing the buffer — what wasm's own Reshape already does — is safe.
 */
export function installZeroCopyIdentity(): void {
  const existing = tf.getKernel('Identity', 'wasm');
  if (!existing || (existing as { zeroCopy?: boolean }).zeroCopy) return;
  tf.unregisterKernel('Identity', 'wasm');
  const config = {
    kernelName: 'Identity',
    backendName: 'wasm',
    zeroCopy: true,
    kernelFunc: ({ inputs, backend }: { inputs: tf.NamedTensorMap; backend: unknown }) => {
      const x = inputs.x as unknown as { dataId: object; shape: number[]; dtype: tf.DataType };
      if (x.dtype === 'string') return existing.kernelFunc({ inputs, backend, attrs: {} } as never);
      (backend as WasmLike).incRef(x.dataId);
      return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
    },
  };
  tf.registerKernel(config as unknown as tf.KernelConfig);
}

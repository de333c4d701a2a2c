// Backend start-up for Node: cpu, wasm (SIMD, single thread), or webgpu through Dawn (npm `webgpu`).
import * as tf from '@tensorflow/tfjs';
import { existsSync } from 'node:fs';
import { describeBackend, prepareWasm, prepareWebgpu } from '../engine/kernels/backendSetup';

export type BackendName = 'cpu' | 'wasm' | 'webgpu';

// tfjs probes webgl at import in Node and prints noise; we always choose explicitly.
// PROD silences tfjs's console advice ("install tfjs-node"); it changes no numerics.
tf.env().set('PROD', true);
let wasmLoaded = false;
let webgpuInfo: string | undefined;

/**
 * Vulkan drivers Dawn can use here, best first: an explicit choice, Mesa lavapipe (Mesa ≥ 25), chromium's SwiftShader.
 */
export function vulkanIcds(): string[] {
  const explicit = process.env.VK_ICD_FILENAMES ?? process.env.VK_DRIVER_FILES;
  if (explicit) return [explicit];
  return [
    '/usr/share/vulkan/icd.d/lvp_icd.x86_64.json',
    '/usr/share/vulkan/icd.d/lvp_icd.json',
    '/usr/lib/chromium/vk_swiftshader_icd.json',
  ].filter((f) => existsSync(f));
}

async function initWebgpu(): Promise<string> {
  if (webgpuInfo) return webgpuInfo;
  const { create, globals } = await import('webgpu');
  Object.assign(globalThis, globals);
  const tried: string[] = [];
  // On a real GPU machine the system's Vulkan driver is found without a manifest.
  for (const icd of [...vulkanIcds(), undefined]) {
    if (icd) process.env.VK_ICD_FILENAMES = icd;
    const gpu = create([]);
    const adapter = await gpu.requestAdapter();
    tried.push(icd ?? 'system default');
    if (!adapter) continue;
    Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
    await import('@tensorflow/tfjs-backend-webgpu');
    prepareWebgpu();
    const info = (
      adapter as unknown as { info?: { vendor?: string; architecture?: string; device?: string; description?: string } }
    ).info;
    const detail = info
      ? [info.vendor, info.architecture, info.device, info.description].filter(Boolean).join(' ')
      : '';
    webgpuInfo = `Dawn via ${icd ?? 'system Vulkan'}${detail ? ` (${detail})` : ''}`;
    return webgpuInfo;
  }
  throw new Error(
    `no WebGPU adapter from Dawn (tried Vulkan drivers: ${tried.join(', ')}); install Mesa lavapipe ` +
      `(mesa-vulkan-drivers ≥ 25, bookworm-backports) or Debian chromium, plus libvulkan1`,
  );
}

/** Selects and readies a backend; returns a one-line description of the device. */
export async function useBackend(name: BackendName): Promise<string> {
  if (name === 'wasm' && !wasmLoaded) {
    await import('@tensorflow/tfjs-backend-wasm');
    // tfjs-backend-wasm has no threads in Node (its threaded binary needs Web Workers).
    prepareWasm(1);
    wasmLoaded = true;
  }
  let detail = '';
  if (name === 'webgpu') detail = await initWebgpu();
  if (!(await tf.setBackend(name))) throw new Error(`backend ${name} failed to initialise`);
  await tf.ready();
  return describeBackend(detail);
}

/// <reference types="svelte" />
/// <reference types="vite/client" />
declare module '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js' {
  const factory: (config: unknown) => Promise<unknown>;
  export default factory;
}

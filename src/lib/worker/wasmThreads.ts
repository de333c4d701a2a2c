// tfjs-backend-wasm starts its threaded build by handing each pthread worker the source of its
// module factory: `new Blob(['var WasmBackendModuleThreadedSimd = ' + factory.toString()])`. After
// bundling, factory.toString() is the bundler's rewritten inner function, whose free variables
// (_scriptDir, renamed by the minifier) exist only in the bundle: every pthread worker then fails
// ("e is not defined"). Here the factory's toString returns the original, self-contained factory
// expression from the package's own file, so the pthread workers evaluate exactly what they expect.
import factory from '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js';
import source from '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js?raw';

const START = 'var WasmBackendModuleThreadedSimd = ';

export function fixThreadedFactorySource(): boolean {
  const from = source.indexOf(START);
  const end = source.lastIndexOf('})();');
  if (from < 0 || end < 0) return false;
  const expression = source.slice(from + START.length, end + '})()'.length);
  const f = ((factory as unknown as { default?: unknown }).default ?? factory) as { toString(): string };
  Object.defineProperty(f, 'toString', { value: () => expression, configurable: true });
  return true;
}

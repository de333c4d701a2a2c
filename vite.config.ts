import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vite';

/**
 * Cross-origin isolation (COOP + COEP) lets the training worker use SharedArrayBuffer, and with it
 * tfjs's threaded wasm. Static hosts that cannot set headers get the same from public/coi-sw.js.
 */
export const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  // Relative asset URLs: the built site works from any static host under any sub-path.
  base: './',
  plugins: [svelte()],
  worker: { format: 'es' },
  server: { headers: ISOLATION_HEADERS },
  preview: { headers: ISOLATION_HEADERS },
  build: { target: 'es2022', chunkSizeWarningLimit: 4000 },
});

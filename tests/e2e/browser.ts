// Shared set-up of the browser tests: build the app once, serve it statically, drive Debian chromium.
import { chromium, type Browser } from 'playwright-core';
import { build, preview, type PreviewServer } from 'vite';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export async function serveBuiltApp(): Promise<{ server: PreviewServer; url: string }> {
  await build({ logLevel: 'warn', build: { outDir: 'dist' } });
  // Served under a sub-path, as a static host would: the build must not assume '/'.
  const server = await preview({ preview: { port: 0, host: '127.0.0.1', strictPort: false }, base: '/playground/', logLevel: 'warn' });
  const addr = server.httpServer.address();
  if (!addr || typeof addr === 'string') throw new Error('preview server has no port');
  return { server, url: `http://127.0.0.1:${addr.port}/playground/` };
}

export function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--enable-unsafe-webgpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

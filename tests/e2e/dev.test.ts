// `npm run dev` serves a working app: the dev server's on-the-fly modules load the worker and tfjs.
import { afterAll, describe, expect, it } from 'vitest';
import { createServer, type ViteDevServer } from 'vite';
import { launch } from './browser';

let server: ViteDevServer;
afterAll(async () => server?.close());

describe('dev server', () => {
  it('serves the page and the training worker picks a backend', async () => {
    server = await createServer({ server: { port: 0, host: '127.0.0.1' }, logLevel: 'warn' });
    await server.listen();
    const addr = server.httpServer!.address();
    if (!addr || typeof addr === 'string') throw new Error('no port');
    const browser = await launch();
    try {
      const page = await browser.newPage();
      await page.goto(`http://127.0.0.1:${addr.port}/`);
      // The first visit may trigger dependency optimisation and one reload.
      await page.waitForSelector('[data-testid=play]:not([disabled])', { timeout: 150_000 });
      expect(await page.textContent('[data-testid=device-report]')).toMatch(/Backend: \w+/);
    } finally {
      await browser.close();
    }
  });
});

// Shared set-up of the browser tests: build the app once, serve it statically, drive Debian chromium.
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { build, preview, type PreviewServer } from 'vite';
import type { ExperimentConfig } from '../../src/engine/schema/config';
import { preset } from '../../src/engine/schema/scales';
import { encodeLink } from '../../src/lib/settings/links';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Screenshots go to docs/screenshots only when asked (npm run screenshots); else out of the tracked tree. */
export const SHOTS = process.env.SCREENSHOTS ? 'docs/screenshots' : 'test-results/screenshots';

export async function serveBuiltApp(): Promise<{ server: PreviewServer; url: string }> {
  await build({ logLevel: 'warn', build: { outDir: 'dist' } });
  // Served under a sub-path, as a static host would: the build must not assume '/'.
  const server = await preview({
    preview: { port: 0, host: '127.0.0.1', strictPort: false },
    base: '/playground/',
    logLevel: 'warn',
  });
  const addr = server.httpServer.address();
  if (!addr || typeof addr === 'string') throw new Error('preview server has no port');
  return { server, url: `http://127.0.0.1:${addr.port}/playground/` };
}

export function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--enable-unsafe-webgpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** A page with long tasks, page errors and CSP violations recorded. */
export async function openPage(
  browser: Browser,
  url: string,
  opts: BrowserContextOptions = {},
): Promise<Page & { problems: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 }, acceptDownloads: true, ...opts });
  const page = (await context.newPage()) as Page & { problems: string[] };
  page.problems = [];
  page.on('pageerror', (e) => page.problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy|Refused to/.test(m.text()))
      page.problems.push(`CSP: ${m.text()}`);
  });
  await page.addInitScript(() => {
    const w = window as unknown as { __longTasks: number[]; __csp: string[] };
    w.__longTasks = [];
    w.__csp = [];
    new PerformanceObserver((l) => l.getEntries().forEach((e) => w.__longTasks.push(e.duration))).observe({
      type: 'longtask',
      buffered: true,
    });
    document.addEventListener('securitypolicyviolation', (e) => w.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  await page.goto(url);
  // Ready: the worker chose a backend (the Run button is enabled; the device report may be hidden).
  await page.waitForSelector('[data-testid=play]:not([disabled])', { timeout: 90_000 });
  return page;
}

export const statusOf = (page: Page) => page.getAttribute('[data-testid=progress]', 'data-status');
export const waitDone = (page: Page, timeout = 120_000) =>
  page.waitForFunction(
    () => document.querySelector('[data-testid=progress]')?.getAttribute('data-status') === 'done',
    null,
    { timeout },
  );

/** A short experiment: micro model, a few seconds in the worker. */
export function microConfig(epochs = 3, instances = 2): ExperimentConfig {
  const c = preset('tiny');
  c.name = 'e2e-micro';
  c.instances = instances;
  c.model = { stemChannels: 4, cellChannels: 4, numCells: 1, inputSize: 8 };
  c.data = { ...c.data, trainSize: 64, valSize: 32 };
  c.train = { ...c.train, epochs, batchSize: 16 };
  c.eval = { ...c.eval, denseSteps: 4, batchSize: 32, valSize: 32 };
  return c;
}
export const microLink = (epochs = 3, instances = 2) => encodeLink(microConfig(epochs, instances));

/** No page error, console error or CSP violation was seen on the page (openPage collects them). */
export const noProblems = async (page: Page & { problems: string[] }) => {
  const csp = await page.evaluate(() => (window as unknown as { __csp: string[] }).__csp);
  expect([...page.problems, ...csp]).toEqual([]);
};

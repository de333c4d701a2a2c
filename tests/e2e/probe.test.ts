// Interference, directly, in the page: after a live run on the interference card, training one child from the run's
// weights answers within seconds with every other child's change by shared edges, beside the control.
import type { Browser } from 'playwright-core';
import type { PreviewServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeLink } from '../../src/lib/settings/links';
import { launch, microConfig, noProblems, openPage, serveBuiltApp, waitDone } from './browser';

let server: PreviewServer;
let url: string;
let browser: Browser;

beforeAll(async () => {
  ({ server, url } = await serveBuiltApp());
  browser = await launch();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('the interference probe', () => {
  it('asks for a live run first, then probes a chosen child in seconds', async () => {
    const cfg = { ...microConfig(3, 1), name: 'interference' };
    const page = await openPage(browser, url + encodeLink(cfg));
    await page.waitForSelector('[data-testid=probe]');
    expect(await page.isDisabled('[data-testid=probe-run]')).toBe(true);
    expect(await page.textContent('[data-testid=probe]')).toMatch(/Run live first/);
    await page.click('[data-testid=play]');
    await waitDone(page);
    await page.selectOption('[data-testid=probe-child]', { label: '243' });
    await page.fill('[data-testid=probe-steps]', '4');
    const t0 = Date.now();
    await page.click('[data-testid=probe-run]');
    await page.waitForSelector('[data-testid=probe-result]', { timeout: 60_000 });
    console.log(`probe answered in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    const text = (await page.textContent('[data-testid=probe-result]'))!;
    expect(text).toMatch(/^From step 8 of 12 \(instance 0\), 4 steps of 243 at learning rate/);
    expect(text).toMatch(/0 edges: .*; 1 edge: .*; 2 edges: /);
    expect(await page.locator('[data-testid=probe] svg rect').count()).toBe(6);
    if (process.env.PROBE_SHOT) await page.locator('[data-testid=probe]').screenshot({ path: process.env.PROBE_SHOT });
    await noProblems(page);
  });
});

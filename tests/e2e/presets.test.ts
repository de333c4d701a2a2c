// Every gallery preset as a class would use it: its recording (made by the CLI, public/runs/) is on
// screen on opening the link, before any training (the time is printed; the target is 2 s); "Run live"
// trains the same config in the worker (and its helper workers, one per further core, taking whole instances), and
// the page reports whether the result equals the recording.
// The wall time of each live run in headless chromium (wasm) is printed — measured, not asserted.
import type { Browser } from 'playwright-core';
import type { PreviewServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FINDINGS } from '../../src/engine/findings/registry';
import { launch, openPage, serveBuiltApp, waitDone } from './browser';

let server: PreviewServer;
let url: string;
let browser: Browser;
const timings: string[] = [];

beforeAll(async () => {
  ({ server, url } = await serveBuiltApp());
  browser = await launch();
});

afterAll(async () => {
  if (timings.length) console.log(`gallery presets in headless chromium:\n  ${timings.join('\n  ')}`);
  await browser?.close();
  await server?.close();
});

describe('gallery presets', () => {
  for (const g of FINDINGS)
    it(`${g.id}: the recording is on screen before any training, and a live run matches it`, async () => {
      const page = await openPage(browser, `${url}?preset=${g.id}`);
      // From a fresh navigation: the recorded charts appear before (and without) any training.
      const t0 = Date.now();
      await page.goto(`${url}?preset=${g.id}`);
      await page.waitForFunction(
        () => /Recorded run/.test(document.querySelector('[data-testid=record-source]')?.textContent ?? ''),
        null,
        { timeout: 10_000 },
      );
      await page.waitForSelector('.chart svg', { timeout: 10_000 });
      const shown = Date.now() - t0;
      // The 2 s target is measured and printed below, not asserted: under CI load it took 2.3–2.7 s (1.4–1.9 s
      // here with one core busy). What is asserted: the recording is drawn before, and without, any training.
      expect(shown).toBeLessThan(15_000);
      expect(await page.textContent('[data-testid=record-source]')).not.toMatch(/Live run/);
      expect(await page.textContent('[data-testid=verdict]')).toBeTruthy();
      // Beside the one recorded run: the findings report over 5 instances (public/findings.json).
      // One verdict, this run's, with the report's count over its 5 instances beside it as a number.
      await expect
        .poll(() => page.textContent('[data-testid=verdict-line]'))
        .toMatch(
          /(Holds|Partly|Not) here\s*—\s*\d+ of \d+ statistics hold in this run;\s+\d+ of \d+ over the 5 recorded/,
        );
      // The paper's own dense trace is drawn beside the classroom run on Interference.
      if (g.id === 'interference')
        await expect.poll(() => page.locator('[data-chart=paper-trace] path.trace').count()).toBe(64);
      expect(page.problems).toEqual([]);
      await page.waitForSelector('[data-testid=play]:not([disabled])', { timeout: 90_000 });
      const t1 = Date.now();
      await page.click('[data-testid=play]');
      await waitDone(page, 600_000);
      const seconds = (Date.now() - t1) / 1000;
      const comparison = (await page.textContent('[data-testid=comparison]')) ?? '';
      const device = (await page.textContent('[data-testid=device-report] summary'))?.replace(/\s+/g, ' ').trim();
      timings.push(
        `${g.id}: recording shown in ${shown} ms; live run ${seconds.toFixed(0)} s (${device}); ${comparison.trim()}`,
      );
      expect(comparison).toMatch(/equals the recording/);
      await page.context().close();
    }, 900_000); // a live run takes 1–2 minutes here, more under load
});

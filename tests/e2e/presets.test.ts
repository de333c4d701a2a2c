// Every gallery preset as a class would use it: its recording (made by the CLI, public/runs/) is on
// screen on opening the link, before any training (the time is printed; the target is 2 s); "Run live"
// trains the same config in the worker (and its helper workers, one per further core, taking whole instances), and
// the page reports whether the result equals the recording.
// The wall time of each live run in headless chromium (wasm) is printed — measured, not asserted.
import type { Browser, Page } from 'playwright-core';
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

/** The progress line's share of the work and ETA every 250 ms until the run is done (seconds since `t0`). */
async function sampleProgress(page: Page, t0: number): Promise<{ t: number; pct: number; eta: number }[]> {
  const out: { t: number; pct: number; eta: number }[] = [];
  const deadline = Date.now() + 600_000;
  while (Date.now() < deadline) {
    const el = page.locator('[data-testid=progress]');
    if ((await el.getAttribute('data-status')) === 'done') return out;
    const m = /(\d+)% of the work · ETA (\d+) (s|min)/.exec((await el.textContent()) ?? '');
    if (m) out.push({ t: (Date.now() - t0) / 1000, pct: Number(m[1]), eta: Number(m[2]) * (m[3] === 'min' ? 60 : 1) });
    await page.waitForTimeout(250);
  }
  throw new Error('the live run did not finish in 10 minutes');
}

/** The ETA against the time really left, at the first sample past each tenth from 10 % (measured, not asserted). */
function etaErrors(samples: { t: number; pct: number; eta: number }[], total: number): string {
  const parts: string[] = [];
  for (let d = 1; d <= 9; d++) {
    const x = samples.find((q) => q.pct >= d * 10);
    if (!x || total - x.t <= 0) continue;
    parts.push(`${d * 10}% ${(((x.eta - (total - x.t)) / (total - x.t)) * 100).toFixed(0)}%`);
  }
  return parts.join(', ');
}

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
      await page
        .waitForFunction(
          () => /about/.test(document.querySelector('[data-testid=progress]')?.textContent ?? ''),
          null,
          {
            timeout: 60_000,
          },
        )
        .catch(() => undefined);
      const estimate = ((await page.textContent('[data-testid=progress]')) ?? '').match(/about ([\d.]+ (s|min))/)?.[1];
      const t1 = Date.now();
      await page.click('[data-testid=play]');
      const samples = await sampleProgress(page, t1);
      await waitDone(page, 600_000);
      const seconds = (Date.now() - t1) / 1000;
      timings.push(`${g.id}: estimate before the run ${estimate}; ETA error at ${etaErrors(samples, seconds)}`);
      const comparison = (await page.textContent('[data-testid=comparison]')) ?? '';
      const device = (await page.textContent('[data-testid=device-report] summary'))?.replace(/\s+/g, ' ').trim();
      timings.push(
        `${g.id}: recording shown in ${shown} ms; live run ${seconds.toFixed(0)} s (${device}); ${comparison.trim()}`,
      );
      expect(comparison).toMatch(/equals the recording/);
      await page.context().close();
    }, 900_000); // a live run takes 1–2 minutes here, more under load
});

// The page as a teacher projects it and a student opens it on a phone: what is on screen without
// scrolling, overflow, tap instead of hover, accessibility (axe-core), classroom mode. Screenshots go
// to test-results/screenshots, or to docs/screenshots with `npm run screenshots`.
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Browser, Page } from 'playwright-core';
import type { PreviewServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FINDINGS } from '../../src/engine/findings/registry';
import { launch, microLink, openPage, serveBuiltApp, SHOTS, waitDone } from './browser';

let server: PreviewServer;
let url: string;
let browser: Browser;
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

beforeAll(async () => {
  ({ server, url } = await serveBuiltApp());
  browser = await launch();
  mkdirSync(SHOTS, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** Serious and critical axe-core violations, as "rule: target" lines. */
async function axe(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: AXE });
  const r = await page.evaluate(async () => {
    const res = await (
      window as unknown as {
        axe: {
          run(o: unknown): Promise<{ violations: { id: string; impact: string; nodes: { target: string[] }[] }[] }>;
        };
      }
    ).axe.run({ resultTypes: ['violations'] });
    return res.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map(
        (v) =>
          `${v.id}: ${v.nodes
            .map((n) => n.target.join(' '))
            .slice(0, 3)
            .join(' | ')}`,
      );
  });
  return r;
}

const overflow = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

describe('layout and accessibility', () => {
  for (const [w, h] of [
    [1920, 1080],
    [1366, 768],
  ])
    it(`${w}×${h}: a preset can be chosen and run without scrolling to find Run`, async () => {
      const page = await openPage(browser, `${url}?preset=interference`, { viewport: { width: w, height: h } });
      const run = (await page.locator('[data-testid=play]').boundingBox())!;
      expect(run.y + run.height).toBeLessThan(h);
      const tabs = (await page.locator('[data-preset]').first().boundingBox())!;
      expect(tabs.y + tabs.height).toBeLessThan(h);
      expect(await overflow(page)).toBeLessThanOrEqual(0);
      // Choosing another finding visibly changes the page: its card, and focus on it.
      await page.click('[data-preset=signal]');
      await page.waitForFunction(() =>
        /There is still signal/.test(document.getElementById('finding-title')?.textContent ?? ''),
      );
      await page.waitForFunction(() => document.activeElement?.id === 'finding-title', null, { timeout: 10_000 });
      expect(new URL(page.url()).search).toBe('?preset=signal');
      await page.context().close();
    });

  it('390×844 and 360×740 (phones): no horizontal overflow; a tap on a trace shows its child’s numbers', async () => {
    for (const [w, h] of [
      [390, 844],
      [360, 740],
    ]) {
      const page = await openPage(browser, url + microLink(2, 1), {
        viewport: { width: w, height: h },
        hasTouch: true,
        isMobile: true,
      });
      expect(await overflow(page), `${w} px`).toBeLessThanOrEqual(0);
      await page.click('[data-testid=play]');
      await waitDone(page);
      expect(await overflow(page), `${w} px after a run`).toBeLessThanOrEqual(0);
      const hit = page.locator('[data-chart=traces] rect.hit');
      await hit.scrollIntoViewIfNeeded();
      const box = (await hit.boundingBox())!;
      await page.touchscreen.tap(box.x + box.width * 0.6, box.y + box.height * 0.4);
      expect(await page.textContent('[data-testid=trace-readout]')).toMatch(/^\s*\d{3}[ :].*→/);
      if (w === 390) await page.screenshot({ path: `${SHOTS}/phone.png`, fullPage: false });
      await page.context().close();
    }
  });

  it('a statistic’s name in a card explains itself on a tap (a phone: the tap must open it, not toggle)', async () => {
    const page = await openPage(browser, `${url}?preset=interference`, {
      viewport: { width: 390, height: 844 },
      hasTouch: true,
      isMobile: true,
    });
    const term = page.locator('[data-testid=finding-stats] th[scope=row] button.term').first();
    await term.scrollIntoViewIfNeeded();
    expect(await term.textContent()).toBe('Kendall(rank at i, i+64) − Kendall(i, i+32)');
    await term.tap();
    const tip = page.locator(`#${await term.getAttribute('aria-describedby')}`);
    expect(await tip.isVisible()).toBe(true);
    expect(await tip.textContent()).toMatch(/^Kendall tau between the rankings after step i and after step i \+ lag/);
    // Every statistic row names at least one explained term.
    const rows = page.locator('[data-testid=finding-stats] th[scope=row]');
    for (let i = 0; i < (await rows.count()); i++)
      expect(await rows.nth(i).locator('button.term').count()).toBeGreaterThanOrEqual(1);
    await page.context().close();
  });

  it('axe-core finds no serious or critical violation on the start page and after a run', async () => {
    const page = await openPage(browser, url + microLink(2, 2), { bypassCSP: true });
    expect(await axe(page)).toEqual([]);
    await page.click('[data-testid=play]');
    await waitDone(page);
    expect(await axe(page)).toEqual([]);
    await page.context().close();
  });

  it(
    'classroom mode at 1920×1080: controls hidden, text ≥ 14 px, the finding’s card and its first charts on ' +
      'one screen',
    async () => {
      const page = await openPage(browser, `${url}?mode=class&preset=interference`, {
        viewport: { width: 1920, height: 1080 },
      });
      expect(await page.locator('.settings').count()).toBe(0);
      expect(await page.locator('[data-testid=device-report]').count()).toBe(0);
      const card = (await page.locator('[data-testid=finding-card]').boundingBox())!;
      expect(card.y).toBeLessThan(1080);
      const sizes = await page.evaluate(() =>
        [...document.querySelectorAll('main p, main li, main td, main th, .charts svg text, button')]
          .filter((e) => (e as HTMLElement).offsetParent !== null || e instanceof SVGElement)
          .map((e) => parseFloat(getComputedStyle(e).fontSize)),
      );
      expect(Math.min(...sizes)).toBeGreaterThanOrEqual(14);
      if (await page.locator('.chart').count()) {
        const first = (await page.locator('.chart').first().boundingBox())!;
        expect(first.y + first.height).toBeLessThanOrEqual(1080);
      }
      await page.screenshot({ path: `${SHOTS}/classroom.png` });
      await page.context().close();
    },
  );

  // A teacher projecting a laptop: the page says what it is, and each card's one-line verdict and key chart (the
  // first) are on the first screen.
  it('classroom mode at 1366×768: the tagline, each card’s verdict line and key chart above the fold', async () => {
    for (const g of FINDINGS) {
      const page = await openPage(browser, `${url}?mode=class&preset=${g.id}`, {
        viewport: { width: 1366, height: 768 },
      });
      await page.waitForSelector('[data-testid=verdict-line]', { timeout: 30_000 });
      await page.waitForSelector('.chart svg', { timeout: 30_000 });
      const bottom = async (sel: string) => {
        const b = (await page.locator(sel).first().boundingBox())!;
        return b.y + b.height;
      };
      expect(await page.textContent('.tagline')).toMatch(/supernet of 64 child models/);
      expect(await bottom('.tagline')).toBeLessThanOrEqual(768);
      expect(await bottom('[data-testid=verdict-line]')).toBeLessThanOrEqual(768);
      expect(await bottom('.chart')).toBeLessThanOrEqual(768);
      const line = (await page.textContent('[data-testid=verdict-line]'))!.replace(/\s+/g, ' ').trim();
      console.log(`${g.id}: ${line}`);
      expect(line).toMatch(
        /^(Holds here|Partly here|Not here|Not measurable) — \d+ of \d+ statistics hold in this run/,
      );
      await page.screenshot({ path: `${SHOTS}/classroom-1366-${g.id}.png` });
      await page.context().close();
    }
  });
});

// Play: a what-if on a finding's card keeps the run before it drawn and labelled, keeps the ground truth when only
// the supernet changes, draws a recorded what-if at once, travels in the address, and resets to the preset.
import { existsSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import type { PreviewServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FINDINGS } from '../../src/engine/findings/registry';
import { experimentHash, type ExperimentConfig } from '../../src/engine/schema/config';
import { SHARING } from '../../src/engine/space/sharing';
import { launch, noProblems, openPage, serveBuiltApp } from './browser';

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

const labels = (page: Page) => page.locator('[data-testid=run-label]').allTextContents();
const drawn = (page: Page) => page.waitForSelector('.charts figure, .charts svg', { timeout: 60_000 });
const gtKept = async (page: Page) => expect(await page.locator('[data-testid=gt-warning]').count()).toBe(0);

/** Milliseconds from a settings change until no "no run yet" notice and the run list holds `n` runs. */
async function timeUntilDrawn(page: Page, change: () => Promise<unknown>): Promise<number> {
  const t0 = Date.now();
  await change();
  await page.waitForFunction(() => !document.querySelector('[data-testid=no-run-yet]'), null, { timeout: 30_000 });
  await drawn(page);
  return Date.now() - t0;
}

describe('what-ifs on a card', () => {
  it('interference: another order draws its recording at once, beside the run before, the truth kept', async () => {
    const page = await openPage(browser, url + '?preset=interference');
    await drawn(page);
    const ms = await timeUntilDrawn(page, () => page.selectOption('[data-field="train.order"]', 'shuffle-period'));
    console.log(`order → reshuffled: charts in ${ms} ms (a recording ships)`);
    expect(ms).toBeLessThan(2_000);
    await gtKept(page);
    // The fixed-order run stays, compared, named by what it changes against the settings on screen.
    expect(await labels(page)).toEqual([expect.stringMatching(/^order: .*\(recorded\)$/)]);
    expect(await page.locator('[data-testid=compare-run]').first().isChecked()).toBe(true);
    expect(page.url()).toMatch(/compare=/);
    // …and drawn, in purple, over the lag and the agreement-over-epochs charts, named in their legends.
    expect(await page.locator('.charts path.lag.compared').count()).toBe(1);
    expect(await page.locator('.charts path.compared').count()).toBe(2);
    expect(await page.textContent('.charts')).toMatch(/purple: order: fixed \(recorded\)/);

    // A seed with no recording: the truth is kept (the supernet's seed is not the truth's), the charts keep
    // drawing the run before it, and the page says a run is needed.
    await page.fill('[data-field="seed"]', '3');
    await page.press('[data-field="seed"]', 'Tab');
    await page.waitForSelector('[data-testid=no-run-yet]');
    await gtKept(page);
    expect(await page.locator('.charts svg').count()).toBeGreaterThan(0);
    expect(await labels(page)).toContainEqual(expect.stringMatching(/seed: 0/));

    // The address reproduces the comparison in a new page.
    const link = page.url();
    console.log(`link: ${link}`);
    const again = await openPage(browser, link);
    await drawn(again);
    expect((await labels(again)).length).toBeGreaterThan(0);
    expect(await again.locator('[data-testid=compare-run]:checked').count()).toBeGreaterThan(0);
    await noProblems(again);
    await again.context().close();

    // Reset: the preset again, nothing compared, the address without compared runs.
    await page.click('[data-testid=reset]');
    await page.waitForFunction(() => !/compare=/.test(location.search));
    expect(await page.inputValue('[data-field="train.order"]')).toBe('fixed');
    expect(await page.locator('[data-testid=compare-run]:checked').count()).toBe(0);
    await noProblems(page);
    await page.context().close();
  });

  it('a live run cancelled early: no false alarm, no stale promise, the recording drawn beside it', async () => {
    const page = await openPage(browser, url + '?preset=best-varies&workers=1');
    await drawn(page);
    await page.click('[data-testid=play]');
    await page.waitForFunction(
      () => /step [1-9]/.test(document.querySelector('[data-testid=progress]')?.textContent ?? ''),
      null,
      { timeout: 60_000 },
    );
    await page.click('[data-testid=cancel]');
    await page.waitForFunction(
      () => document.querySelector('[data-testid=progress]')?.getAttribute('data-status') === 'done',
      null,
      { timeout: 30_000 },
    );
    expect(await page.textContent('[data-testid=progress]')).toMatch(/stopped after \d+ s: a partial run/);
    expect(await page.textContent('[data-testid=comparison]')).toMatch(/^\s*Stopped before/);
    expect(await page.textContent('[data-testid=finding-waiting]')).toMatch(/Stopped before its first instance/);
    expect(await labels(page)).toEqual([expect.stringMatching(/the same settings \(recorded\)/)]);
    expect(await page.locator('[data-testid=compare-run]:checked').count()).toBe(1);
    await noProblems(page);
    await page.context().close();
  });

  it('less sharing: random groups draw their recording, the similar ones compared', async () => {
    const page = await openPage(browser, url + '?preset=less-sharing');
    await drawn(page);
    const partition = page.locator('[data-testid=sharing-partition]');
    const ms = await timeUntilDrawn(page, () => partition.selectOption('random'));
    console.log(`similar → random groups: charts in ${ms} ms`);
    expect(ms).toBeLessThan(2_000);
    await gtKept(page);
    expect(await labels(page)).toEqual([expect.stringMatching(/sharing: .*similarity.*\(recorded\)/)]);
    await noProblems(page);
    await page.context().close();
  });

  // Each card, each kind of what-if (a supernet-side change, so the truth is the preset's): the order, the sharing
  // and the seed, each from the preset. Where a recording of the new experiment ships it draws within 2 s; otherwise
  // the page says a run is needed. Either way the truth is kept and the preset's run stays drawn and labelled.
  for (const g of FINDINGS)
    it(`${g.id}: another order, sharing or seed keeps the truth and the run before, drawn and labelled`, async () => {
      const page = await openPage(browser, url + `?preset=${g.id}`);
      await drawn(page);
      const order = g.config.train.order === 'fixed' ? 'shuffle-period' : 'fixed';
      const sharing = g.config.sharing.kind === 'full' ? 'groups' : 'full';
      const whatIfs: { name: string; cfg: ExperimentConfig; change: () => Promise<unknown> }[] = [
        {
          name: `order → ${order}`,
          cfg: { ...g.config, train: { ...g.config.train, order } },
          change: () => page.selectOption('[data-field="train.order"]', order),
        },
        {
          name: `sharing → ${sharing}`,
          cfg: { ...g.config, sharing: structuredClone(SHARING[sharing].defaults) },
          change: () => page.selectOption('[data-testid=sharing]', sharing),
        },
        {
          name: 'seed → 3',
          cfg: { ...g.config, seed: 3 },
          change: async () => {
            await page.fill('[data-field="seed"]', '3');
            await page.press('[data-field="seed"]', 'Tab');
          },
        },
      ];
      for (const w of whatIfs) {
        const recorded = existsSync(`public/runs/${experimentHash(w.cfg)}.json`);
        if (recorded) {
          const ms = await timeUntilDrawn(page, w.change);
          console.log(`${g.id}: ${w.name}: a recording ships, charts in ${ms} ms`);
          expect(ms).toBeLessThan(2_000);
        } else {
          await w.change();
          await page.waitForSelector('[data-testid=no-run-yet]');
          console.log(`${g.id}: ${w.name}: no recording; the page asks for a run and keeps the preset's drawn`);
          expect(await page.locator('.charts svg').count()).toBeGreaterThan(0);
        }
        await gtKept(page);
        // The preset's run, compared and labelled by what it changes against the settings on screen.
        expect(await page.locator('[data-testid=compare-run]:checked').count()).toBeGreaterThan(0);
        expect((await labels(page)).join(' | ')).toMatch(/\(recorded\)/);
        await page.click('[data-testid=reset]');
        await page.waitForFunction(() => !/compare=/.test(location.search));
        await drawn(page);
      }
      await noProblems(page);
      await page.context().close();
    });
});

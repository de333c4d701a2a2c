// The app in real headless Debian chromium (playwright-core, no browser download): training runs in
// the worker on whatever backend the page picks, under the page's Content-Security-Policy.
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import type { PreviewServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRecordText } from '../../src/engine/schema/readRecord';
import { recordToJson } from '../../src/engine/schema/record';
import { preset } from '../../src/engine/schema/scales';
import { encodeLink } from '../../src/lib/settings/links';
import { findingById } from '../../src/engine/findings/registry';
import { fakeRecord } from '../fixtures';
import { launch, microConfig, microLink, noProblems, openPage, serveBuiltApp, waitDone } from './browser';

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

const field = (page: Page, path: string) => page.inputValue(`[data-field="${path}"]`);
describe('the app in chromium', () => {
  it('opens, picks a backend after its self-test and reports why faster ones were refused', async () => {
    const page = await openPage(browser, url);
    const report = (await page.textContent('[data-testid=device-report]'))!;
    console.log(`device report: ${report.replace(/\s+/g, ' ').trim()}`);
    expect(report).toMatch(/Backend: (webgpu|webgl|wasm|cpu)/);
    expect(report).toMatch(/Self-test: loss and gradients match the cpu backend/);
    expect(report).toMatch(/Threads: \d/);
    expect(report).toMatch(/Why \w+: /);
    await noProblems(page);
    await page.context().close();
  });

  it('?timeAll=1: every backend that passes is timed on the classroom step and the fastest trains', async () => {
    // A browser of its own: a software GPU's unfinished timing step keeps chromium's GPU process busy for minutes
    // after the page closes, which would stall the self-tests of the pages opened after it.
    const own = await launch();
    try {
      const page = await openPage(own, url + '?timeAll=1');
      const why = (await page.textContent('[data-testid=backend-why]'))!.replace(/\s+/g, ' ');
      const chosen = /Why (\w+):/.exec(why)![1];
      console.log(`timed: ${why}`);
      // "wasm 35 ms", or "webgpu over 6 s" for a backend whose steps did not finish within the time it is given.
      const times = [...why.matchAll(/(webgpu|webgl|wasm) (?:(\d+) ms|over (\d+) s)/g)].map((m) => ({
        b: m[1],
        ms: m[2] ? Number(m[2]) : Infinity,
      }));
      // In headless chromium WebGPU (SwiftShader) passes its self-test beside wasm, so at least two are timed.
      expect(times.length).toBeGreaterThanOrEqual(2);
      expect(Number.isFinite(times[0].ms)).toBe(true);
      expect(why).toMatch(/the fastest step of the classroom model/);
      expect(chosen).toBe(times[0].b);
      expect(times[0].ms).toBe(Math.min(...times.map((t) => t.ms)));
      await noProblems(page);
    } finally {
      await own.close();
    }
  });

  it('forced WebGPU (SwiftShader) passes the self-test with our WGSL kernels and trains a run to the end', async () => {
    const page = await openPage(browser, url + '?backend=webgpu' + microLink(2, 1));
    const report = (await page.textContent('[data-testid=device-report]'))!;
    console.log(`forced webgpu: ${report.replace(/\s+/g, ' ').trim()}`);
    expect(report).toMatch(/Backend: webgpu/);
    expect(report).toMatch(/Self-test: loss and gradients match the cpu backend/);
    await page.click('[data-testid=play]');
    await waitDone(page);
    expect(await page.locator('path.trace').count()).toBe(64);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=export-json]')]);
    const rec = parseRecordText(readFileSync((await download.path())!, 'utf8'));
    expect(rec.status).toBe('complete');
    expect(rec.engine.backend).toBe('webgpu');
    await noProblems(page);
    await page.context().close();
  });

  it('a preset link opens with exactly its config: controls, readable address and share link agree', async () => {
    const g = findingById('interference')!;
    const page = await openPage(browser, url + encodeLink(g.config));
    expect(await field(page, 'train.epochs')).toBe(String(g.config.train.epochs));
    expect(await field(page, 'eval.denseSteps')).toBe(String(g.config.eval.denseSteps));
    expect(new URL(page.url()).search).toBe('?preset=interference');
    expect(await page.getAttribute('[data-testid=share-link]', 'href')).toBe(encodeLink(g.config));
    await page.context().close();
  });

  it('a malformed, damaged or newer link shows its message and falls back to a preset', async () => {
    const bad = await openPage(browser, url + '#v=2&c=@@@not-base64&h=00000000');
    expect(await bad.textContent('[data-testid=notice]')).toMatch(/damaged/);
    expect(await field(bad, 'train.epochs')).toBe(String(preset('tiny').train.epochs));
    await bad.context().close();
    const good = encodeLink(preset('tiny'));
    const i = good.indexOf('c=') + 30;
    const flipped = await openPage(browser, url + good.slice(0, i) + (good[i] === 'x' ? 'y' : 'x') + good.slice(i + 1));
    expect(await flipped.textContent('[data-testid=notice]')).toMatch(/checksum does not match/);
    await flipped.context().close();
    const newer = await openPage(browser, url + '#v=9&c=e30');
    expect(await newer.textContent('[data-testid=notice]')).toMatch(/newer version/);
    await newer.context().close();
  });

  it(
    'runs an experiment to the end in the worker, draws every child, shows a tapped trace, survives a reload ' +
      'and exports a valid record',
    async () => {
      const page = await openPage(browser, url + microLink());
      await page.evaluate(() => ((window as unknown as { __longTasks: number[] }).__longTasks = []));
      await page.click('[data-testid=play]');
      await waitDone(page);
      expect(await page.locator('path.trace').count()).toBe(64);
      expect(await page.locator('[data-chart=spread] g.box').count()).toBe(64);
      const longest = Math.max(
        0,
        ...(await page.evaluate(() => (window as unknown as { __longTasks: number[] }).__longTasks)),
      );
      console.log(`longest main-thread task during the run: ${longest.toFixed(0)} ms`);
      // Printed, not asserted: a timed assertion flakes under load (273–764 ms measured on a loaded CI machine).
      // A tap (not a hover) on the traces names a child and its numbers.
      const hit = page.locator('[data-chart=traces] rect.hit');
      const box = (await hit.boundingBox())!;
      await page.mouse.click(box.x + box.width * 0.5, box.y + box.height * 0.5);
      expect(await page.textContent('[data-testid=trace-readout]')).toMatch(/^\s*\d{3}[ :].*→/);

      const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=export-json]')]);
      const rec = parseRecordText(readFileSync((await download.path())!, 'utf8'));
      expect(rec.status).toBe('complete');
      expect(rec.instances).toHaveLength(2);
      expect(rec.engine.backend).toBe('wasm');

      await page.reload();
      await page.waitForSelector('path.trace', { timeout: 30_000 });
      expect(await page.locator('path.trace').count()).toBe(64);
      expect(await page.textContent('[data-testid=record-source]')).toMatch(/Live run/);
      await noProblems(page);
      await page.context().close();
    },
  );

  it(
    'editing a setting updates the address bar and keeps the run before it compared; opening a record updates the ' +
      'controls',
    async () => {
      const page = await openPage(browser, url + '?preset=interference');
      await page.fill('[data-field="instances"]', '4');
      await page.press('[data-field="instances"]', 'Tab');
      await page.waitForFunction(() => location.search.includes('instances=4'));
      // The preset's own run stays compared, and the address says so.
      expect(new URL(page.url()).search).toBe('?preset=interference&instances=4&compare=preset');
      await page.fill('[data-field="model.stemChannels"]', '6');
      await page.press('[data-field="model.stemChannels"]', 'Tab');
      await page.waitForFunction(() => location.hash.startsWith('#v=2&c='));
      // No run yet for these settings: the page says so, and the run before stays drawn, compared.
      await page.waitForSelector('[data-testid=no-run-yet]');
      expect(await page.locator('[data-testid=compare-run]:checked').count()).toBeGreaterThanOrEqual(1);
      await expect.poll(() => page.locator('[data-testid=gt-warning]').count()).toBe(1);
      // An opened record becomes the experiment: its config in the controls and the address bar.
      const rec = fakeRecord({ instances: 3, config: { name: 'opened', seed: 7 } as never });
      await page.setInputFiles('[data-testid=open-record]', {
        name: 'run.json',
        mimeType: 'application/json',
        buffer: Buffer.from(recordToJson(rec)),
      });
      await page.waitForFunction(
        () => (document.querySelector('[data-field="instances"]') as HTMLInputElement)?.value === '3',
      );
      expect(await field(page, 'seed')).toBe('7');
      expect(await page.locator('path.trace').count()).toBe(64);
      expect(decodeURIComponent(page.url())).toMatch(/instances=3|#v=2&c=/);
      // A record that is not one gets a message and changes nothing.
      await page.setInputFiles('[data-testid=open-record]', {
        name: 'bad.json',
        mimeType: 'application/json',
        buffer: Buffer.from('{"kind":"supernet-playground/run","schemaVersion":2,"instances":[{"accuracy":[[2]]}]}'),
      });
      expect(await page.textContent('[data-testid=notice]')).toMatch(/bad\.json: not a valid run record/);
      expect(await field(page, 'seed')).toBe('7');
      await page.context().close();
    },
  );

  it('ticking and unticking "Fixed stem" returns to the same config: its address, link and ground truth', async () => {
    // The unticked box writes fixedStem: false, which parsing turns into the learned default (no key, one hash).
    const page = await openPage(browser, url + '?preset=paper');
    await page.waitForFunction(() => location.search === '?preset=paper');
    const box = '[data-field="model.fixedStem"]';
    expect(await page.isChecked(box)).toBe(false);
    await page.check(box);
    await expect.poll(() => page.locator('[data-testid=gt-warning]').count()).toBe(1);
    expect(new URL(page.url()).search).not.toBe('?preset=paper');
    await page.uncheck(box);
    await page.waitForFunction(() => location.search === '?preset=paper');
    expect(await page.getAttribute('[data-testid=share-link]', 'href')).toBe(encodeLink(preset('paper')));
    // The paper's shipped ground truth is found again under the preset's own hash: no warning once it is looked up
    // (a slow lookup could only let this pass early; the link above already fails without the normalisation).
    await page.waitForTimeout(1500);
    expect(await page.locator('[data-testid=gt-warning]').count()).toBe(0);
    await noProblems(page);
    await page.context().close();
  });

  it('trains on CIFAR-10 files given to the page, and names the byte offset of a truncated one', async () => {
    const record = (i: number) => {
      const b = Buffer.alloc(3073);
      b[0] = i % 10;
      for (let p = 1; p < 3073; p++) b[p] = (i * 7 + p * (1 + (i % 10))) & 255;
      return b;
    };
    const bin = (n: number) => Buffer.concat(Array.from({ length: n }, (_, i) => record(i)));
    const page = await openPage(browser, url + microLink(2, 1));
    const input = page.locator('.drop input[type=file]');
    await input.setInputFiles([
      { name: 'data_batch_1.bin', mimeType: 'application/octet-stream', buffer: bin(64) },
      { name: 'test_batch.bin', mimeType: 'application/octet-stream', buffer: bin(32).subarray(0, 32 * 3073 - 10) },
    ]);
    await page.waitForFunction(() =>
      /CIFAR-10 from/.test(document.querySelector('[data-testid=dataset]')?.textContent ?? ''),
    );
    await page.click('[data-testid=play]');
    await page.waitForSelector('[data-testid=run-notice] [data-testid=notice]', { timeout: 30_000 });
    expect(await page.textContent('[data-testid=notice]')).toMatch(
      /test_batch\.bin: .*record 31 at byte offset 95263 is truncated/,
    );
    await input.setInputFiles([
      { name: 'data_batch_1.bin', mimeType: 'application/octet-stream', buffer: bin(64) },
      { name: 'test_batch.bin', mimeType: 'application/octet-stream', buffer: bin(32) },
    ]);
    await page.click('[data-testid=play]');
    await waitDone(page, 60_000);
    expect(await page.locator('path.trace').count()).toBe(64);
    await page.context().close();
  });

  it('pauses, steps, resumes and cancels; progress names its phase and never prints a broken ETA', async () => {
    const page = await openPage(browser, url + microLink(60, 1));
    await page.click('[data-testid=play]');
    await page.waitForSelector('[data-testid=pause]', { timeout: 30_000 });
    await page.waitForFunction(
      () => /step [1-9]/.test(document.querySelector('[data-testid=progress]')?.textContent ?? ''),
      null,
      { timeout: 30_000 },
    );
    expect(await page.textContent('[data-testid=progress]')).toMatch(
      /(training|evaluating every child) · instance 1\/1, step \d+\/\d+ · \d+% of the work · ETA (\d+ s|\d+ min)/,
    );
    await page.click('[data-testid=pause]');
    await page.waitForFunction(
      () => document.querySelector('[data-testid=progress]')?.getAttribute('data-status') === 'paused',
    );
    const stepAt = async () =>
      Number(/step (\d+)\//.exec((await page.textContent('[data-testid=progress]')) ?? '')?.[1]);
    await page.waitForTimeout(400);
    const a = await stepAt();
    await page.waitForTimeout(800);
    expect(await stepAt()).toBe(a);
    await page.click('[data-testid=step]');
    await page.waitForFunction(
      (s) => Number(/step (\d+)\//.exec(document.querySelector('[data-testid=progress]')?.textContent ?? '')?.[1]) > s,
      a,
      { timeout: 10_000 },
    );
    // One step, as shown: paused, the bar shows the step the run stopped at (not one a few steps behind).
    await page.waitForTimeout(500);
    expect(await stepAt()).toBe(a + 1);
    await page.click('[data-testid=resume]');
    await page.click('[data-testid=cancel]');
    await waitDone(page, 30_000);
    expect(await page.textContent('[data-testid=progress]')).not.toMatch(/1:60|NaN|undefined/);
    // Cancelled, not done: the bar says the run stopped and is partial (60 epochs do not finish in this time).
    expect(await page.textContent('[data-testid=progress]')).toMatch(/stopped after \d+ s: a partial run/);
    expect(await page.evaluate(() => document.activeElement?.tagName)).not.toBe('BODY');
    await page.context().close();
  });

  it('a run cancelled while paused leaves no helper worker paused: the next run of 2 instances finishes', async () => {
    const page = await openPage(browser, `${url}?workers=2${microLink(40, 2)}`);
    await page.click('[data-testid=play]');
    await page.waitForSelector('[data-testid=pause]', { timeout: 30_000 });
    await page.click('[data-testid=pause]');
    await page.waitForFunction(
      () => document.querySelector('[data-testid=progress]')?.getAttribute('data-status') === 'paused',
    );
    await page.click('[data-testid=cancel]');
    await page.waitForSelector('[data-testid=play]:not([disabled])', { timeout: 30_000 });
    await page.click('[data-testid=play]');
    await waitDone(page, 120_000);
    expect(await page.textContent('[data-testid=device-report] summary')).toMatch(/2 training workers/);
    expect(page.problems).toEqual([]);
    await page.context().close();
  });

  it('a failed worker (an impossible allocation) is replaced, and the next run works without a reload', async () => {
    const page = await openPage(browser, `${url}?faults=1${microLink(2, 1)}`);
    await page.click('[data-testid=fault]');
    await page.waitForSelector('[data-testid=run-notice] [data-testid=notice]', { timeout: 30_000 });
    expect(await page.textContent('[data-testid=notice]')).toMatch(/training worker failed/);
    await page.waitForFunction(
      () => !(document.querySelector('[data-testid=play]') as HTMLButtonElement).disabled,
      null,
      { timeout: 90_000 },
    );
    await page.click('[data-testid=play]');
    await waitDone(page, 60_000);
    expect(await page.locator('path.trace').count()).toBe(64);
    await page.context().close();
  });

  it('a corrupt stored run is set aside and reported; the page loads and works', async () => {
    const page = await openPage(browser, url);
    await page.evaluate(
      () =>
        new Promise<void>((resolve, reject) => {
          const req = indexedDB.open('supernet-playground', 2);
          req.onsuccess = () => {
            const tx = req.result.transaction('runs', 'readwrite');
            tx.objectStore('runs').put({ kind: 'supernet-playground/run', schemaVersion: 2, config: null }, 'abc');
            tx.objectStore('runs').put('abc', 'last');
            tx.oncomplete = () => resolve();
            tx.onerror = () => reject(tx.error);
          };
          req.onerror = () => reject(req.error);
        }),
    );
    await page.reload();
    await page.waitForSelector('[data-testid=play]:not([disabled])', { timeout: 90_000 });
    expect(await page.textContent('[data-testid=notice]')).toMatch(/could not be read and was set aside/);
    expect(await page.isEnabled('[data-testid=play]')).toBe(true);
    await page.reload();
    await page.waitForSelector('[data-testid=play]:not([disabled])', { timeout: 90_000 });
    expect(await page.locator('[data-testid=notice]').count()).toBe(0); // reported once, not on every load
    await page.context().close();
  });

  it('a run interrupted by a reload resumes from its last epoch and finishes', async () => {
    const c = microConfig(30, 1);
    const page = await openPage(browser, url + encodeLink(c));
    // Slowed to 50 ms a step (Speed: right is faster), so the reload lands mid-run: on an idle machine the 120 steps
    // could otherwise finish before a step in 50–99 is shown, and a finished run leaves nothing to resume.
    await page.locator('[data-testid=speed]').fill('450');
    await page.click('[data-testid=play]');
    await page.waitForFunction(
      () => /step [5-9]\d\//.test(document.querySelector('[data-testid=progress]')?.textContent ?? ''),
      null,
      { timeout: 60_000 },
    );
    await page.reload();
    await page.waitForSelector('[data-testid=interrupted]', { timeout: 60_000 });
    expect(await page.textContent('[data-testid=interrupted]')).toMatch(/interrupted .* step \d+/);
    await page.waitForFunction(
      () => !(document.querySelector('[data-testid=resume-interrupted]') as HTMLButtonElement)?.disabled,
      null,
      { timeout: 90_000 },
    );
    await page.click('[data-testid=resume-interrupted]');
    await waitDone(page, 90_000);
    expect(await page.textContent('[data-testid=record-source]')).toMatch(/Live run/);
    await page.context().close();
  });
});

describe('hostile input through the real page (a sample of the fuzz suite)', () => {
  it('20 hostile links and 10 hostile records: a message or a valid experiment, never a page error', async () => {
    const { hostileLink, hostileRecord } = await import('../fuzz');
    const { Rng } = await import('../../src/engine/core/rng');
    const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    let messages = 0;
    for (let i = 0; i < 20; i++) {
      await page.goto('about:blank');
      await page.goto(url + hostileLink(Rng.from(20261128, 'link', i)));
      await page.waitForSelector('[data-testid=finding-card]', { timeout: 60_000 });
      if (await page.locator('[data-testid=notice]').count()) messages++;
    }
    for (let i = 0; i < 10; i++) {
      const text = hostileRecord(Rng.from(20261128, 'record', i));
      await page.setInputFiles('[data-testid=open-record]', {
        name: `fuzz${i}.json`,
        mimeType: 'application/json',
        buffer: Buffer.from(text),
      });
      await page
        .waitForFunction(
          (n) => /fuzz\d+\.json/.test(document.querySelector('[data-testid=notice]')?.textContent ?? '') || n > 0,
          0,
          { timeout: 10_000 },
        )
        .catch(() => undefined);
    }
    console.log(
      `browser fuzz sample: 20 links (${messages} with a message), 10 records; page errors: ${errors.length}`,
    );
    expect(errors).toEqual([]);
    await context.close();
  });
});

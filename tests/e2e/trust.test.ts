// Trust, through the real page in chromium: the Content-Security-Policy has no blob: scripts and a run still works
// and is stored in one transaction; unknown presets and flags give one notice and a working default; a worker
// script that does not load is retried with back-off, then given up with a notice; stored entries are verified
// against their keys (500 junk entries make one short notice); damaged checkpoints never reach the user as raw
// JavaScript errors; links long and damaged are read or refused exactly as in Node.
import type { Browser, Page } from 'playwright-core';
import type { PreviewServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configHash, hashHex, type ExperimentConfig } from '../../src/engine/schema/config';
import { Rng } from '../../src/engine/core/rng';
import { RECORD_KIND, RECORD_SCHEMA_VERSION } from '../../src/engine/schema/record';
import { decodeLink, encodeLink } from '../../src/lib/settings/links';
import { fakeRecord } from '../fixtures';
import { launch, microConfig, microLink, openPage, serveBuiltApp, waitDone } from './browser';

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

/** Raw JavaScript error text that must never reach a user. */
const RAW = /is not a function|Cannot read|Float32Array|TypeError|RangeError|snapshot lacks|Unexpected token/;
/** The notices' texts (without their dismiss button). */
const notices = async (page: Page) =>
  (await page.locator('[data-testid=notice]').allTextContents()).map((t) => t.replace(/\s*×\s*$/, '').trim());
const field = (page: Page, path: string) => page.inputValue(`[data-field="${path}"]`);

/** Puts entries into the page's IndexedDB store of runs, as a damaged or hostile browser profile would hold them. */
function seed(page: Page, entries: [string, unknown][]): Promise<void> {
  return page.evaluate(
    (list) =>
      new Promise<void>((resolve, reject) => {
        const req = indexedDB.open('supernet-playground', 2);
        req.onupgradeneeded = () => {
          for (const s of ['runs', 'quarantine'])
            if (!req.result.objectStoreNames.contains(s)) req.result.createObjectStore(s);
        };
        req.onsuccess = () => {
          const tx = req.result.transaction('runs', 'readwrite');
          for (const [k, v] of list) tx.objectStore('runs').put(v, k);
          tx.oncomplete = () => (req.result.close(), resolve());
          tx.onerror = () => reject(tx.error);
        };
        req.onerror = () => reject(req.error);
      }),
    entries,
  );
}

/** How many entries each store holds. */
const storeSizes = (page: Page) =>
  page.evaluate(
    () =>
      new Promise<{ runs: number; quarantine: number }>((resolve, reject) => {
        const req = indexedDB.open('supernet-playground', 2);
        req.onsuccess = () => {
          const tx = req.result.transaction(['runs', 'quarantine'], 'readonly');
          const a = tx.objectStore('runs').count();
          const b = tx.objectStore('quarantine').count();
          tx.oncomplete = () => (req.result.close(), resolve({ runs: a.result, quarantine: b.result }));
        };
        req.onerror = () => reject(req.error);
      }),
  );

/** A partial record of `cfg` whose checkpoint holds `weights` (base64 float32 per copy key). */
function interrupted(cfg: ExperimentConfig, weights: Record<string, { value: string }>) {
  const rec = fakeRecord({ config: cfg, instances: cfg.instances });
  const inst = { ...rec.instances[0], points: [], accuracy: [], status: 'partial' as const };
  inst.trainOrder = [[]];
  inst.loss = [[]];
  const order = { perm: Array.from({ length: 64 }, (_, i) => i), pos: 0, rng: 1 };
  return {
    ...rec,
    metrics: undefined,
    instances: [],
    status: 'partial',
    checkpoint: { instance: 0, step: 4, weights, orders: [order], augment: [1], record: inst },
  };
}

describe('trust, in the page', () => {
  it("no blob: scripts in the CSP; a run works under it and is stored with its 'last' in one transaction", async () => {
    const page = await openPage(browser, `${url}?threads=2${microLink(2, 1)}`);
    const csp = (await page.getAttribute('meta[http-equiv=Content-Security-Policy]', 'content'))!;
    expect(csp).toMatch(/script-src 'self' 'wasm-unsafe-eval';/);
    expect(csp).toMatch(/worker-src 'self';/);
    expect(csp).not.toMatch(/script-src[^;]*blob:|worker-src[^;]*blob:/);
    // Every put, with the transaction it went into (the real IndexedDB, observed, not replaced).
    await page.evaluate(() => {
      const w = window as unknown as { __puts: { key: string; tx: number }[] };
      w.__puts = [];
      const ids = new WeakMap<IDBTransaction, number>();
      let next = 0;
      const put = IDBObjectStore.prototype.put;
      IDBObjectStore.prototype.put = function (this: IDBObjectStore, value: unknown, key?: IDBValidKey) {
        if (!ids.has(this.transaction)) ids.set(this.transaction, ++next);
        w.__puts.push({ key: String(key), tx: ids.get(this.transaction)! });
        return put.call(this, value, key);
      };
    });
    await page.click('[data-testid=play]');
    await waitDone(page);
    const hash = configHash(microConfig(2, 1));
    await page.waitForFunction(
      (h) => (window as unknown as { __puts: { key: string }[] }).__puts.some((p) => p.key === h),
      hash,
    );
    const puts = await page.evaluate(() => (window as unknown as { __puts: { key: string; tx: number }[] }).__puts);
    const run = puts.find((p) => p.key === hash)!;
    expect(puts.find((p) => p.key === 'last')?.tx).toBe(run.tx);
    const csps = await page.evaluate(() => (window as unknown as { __csp: string[] }).__csp);
    expect([...page.problems, ...csps]).toEqual([]);
    await page.context().close();
  });

  it('an unknown preset or flag value: one notice, and the default experiment works (charts, Run)', async () => {
    for (const q of ['?preset=interferance', '?preset=__proto__&backend=toString&hide=bogus', '?preset=toString']) {
      const page = await openPage(browser, url + q);
      const shown = await notices(page);
      expect(shown, q).toHaveLength(1);
      expect(shown[0], q).toMatch(/unknown preset .*default experiment is shown instead/);
      if (q.includes('backend')) {
        console.log(`notice: ${shown[0]}`);
        expect(shown[0]).toMatch(/shown instead\. 2 page flags were ignored: \?hide= names no part "bogus"/);
        expect(shown[0]).toMatch(/; \?backend=toString is unknown \(backends: webgpu, webgl, wasm, cpu\)\.$/);
      }
      expect(shown[0]).not.toMatch(RAW);
      expect(await page.getAttribute('[data-preset=best-varies]', 'aria-current'), q).toBe('page');
      await page.waitForSelector('path.trace');
      expect(await page.locator('path.trace').count()).toBe(64);
      expect(await page.isEnabled('[data-testid=play]')).toBe(true);
      if (q === '?preset=interferance') {
        await page.click('[data-preset=interference]');
        await page.waitForFunction(() => location.search === '?preset=interference');
      }
      expect(page.problems, q).toEqual([]);
      await page.context().close();
    }
  });

  it('a worker script that does not load is retried after 1, 2 and 4 s, then given up with a notice', async () => {
    const context = await browser.newContext();
    await context.route(/trainer\.worker[^/]*\.js/, (r) => r.fulfill({ status: 404, body: 'not found' }));
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.addInitScript(() => {
      const w = window as unknown as { __workers: number; Worker: typeof Worker };
      w.__workers = 0;
      const Original = w.Worker;
      w.Worker = class extends Original {
        constructor(u: string | URL, o?: WorkerOptions) {
          super(u, o);
          if (/trainer/.test(String(u))) w.__workers++;
        }
      };
    });
    const t0 = Date.now();
    await page.goto(url);
    await page.waitForFunction(() => /could not be started/.test(document.body.textContent ?? ''), null, {
      timeout: 30_000,
    });
    const seconds = (Date.now() - t0) / 1000;
    await page.waitForTimeout(3000);
    const started = await page.evaluate(() => (window as unknown as { __workers: number }).__workers);
    console.log(`worker 404: ${started} workers started, given up after ${seconds.toFixed(1)} s`);
    expect(started).toBe(4);
    expect(seconds).toBeGreaterThan(6);
    const text = (await notices(page)).join(' ');
    expect(text).toMatch(/could not be started \(4 tries.*\)\. Reload the page/);
    expect(await page.getAttribute('[data-testid=progress]', 'data-status')).toBe('failed');
    expect(await page.isEnabled('[data-testid=play]')).toBe(false);
    expect(await page.locator('path.trace').count()).toBe(64); // the recording is still on screen
    expect(errors).toEqual([]);
    await context.close();
  });

  it("stored entries: a run under another config's hash is not shown; 500 junk entries, one short notice", async () => {
    const page = (await browser.newPage()) as Page;
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(url);
    // The first page's own boot reads the store: let it finish before seeding, or it may set entries aside itself.
    await page.waitForSelector('[data-testid=finding-card]');
    const a = fakeRecord({ instances: 2 });
    const b = microConfig(2, 1);
    const cut = structuredClone(a) as unknown as { instances: { accuracy: number[][] }[] };
    cut.instances[1].accuracy.pop(); // a record cut short, as a half-written one would be
    const junk: [string, unknown][] = Array.from({ length: 497 }, (_, i) => [
      `junk-${i}`,
      [null, 'x'.repeat(i), { kind: RECORD_KIND, schemaVersion: RECORD_SCHEMA_VERSION }, i, [i]][i % 5],
    ]);
    await seed(page, [
      [configHash(b), a], // a valid record, stored under another config's hash
      ['cut-short', cut],
      [a.configHash, { ...a, configHash: configHash(b) }], // a record whose configHash lies
      ...junk,
      ['last', configHash(b)],
    ]);
    await page.goto(url + encodeLink(b));
    await page.waitForSelector('[data-testid=notice]', { timeout: 30_000 });
    const shown = await notices(page);
    console.log(`500 bad stored entries → notice of ${shown[0].length} characters: ${shown[0].slice(0, 160)}…`);
    expect(shown).toHaveLength(1);
    expect(shown[0]).toMatch(/^500 stored entries could not be read and were set aside: .*and 497 more\.$/);
    expect(shown[0].length).toBeLessThanOrEqual(600);
    expect(await field(page, 'seed')).toBe(String(b.seed));
    expect(await field(page, 'train.epochs')).toBe(String(b.train.epochs));
    expect(await page.locator('path.trace').count()).toBe(0); // not another config's run
    expect(await storeSizes(page)).toEqual({ runs: 1, quarantine: 20 }); // 'last' stays; the rest set aside
    await page.reload();
    await page.waitForSelector('[data-testid=finding-card]');
    await page.waitForTimeout(1000);
    expect(await notices(page)).toEqual([]); // reported once
    expect(errors).toEqual([]);
    await page.close();
  });

  it('damaged checkpoints: set aside when they cannot be right, one sentence when they do not fit', async () => {
    const cfg = microConfig(2, 1);
    const page = (await browser.newPage()) as Page;
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(url);
    await page.waitForSelector('[data-testid=finding-card]'); // the first page's boot has read the store
    // Weights cut to 15 bytes (not whole float32 values): refused when read, never offered for resuming.
    await seed(page, [['interrupted', interrupted(cfg, { 'stem.conv0': { value: btoa('\u0000'.repeat(15)) } })]]);
    await page.goto(url + encodeLink(cfg));
    await page.waitForSelector('[data-testid=notice]', { timeout: 30_000 });
    expect((await notices(page))[0]).toMatch(/A stored run \(interrupted\) could not be read.*weights .* damaged/);
    expect(await page.locator('[data-testid=interrupted]').count()).toBe(0);
    // Well-formed weights of copies this model does not have: offered, and on resume one sentence, then Run works.
    await seed(page, [['interrupted', interrupted(cfg, { 'no.such.copy': { value: btoa('\u0000'.repeat(16)) } })]]);
    await page.reload();
    await page.waitForSelector('[data-testid=resume-interrupted]:not([disabled])', { timeout: 90_000 });
    await page.click('[data-testid=resume-interrupted]');
    await page.waitForSelector('[data-testid=run-notice] [data-testid=notice]', { timeout: 60_000 });
    const text = (await page.textContent('[data-testid=run-notice]'))!;
    expect(text).toMatch(/could not be resumed: its saved checkpoint is damaged .*press ▶ Run/);
    expect(text).not.toMatch(RAW);
    await page.waitForSelector('[data-testid=play]:not([disabled])', { timeout: 30_000 });
    await page.click('[data-testid=play]');
    await waitDone(page, 60_000);
    expect(await page.locator('path.trace').count()).toBe(64);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('links: long intact ones are read; v1 ones without a checksum and damaged ones refused as in Node', async () => {
    const page = (await browser.newPage()) as Page;
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const cfg = { ...microConfig(2, 1), seed: 4321 };
    // 60,000 characters: the config's JSON with spaces between its tokens, and its checksum.
    const padded = JSON.stringify(cfg, null, 1).replace(/\n/g, '\n' + ' '.repeat(900));
    const c = Buffer.from(padded).toString('base64url');
    const long = `#v=2&c=${c}&h=${hashHex(c).slice(0, 8)}`;
    expect(long.length).toBeGreaterThan(55_000);
    await page.goto(url + long);
    await page.waitForFunction(
      () => (document.querySelector('[data-field=seed]') as HTMLInputElement)?.value === '4321',
    );
    expect(await field(page, 'train.epochs')).toBe('2');
    expect(await notices(page)).toEqual([]);
    // One notice for each refused link, the same as Node's decodeLink gives; the default experiment under it.
    const v1 = Buffer.from(JSON.stringify({ ...cfg, schemaVersion: 1 })).toString('base64url');
    const good = encodeLink(cfg);
    const rng = Rng.from(20261201, 'page-links-browser');
    const links = [`#v=1&c=${v1}`];
    for (let k = 0; k < 6; k++) {
      const i = 1 + rng.int(good.length - 1);
      links.push(good.slice(0, i) + (good[i] === 'x' ? 'y' : 'x') + good.slice(i + 1));
    }
    for (const l of links) {
      await page.goto('about:blank');
      await page.goto(l.startsWith('#') ? url + l : l);
      await page.waitForSelector('[data-testid=notice]', { timeout: 30_000 });
      const shown = await notices(page);
      expect(shown, l).toHaveLength(1);
      const node = decodeLink(l.startsWith('#') ? l : '');
      if (node.kind === 'error') expect(shown[0], l).toBe(node.message);
      expect(shown[0], l).toMatch(/default experiment is shown instead\.$/);
      expect(shown[0], l).not.toMatch(RAW);
      expect(await page.getAttribute('[data-preset=best-varies]', 'aria-current'), l).toBe('page');
    }
    // A readable link with a bad setting keeps the preset it names and its other settings; one notice says which
    // setting was left at the preset's value.
    await page.goto('about:blank');
    await page.goto(`${url}?preset=signal&sharing=__proto__&seed=3`);
    await page.waitForSelector('[data-testid=notice]', { timeout: 30_000 });
    const kept = await notices(page);
    expect(kept).toHaveLength(1);
    expect(kept[0]).toMatch(/^This link's setting .*sharing policy.*left at the preset's value, the rest of "signal"/);
    expect(kept[0]).not.toMatch(RAW);
    expect(await page.getAttribute('[data-preset=signal]', 'aria-current')).toBe('page');
    expect(await field(page, 'seed')).toBe('3');
    // A compared run the link names with a bad setting is not drawn (not silently the preset), and says so.
    await page.goto('about:blank');
    await page.goto(`${url}?preset=interference&compare=${encodeURIComponent('order=bogus')}`);
    await page.waitForSelector('[data-testid=notice]', { timeout: 30_000 });
    expect(await notices(page)).toEqual([
      expect.stringMatching(/^A compared run in this link was not understood: order=.*it is not drawn\.$/),
    ]);
    expect(await page.getAttribute('[data-preset=interference]', 'aria-current')).toBe('page');
    expect(await page.locator('[data-testid=compare-run]:checked').count()).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  });
});

// Wall time of live runs in headless chromium (the page as a class uses it): today's gallery presets, and the
// gallery configs of 2026-11-28 08:30 (d97ac94, the day issue 10 was filed), expressed in today's schema, so the
// same work can be timed on the page of that day (docs/performance.md has the recipe and both figures).
// Usage: npm run bench:browser [-- --only=best-varies,filed:signal] [-- --workers=1]
import type { ExperimentConfig } from '../src/engine/schema/config';
import { preset } from '../src/engine/schema/scales';
import { FINDINGS } from '../src/engine/findings/registry';
import { encodeLink } from '../src/lib/settings/links';
import { launch, openPage, serveBuiltApp, waitDone } from '../tests/e2e/browser';

const arg = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const only = arg('only')?.split(',');
const query = arg('workers') ? `?workers=${arg('workers')}` : '';

/** d97ac94's gallery: the tiny scale of then (shapes, 512 images, 16 epochs of batch 32, all 512 validated). */
function filedDay(id: string, over: (c: ExperimentConfig) => void): ExperimentConfig {
  const c = preset('tiny');
  c.name = id;
  c.model = { stemChannels: 8, cellChannels: 8, numCells: 1, inputSize: 16 };
  c.data = { source: 'shapes', trainSize: 512, valSize: 512, augment: false, synthSeed: 0 };
  c.train = { ...c.train, epochs: 16, batchSize: 32, lr: 0.03, lrMin: 0.003, order: 'fixed' };
  c.eval = { everyEpoch: true, denseSteps: 12, bnRecalibrationBatches: 0, batchSize: 256, valSize: 512 };
  c.instances = 1;
  over(c);
  return c;
}
const FILED: Record<string, ExperimentConfig> = {
  'best-varies': filedDay('best-varies', (c) => (c.instances = 3)),
  signal: filedDay('signal', (c) => ((c.instances = 2), (c.finetune.steps = 4))),
  interference: filedDay('interference', (c) => (c.eval.denseSteps = 64)),
  'less-sharing': filedDay(
    'less-sharing',
    (c) => (c.sharing = { kind: 'groups', m: 4, partition: 'similarity', partitionSeed: 42 }),
  ),
};

const runs = [
  ...FINDINGS.map((g) => ({ name: g.id, path: `?preset=${g.id}` })),
  ...Object.entries(FILED).map(([id, c]) => ({ name: `filed:${id}`, path: encodeLink(c) })),
].filter((r) => !only || only.includes(r.name));

const { server, url } = await serveBuiltApp();
const browser = await launch();
console.log('live run in headless chromium (wall seconds; one run at a time)');
try {
  for (const r of runs) {
    const target = r.path.startsWith('?') ? `${url}${r.path}${query.replace('?', '&')}` : `${url}${query}${r.path}`;
    const page = await openPage(browser, target);
    await page.waitForSelector('[data-testid=play]:not([disabled])', { timeout: 90_000 });
    const t0 = Date.now();
    await page.click('[data-testid=play]');
    await waitDone(page, 1_800_000);
    const seconds = (Date.now() - t0) / 1000;
    const device = (await page.textContent('[data-testid=device-report] summary'))?.replace(/\s+/g, ' ').trim();
    console.log(`  ${r.name.padEnd(20)} ${seconds.toFixed(1).padStart(7)} s  (${device})`);
    if (page.problems.length) console.log(`    problems: ${page.problems.join('; ')}`);
    await page.context().close();
  }
} finally {
  await browser.close();
  await server.close();
}

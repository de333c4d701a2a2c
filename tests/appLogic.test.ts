// Pure app logic: links, chart data, the live-vs-recorded comparison, the progress model, fields.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { experimentHash, hashHex, parseConfig, type ExperimentConfig } from '../src/engine/schema/config';
import { validateRecord } from '../src/engine/schema/readRecord';
import { CHARTS, lagSeries, type ChartContext } from '../src/lib/charts/registry';
import { preset } from '../src/engine/schema/scales';
import { compareRuns } from '../src/lib/findings/compare';
import { fields, getField, setField } from '../src/lib/settings/fields';
import { decodeLink, decodeReadable, encodeLink, encodeReadable, pageFlags } from '../src/lib/settings/links';
import { FINDINGS, findingById } from '../src/engine/findings/registry';
import {
  bestPicks,
  describePicks,
  childColours,
  lagCurve,
  lagLegend,
  nearestTrace,
  rankSpread,
  sharingPoints,
  tauCurves,
  traces,
  type LagSeries,
} from '../src/lib/charts/chartData';
import { helperCount } from '../src/lib/worker/helperPool';
import { ProgressModel, type Work } from '../src/engine/train/progressModel';
import { chartContext, fakeRecord } from './fixtures';

describe('links', () => {
  it('round-trip every gallery preset exactly, in full and in readable form', () => {
    for (const g of FINDINGS) {
      expect(decodeLink(encodeLink(g.config))).toEqual({ kind: 'ok', config: g.config });
      const q = encodeReadable(g.config, g.id);
      expect(q).toBe(`?preset=${g.id}`);
      expect(decodeReadable(q!)).toEqual({ kind: 'ok', config: g.config });
    }
  });
  it('a readable link carries the common settings; anything else falls back to the full hash', () => {
    const c = structuredClone(findingById('interference')!.config);
    c.train.order = 'shuffle-period';
    c.instances = 4;
    const q = encodeReadable(c, 'interference')!;
    expect(q).toBe('?preset=interference&instances=4&order=shuffle-period');
    expect(decodeReadable(q)).toEqual({ kind: 'ok', config: c });
    c.model.stemChannels = 5;
    expect(encodeReadable(c, 'interference')).toBeUndefined();
  });
  it('refuses a one-character edit of the data (checksum), and explains malformed, newer and invalid links', () => {
    const good = encodeLink(preset('tiny'));
    const i = good.indexOf('c=') + 40;
    const flipped = good.slice(0, i) + (good[i] === 'A' ? 'B' : 'A') + good.slice(i + 1);
    expect(decodeLink(flipped)).toMatchObject({
      kind: 'error',
      message: expect.stringMatching(/damaged: its checksum/),
    });
    expect(decodeLink('')).toEqual({ kind: 'none' });
    expect(decodeLink('#foo=bar')).toMatchObject({
      kind: 'error',
      message: expect.stringMatching(/not a Supernet Playground/),
    });
    expect(decodeLink(good.replace('v=2', 'v=3'))).toMatchObject({
      kind: 'error',
      message: expect.stringMatching(/newer version/),
    });
    const bad = preset('tiny');
    bad.train.epochs = -3;
    expect(decodeLink(encodeLink(bad))).toMatchObject({
      kind: 'error',
      message: expect.stringMatching(/train.epochs must be ≥ 1/),
    });
    expect(decodeReadable('?preset=nope')).toMatchObject({
      kind: 'error',
      message: expect.stringMatching(/unknown preset/),
    });
    // Settings with no preset to change are refused with a message, not dropped in silence; no settings: none.
    expect(decodeReadable('?seed=3&order=bogus')).toMatchObject({
      kind: 'error',
      message: expect.stringMatching(/^This link's seed=, order= name no preset to change/),
    });
    expect(decodeReadable('?mode=class')).toEqual({ kind: 'none' });
    // A readable link with one bad setting keeps its preset and the other settings, and says what it left out.
    expect(decodeReadable('?preset=signal&lr=abc&seed=3')).toMatchObject({
      kind: 'ok',
      config: { name: 'signal', seed: 3 },
      ignored: expect.stringMatching(/^This link's setting lr=abc is not a number: left at the preset's value/),
    });
  });
  it('reads version-1 links by migrating their config (with the checksum every link needs now)', () => {
    const v1 = {
      ...preset('tiny'),
      schemaVersion: 1,
      model: { ...preset('tiny').model, numClasses: 10 },
      data: { ...preset('tiny').data, source: 'synthetic' },
    } as Record<string, unknown>;
    delete v1.space;
    const b64 = btoa(JSON.stringify(v1)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    const r = decodeLink(`#v=1&c=${b64}&h=${hashHex(b64).slice(0, 8)}`);
    expect(r.kind).toBe('ok');
    expect(r.kind === 'ok' && r.config.data.source).toBe('shapes');
  });
  it('page flags: classroom mode hides what a lesson does not need', () => {
    const f = pageFlags('?mode=class&finding=interference');
    expect(f.classroom).toBe(true);
    expect(f.finding).toBe('interference');
    expect([...f.hide].sort()).toEqual(['controls', 'device', 'exports', 'notes']);
    expect([...pageFlags('?hide=article,bogus').hide]).toEqual(['article']);
  });
  it('training workers: one per core on wasm/cpu (at most 4), one on a GPU, ?workers=N overrides', () => {
    expect(helperCount('wasm', 2, undefined).count).toBe(2);
    expect(helperCount('wasm', 16, undefined).count).toBe(4);
    expect(helperCount('cpu', 1, undefined).count).toBe(1);
    expect(helperCount('webgpu', 8, undefined)).toEqual({ count: 1, why: expect.stringMatching(/own device/) });
    expect(helperCount('wasm', 2, 1).count).toBe(1);
    expect(pageFlags('?workers=1').workers).toBe(1);
    expect(pageFlags('?workers=99').workers).toBe(4);
    expect(pageFlags('?workers=-1&threads=x').workers).toBeUndefined();
  });
});

describe('chart data', () => {
  const r = fakeRecord();
  it('traces: every child over the dense window, with the trained child at each point', () => {
    const t = traces(r)!;
    expect(t.dense).toBe(true);
    expect(t.series).toHaveLength(64);
    expect(t.steps).toEqual([40, 50]);
    expect(t.trained).toEqual([[39], [49]]);
  });
  it('nearest trace: a tap picks the child whose accuracy is closest at that step', () => {
    const t = traces(r)!;
    expect(nearestTrace(t, 0, t.series[17][0])).toBe(17);
  });
  it(
    'tau curves: one S-Tau and GT-Tau per epoch end, noise floor from the GT seeds; a finished instance ' +
      'keeps its curve',
    () => {
      const c = tauCurves(r);
      expect(c.epochs).toEqual([1, 2, 3, 4]);
      expect(c.gtTau).toHaveLength(2);
      expect(c.noiseFloor).toBeGreaterThan(0);
      const live = structuredClone(r);
      live.instances[1].points = live.instances[1].points.slice(0, 1);
      live.instances[1].accuracy = live.instances[1].accuracy.slice(0, 1);
      expect(tauCurves(live).gtTau[0]).toHaveLength(4);
    },
  );
  it('rank spread is ordered by ground truth, best first', () => {
    const s = rankSpread(r)!;
    expect(s.children[0].gtRank).toBe(1);
    expect(s.children[63].gtRank).toBe(64);
    expect(s.children[0].ranks).toHaveLength(2);
  });
  it('best picks count instances × epoch ends', () => {
    expect(bestPicks(r).reduce((a, p) => a + p.count, 0)).toBe(8);
  });
  it('best picks text: the most frequent pick, or that no child was picked twice', () => {
    const r = fakeRecord();
    expect(
      describePicks(r, [
        { child: 5, count: 3 },
        { child: 2, count: 1 },
      ]),
    ).toMatch(new RegExp(`^2 different children .* Most often: ${r.childNames[5]} \\(3×`));
    expect(
      describePicks(r, [
        { child: 5, count: 1 },
        { child: 2, count: 1 },
      ]),
    ).toMatch(/No child was ranked best twice/);
  });
  it('colours: the best child darkest, ≥ 3:1 contrast on white', () => {
    const col = childColours(r);
    const best = r.groundTruth!.mean.indexOf(Math.max(...r.groundTruth!.mean));
    const lum = (hex: string) => {
      const [R, G, B] = (hex.match(/[0-9a-f]{2}/gi) ?? ['0', '0', '0'])
        .map((h) => parseInt(h, 16) / 255)
        .map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
      return 0.2126 * R + 0.7152 * G + 0.0722 * B;
    };
    const rgb = (c: string) =>
      c.startsWith('#') ? c : `#${(c.match(/\d+/g) ?? []).map((x) => (+x).toString(16).padStart(2, '0')).join('')}`;
    expect(1.05 / (lum(rgb(col[best])) + 0.05)).toBeGreaterThan(3);
  });
  it('sharing points: one per run with ground truth and a dense window', () => {
    expect(sharingPoints([r], 'ours', 64)).toEqual([expect.objectContaining({ copies: 1, source: 'ours' })]);
  });
  it('lag curve needs more than 8 dense points', () => {
    expect(lagCurve(r, 'x', 'ours')).toBeUndefined();
  });
  it('lag legend: a second contrast is named as dotted, so two orange lines can be told apart', () => {
    const s = (label: string, kind: LagSeries['kind'], dotted = false): LagSeries => ({
      label,
      kind,
      dotted,
      lags: [4],
      tau: [0.5],
    });
    expect(lagLegend([s('this run', 'ours'), s('full', 'contrast'), s('prefix', 'contrast', true)])).toBe(
      'blue: this run · orange: full · orange dotted: prefix',
    );
  });
});

describe('live run against its recording', () => {
  it('equal when every accuracy matches; otherwise the largest deviation', () => {
    const a = fakeRecord();
    expect(compareRuns(a, structuredClone(a))).toMatchObject({ equal: true, maxAccuracyDiff: 0 });
    const b = structuredClone(a);
    b.instances[0].accuracy[2][5] += 0.01;
    b.engine.backend = 'wasm';
    const c = compareRuns(a, b);
    expect(c.equal).toBe(false);
    expect(c.maxAccuracyDiff).toBeCloseTo(0.01, 10);
    expect(c.text).toMatch(/deviates .* 1\.00 pp/);
  });
  it('a cancelled run is compared on what it reached: no false alarm for the points it never evaluated', () => {
    const full = fakeRecord();
    // Cancelled during instance 0, after 2 of its 5 points; instance 1 never started.
    const cut = structuredClone(full);
    cut.status = 'partial';
    cut.instances = [{ ...cut.instances[0], status: 'partial' }];
    cut.instances[0].points = cut.instances[0].points.slice(0, 2);
    cut.instances[0].accuracy = cut.instances[0].accuracy.slice(0, 2);
    const c = compareRuns(cut, full);
    expect(c).toMatchObject({ equal: true, stopped: true, compared: 2 * cut.instances[0].accuracy[0].length });
    expect(c.text).toMatch(/^Stopped before the end: the \d+ accuracies it reached equal the recording/);
    expect(c.text).not.toMatch(/report/);
    const off = structuredClone(cut);
    off.instances[0].accuracy[1][3] += 0.02;
    expect(compareRuns(off, full).text).toMatch(/stopped before the end\) deviates .* 2\.00 pp/);
    const none = structuredClone(cut);
    none.instances[0].points = [];
    none.instances[0].accuracy = [];
    expect(compareRuns(none, full)).toMatchObject({ equal: false, compared: 0 });
    expect(compareRuns(none, full).text).toMatch(/before its first evaluation: nothing to compare/);
    // A finished run missing an instance is a difference, said as such (not "0.00 pp").
    const short = structuredClone(full);
    short.instances = short.instances.slice(0, 1);
    expect(compareRuns(short, full).equal).toBe(false);
    expect(compareRuns(short, full).text).toMatch(/instances or evaluation points are not the recording/);
  });
});

describe('progress over every phase', () => {
  it('counts training, evaluation and fine-tune; the ETA follows measured rates', () => {
    const cfg = parseConfig({ ...preset('tiny'), finetune: { steps: 2 } });
    const m = new ProgressModel(cfg, {
      trainSecondsPerImage: 0.001,
      evalAllSecondsPerImage: 0.0004,
      evalOneSecondsPerImage: 0.0001,
    });
    expect(m.total.trainSteps).toBe(512);
    expect(m.total.finetuneSteps).toBe(128);
    expect(m.fraction).toBe(0);
    const eta0 = m.etaSeconds;
    for (let s = 0; s < 512; s++) m.add('trainSteps', 1, 0.064);
    expect(m.fraction).toBeGreaterThan(0);
    expect(m.fraction).toBeLessThan(1);
    expect(m.etaSeconds).toBeLessThan(eta0);
    expect(m.etaSeconds).toBeGreaterThan(0); // evaluation and fine-tune are still to come
    const rates = { trainSecondsPerImage: 0.001, evalAllSecondsPerImage: 0.0004, evalOneSecondsPerImage: 0.0001 };
    const two = parseConfig({ ...cfg, instances: 2 });
    // Two workers taking one instance each: the same work, half the time left.
    expect(new ProgressModel(two, rates, 0, 2).etaSeconds).toBeCloseTo(new ProgressModel(two, rates).etaSeconds / 2);
    // Three on two workers run in two waves: two instances' time, not one and a half; with the first wave's work
    // done (two instances' worth), one instance's time is left, not half of one.
    const three = parseConfig({ ...cfg, instances: 3 });
    const one = new ProgressModel(parseConfig({ ...cfg, instances: 1 }), rates).etaSeconds;
    const waves = new ProgressModel(three, rates, 0, 2);
    expect(waves.etaSeconds).toBeCloseTo(2 * one, 6);
    for (let s = 0; s < 2 * 512; s++) waves.add('trainSteps', 1, 0);
    waves.add('evalPoints', (2 * waves.total.evalPoints) / 3, 0);
    waves.add('finetuneSteps', (2 * waves.total.finetuneSteps) / 3, 0);
    expect(waves.etaSeconds).toBeCloseTo(one, 6);
    // Measured at 1.5× the calibrated time while two ran side by side, the lone last wave is expected at the
    // measured time less the cost of two side by side (1.5× one's pace): 1.5 / (2 / 1.5) = 1.125 instances' time,
    // not the calibrated 1 (optimistic here) nor the measured 1.5; the full first wave at the measured time.
    const slow = new ProgressModel(three, rates, 0, 2);
    const unit = {
      trainSteps: 0.001 * 64,
      evalPoints: 0.0004 * cfg.eval.valSize,
      finetuneSteps: 0.064 + 0.0001 * 1024,
    };
    for (let s = 0; s < 60; s++) for (const [k, t] of Object.entries(unit)) slow.add(k as keyof Work, 1, 1.5 * t);
    const done = 60 * 1.5 * (unit.trainSteps + unit.evalPoints + unit.finetuneSteps);
    expect(slow.etaSeconds).toBeCloseTo((1 - done / (2 * 1.5 * one)) * 1.5 * one + 1.125 * one, 2);
    // Measured at twice the calibrated pace side by side, the lone wave is bounded by the calibrated time alone.
    const quick = new ProgressModel(three, rates, 0, 2);
    for (const [k, t] of Object.entries(unit)) quick.add(k as keyof Work, 1, 0.5 * t);
    expect(quick.etaSeconds).toBeGreaterThan(one);
    // This thread timing the lone wave itself: its rates are that wave's pace, taken as they are (a step at 1.5×
    // the calibrated time moves the training rate to 1.1×, and the ETA with it; the calibrated time would not).
    const last = new ProgressModel(three, rates, 0, 2);
    for (let s = 0; s < 2 * 512 + 1; s++) last.add('trainSteps', 1, 0);
    last.add('evalPoints', (2 * last.total.evalPoints) / 3, 0);
    last.add('finetuneSteps', (2 * last.total.finetuneSteps) / 3, 0);
    last.add('trainSteps', 1, 1.5 * unit.trainSteps);
    const left = (w: Work, k: keyof Work) => last.total[k] - w[k];
    const expected =
      left(last.done, 'trainSteps') * 1.1 * unit.trainSteps +
      left(last.done, 'evalPoints') * unit.evalPoints +
      left(last.done, 'finetuneSteps') * unit.finetuneSteps;
    expect(last.etaSeconds).toBeCloseTo(expected, 6);
  });
  it('the bar never goes back when a rate turns out slower; it tracks time done over time done plus left', () => {
    const cfg = parseConfig({ ...preset('tiny'), eval: { ...preset('tiny').eval, denseSteps: 128 } });
    const rates = { trainSecondsPerImage: 0.0005, evalAllSecondsPerImage: 0.0002, evalOneSecondsPerImage: 0.0001 };
    const m = new ProgressModel(cfg, rates);
    const shown: number[] = [];
    for (let s = 0; s < 384; s++) {
      m.add('trainSteps', 1, 0.03);
      shown.push(m.fraction);
    }
    // The dense window's evaluations take ten times the calibrated time: the ETA grows, the bar does not fall.
    for (let k = 0; k < 40; k++) {
      m.add('evalPoints', 1, 10 * rates.evalAllSecondsPerImage * cfg.eval.valSize);
      m.add('trainSteps', 1, 0.03);
      shown.push(m.fraction);
    }
    expect(shown.every((f, i) => i === 0 || f >= shown[i - 1])).toBe(true);
    expect(shown[shown.length - 1]).toBeLessThan(1);
    // Time done over time done plus time left, once nothing is revised.
    const steady = new ProgressModel(cfg, rates);
    steady.add('trainSteps', 10, 10 * rates.trainSecondsPerImage * 64);
    const done = 10 * rates.trainSecondsPerImage * 64;
    expect(steady.fraction).toBeCloseTo(done / (done + steady.etaSeconds), 12);
  });
});

describe('settings fields', () => {
  it('every field reads and writes its config path and stays valid', () => {
    const c = preset('tiny');
    for (const f of fields()) {
      const v = getField(c, f.path);
      expect(v, f.path).not.toBeUndefined();
      expect(() => parseConfig(setField(c, f, f.kind === 'bool' ? Boolean(v) : String(v)))).not.toThrow();
    }
  });
});

describe('records read back', () => {
  it('non-finite metrics are written as null and read back recomputed (NaN where undefined)', async () => {
    const { parseRecordText } = await import('../src/engine/schema/readRecord');
    const { recordToJson } = await import('../src/engine/schema/record');
    const r = fakeRecord({ instances: 1 });
    r.metrics!.sTau.mean = Number.NaN; // one instance: no S-Tau
    const text = recordToJson(r);
    expect(text).toMatch(/"mean":null/);
    const back = parseRecordText(text);
    expect(back.metrics!.sTau.mean).toBeNaN();
    expect(back.metrics!.gtTau.mean).toBeCloseTo(r.metrics!.gtTau.mean, 12);
  });
});

describe('compared runs on the charts', () => {
  // The interference preset's recording and its recorded contrasts: dense windows, so every lag curve exists.
  const load = (cfg: ExperimentConfig) =>
    validateRecord(JSON.parse(readFileSync(`public/runs/${experimentHash(cfg)}.json`, 'utf8')));
  const g = findingById('interference')!;
  const record = load(g.config);
  const others = g.contrasts.map((c) => load(c.config));
  const ctx = (over: Partial<ChartContext>) => chartContext(record, over);
  it('the last two ticked runs are drawn in purple over the lag and agreement charts, named in the legends', () => {
    const compared = [
      { label: 'first', record: others[0] },
      { label: 'seed: 0 (recorded)', record: others[0] },
      { label: 'order: fixed (recorded)', record: others[1] },
    ];
    const lag = lagSeries(ctx({ compared }));
    expect(lag.filter((s) => s.kind === 'compared').map((s) => [s.label, s.dotted])).toEqual([
      ['seed: 0 (recorded)', false],
      ['order: fixed (recorded)', true],
    ]);
    expect(lagLegend(lag)).toBe(
      'blue: this run (recorded) · purple: seed: 0 (recorded) · purple dotted: order: fixed (recorded)',
    );
    const tau = CHARTS.find((c) => c.id === 'tau')!;
    expect(tau.legend!(ctx({ compared }))).toMatch(/^blue: this run \(recorded\) · purple: seed: 0 .* purple dotted/);
    expect(tau.description(ctx({ compared }))).toMatch(/Compared, order: fixed \(recorded\): GT-Tau at its last/);
    expect(tau.legend!(ctx({}))).toBe('');
  });
  it('a run standing in for one not made yet is named as what it is, not "this run"', () => {
    const lag = lagSeries(ctx({ recordLabel: 'sharing: full (recorded)' }));
    expect(lag[0]).toMatchObject({ kind: 'ours', label: 'sharing: full (recorded)' });
  });
});

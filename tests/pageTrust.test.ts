// The page trusts nothing it reads: links (every version checked by its checksum, long intact ones read, damaged ones
// refused with one message), page flags and presets (own registry entries only), stored runs (checked against their
// key and their own config hash), worker errors (one sentence, never a raw JavaScript message) and worker restarts
// (backing off, then stopping). IndexedDB itself is exercised in the browser (tests/e2e/trust.test.ts).
import { describe, expect, it, vi } from 'vitest';
import { configHash, hashHex, stableStringify, type ExperimentConfig } from '../src/engine/schema/config';
import { preset } from '../src/engine/schema/scales';
import { Rng } from '../src/engine/core/rng';
import { FINDINGS } from '../src/engine/findings/registry';
import { decodeLink, decodeReadable, encodeLink, MAX_LINK, pageFlags } from '../src/lib/settings/links';
import { storageProblems, takeStorageNotice, verifyStored } from '../src/lib/session/persist';
import { Session } from '../src/lib/session/session.svelte';
import { recordToJson } from '../src/engine/schema/record';
import { RestartPolicy, RESTART_DELAYS_MS } from '../src/lib/session/restarts';
import { explain, projectMessage, summarise } from '../src/lib/worker/userError';
import { fakeRecord } from './fixtures';

const b64url = (s: string) => Buffer.from(s, 'utf8').toString('base64url');
const sum = (c: string) => hashHex(c).slice(0, 8);
/** A link with any label and any payload text, with or without its checksum. */
const link = (v: string, text: string, withSum = true) => {
  const c = b64url(text);
  return `#v=${v}&c=${c}${withSum ? `&h=${sum(c)}` : ''}`;
};
/** A schema-v1 config (before search spaces and dataset names), as v1 links carried. */
function v1Config(): Record<string, unknown> {
  const c = preset('tiny');
  const v1 = {
    ...c,
    schemaVersion: 1,
    model: { ...c.model, numClasses: 10 },
    data: { ...c.data, source: 'synthetic' },
  } as Record<string, unknown>;
  delete v1.space;
  return v1;
}

/** Raw JavaScript error text that must never reach a user. */
const RAW = new RegExp(
  [
    'is not a function',
    'Cannot read',
    'undefined',
    'Float32Array',
    'TypeError',
    'RangeError',
    'SyntaxError',
    'Unexpected token',
    'JSON at position',
    'is not defined',
    '\\[object ',
  ].join('|'),
);

const messageOf = (r: ReturnType<typeof decodeLink>) =>
  r.kind === 'error' ? r.message : r.kind === 'ok' ? (r.ignored ?? '') : '';

describe('links: every version is checked by its checksum', () => {
  it('a v1 link without a checksum is refused as unverifiable, with one clear message', () => {
    const r = decodeLink(link('1', JSON.stringify(v1Config()), false));
    expect(r.kind).toBe('error');
    expect(messageOf(r)).toMatch(/carries no checksum.*not read.*default experiment is shown/);
  });
  it('a v1 link with its checksum is read (and migrated); one changed character is refused', () => {
    const good = link('1', JSON.stringify(v1Config()));
    const r = decodeLink(good);
    expect(r.kind).toBe('ok');
    expect(r.kind === 'ok' && r.config.data.source).toBe('shapes');
    const i = good.indexOf('c=') + 20;
    expect(decodeLink(good.slice(0, i) + (good[i] === 'A' ? 'B' : 'A') + good.slice(i + 1)).kind).toBe('error');
  });
  it('the label cannot skip the check: a v2 payload labelled v=1 (or v=0, v=01) needs its checksum', () => {
    const v2 = encodeLink(preset('tiny'));
    const c = new URLSearchParams(v2.slice(1)).get('c')!;
    expect(decodeLink(`#v=1&c=${c}`)).toMatchObject({ kind: 'error', message: expect.stringMatching(/no checksum/) });
    expect(decodeLink(`#v=1&c=${c}&h=00000000`)).toMatchObject({ message: expect.stringMatching(/damaged/) });
    expect(decodeLink(v2.replace('v=2', 'v=1'))).toEqual({ kind: 'ok', config: preset('tiny') });
    for (const v of ['0', '01', '-1', '1e0', ' 2'])
      expect(messageOf(decodeLink(v2.replace('v=2', `v=${v}`))), v).toMatch(/unreadable version/);
  });
  it('a long intact link (whitespace and long number forms, within the schema limits) is read', () => {
    const cfg = preset('tiny');
    for (const pad of [19_000, 45_000, 70_000]) {
      // JSON with spaces between its tokens: the same config, tens of thousands of characters.
      const text = JSON.stringify(cfg, null, 1).replace(/\n/g, '\n' + ' '.repeat(Math.ceil(pad / 60)));
      const l = link('2', text);
      expect(l.length, `padded ${pad}`).toBeGreaterThan(pad * 0.9);
      expect(l.length).toBeLessThanOrEqual(MAX_LINK);
      expect(decodeLink(l), `padded ${pad}`).toEqual({ kind: 'ok', config: cfg });
    }
    const longNumber = JSON.stringify(cfg).replace('"lr":0.1', `"lr":0.1${'0'.repeat(30_000)}`);
    expect(decodeLink(link('2', longNumber))).toEqual({ kind: 'ok', config: cfg });
  });
  it('an intact link whose data breaks a limit says which limit — it is not called damaged', () => {
    const cfg = { ...preset('tiny'), name: 'x'.repeat(300) };
    const r = messageOf(decodeLink(link('2', JSON.stringify(cfg))));
    expect(r).toMatch(/not read: the link: the text at name is 300 characters long \(at most 200\)/);
    expect(r).not.toMatch(/damaged/);
    expect(messageOf(decodeLink(link('2', '{"a":')))).toMatch(/not read: its experiment data is not valid JSON\./);
    expect(messageOf(decodeLink(`#v=2&c=${'A'.repeat(MAX_LINK)}`))).toMatch(/characters long, more than/);
  });
  it('messages never carry raw JavaScript errors (hostile payloads with a valid checksum)', () => {
    const payloads = [
      'null',
      '[]',
      '"x"',
      '{"__proto__":{"x":1}}',
      '{"constructor":{"prototype":{}}}',
      JSON.stringify({ ...preset('tiny'), sharing: { kind: '__proto__' } }),
      JSON.stringify({ ...preset('tiny'), sharing: { kind: 'toString' } }),
      JSON.stringify({ ...preset('tiny'), data: { ...preset('tiny').data, source: 'constructor' } }),
      JSON.stringify({ ...preset('tiny'), space: { ops: ['__proto__'] } }),
      JSON.stringify({ ...preset('tiny'), schemaVersion: 99 }),
      '\u0000\u0001',
      '{"a":1}'.repeat(3),
    ];
    for (const p of payloads) {
      const m = messageOf(decodeLink(link('2', p)));
      expect(m, p).toMatch(/default experiment is shown instead\.$/);
      expect(m, p).not.toMatch(RAW);
      expect(m.length, p).toBeLessThan(600);
    }
    // Bytes that are not UTF-8, behind a valid checksum.
    const c = Buffer.from([0xff, 0xfe, 0x7b]).toString('base64url');
    expect(messageOf(decodeLink(`#v=2&c=${c}&h=${sum(c)}`))).toMatch(/not base64url text|not valid JSON/);
  });
});

/** Every one-character change (substitution, deletion, insertion) of a link: refused, or the identical config. */
function damageSweep(good: string, want: ExperimentConfig | undefined) {
  const alphabet = 'ABCMNZabmnz0189-_=&%+#./~ é\u0000';
  const wantText = want && stableStringify(want);
  const counts = { attempts: 0, refused: 0, identical: 0, other: [] as string[], raw: [] as string[], slow: 0 };
  const check = (l: string) => {
    counts.attempts++;
    const t0 = performance.now();
    const r = decodeLink(l);
    if (performance.now() - t0 > 200) counts.slow++;
    if (r.kind === 'ok') {
      if (stableStringify(r.config) === wantText) counts.identical++;
      else counts.other.push(l);
    } else if (r.kind === 'error') {
      counts.refused++;
      if (RAW.test(r.message) || !r.message.endsWith('The default experiment is shown instead.')) counts.raw.push(l);
    } else counts.refused++; // an empty hash: no experiment link at all
  };
  for (let i = 0; i < good.length; i++) {
    for (const ch of alphabet) if (ch !== good[i]) check(good.slice(0, i) + ch + good.slice(i + 1));
    check(good.slice(0, i) + good.slice(i + 1));
    check(good.slice(0, i) + 'A' + good.slice(i));
  }
  return counts;
}

describe('links: seeded sweep of one-character damages', () => {
  it('v2 and checksummed v1 links: every damage is refused or loads the identical config, never another', () => {
    const rng = Rng.from(20261201, 'page-links');
    const cfg = structuredClone(FINDINGS[rng.int(FINDINGS.length)].config);
    cfg.seed = rng.int(1000);
    const v1 = link('1', JSON.stringify(v1Config()));
    const v1Config_ = (decodeLink(v1) as { config: ExperimentConfig }).config;
    const results = {
      v2: damageSweep(encodeLink(cfg), cfg),
      v1: damageSweep(v1, v1Config_),
      v1NoChecksum: damageSweep(link('1', JSON.stringify(v1Config()), false), undefined),
    };
    for (const [name, c] of Object.entries(results)) {
      console.log(
        `link damages (${name}): ${c.attempts} attempts, ${c.refused} refused with a message, ` +
          `${c.identical} identical config, ${c.other.length} another config, ${c.raw.length} raw messages, ` +
          `${c.slow} slow (> 200 ms)`,
      );
      expect(c.other, name).toEqual([]);
      expect(c.raw, name).toEqual([]);
      expect(c.slow, name).toBe(0);
    }
    // Without a checksum nothing is read, damaged or not.
    expect(results.v1NoChecksum.identical).toBe(0);
  });
});

describe('readable links and page flags: own registry entries only, one clear message', () => {
  it('unknown presets (typos, prototype names) and sharing policies get a message, never a raw error', () => {
    for (const id of ['interferance', 'bogus', '__proto__', 'toString', 'constructor', 'hasOwnProperty', '']) {
      const r = decodeReadable(`?preset=${encodeURIComponent(id)}`);
      expect(r.kind, id).toBe('error');
      expect(messageOf(r), id).toMatch(/unknown preset .*known: best-varies.*default experiment is shown instead/);
    }
    for (const sharing of ['__proto__', 'toString', 'constructor', 'valueOf', 'groups:x', 'none:extra']) {
      const m = messageOf(decodeReadable(`?preset=tiny&sharing=${encodeURIComponent(sharing)}`));
      expect(m, sharing).toMatch(/^This link's setting .*(sharing policy|groups: m).*the rest of "tiny" is shown\.$/);
      expect(m, sharing).not.toMatch(RAW);
    }
    for (const q of ['order=__proto__', 'lr=toString', 'seed=constructor', 'epochs=1e400', 'instances=-0'])
      expect(messageOf(decodeReadable(`?preset=tiny&${q}`)), q).not.toMatch(RAW);
  });
  it('page flags: unknown values are ignored and named; prototype names are no findings', () => {
    const f = pageFlags('?finding=__proto__&backend=toString&mode=lecture&hide=article,constructor&threads=x');
    expect(f.finding).toBeUndefined();
    expect(f.backend).toBeUndefined();
    expect(f.classroom).toBe(false);
    expect([...f.hide]).toEqual(['article']);
    expect(f.problems).toHaveLength(5);
    expect(f.problems.join(' ')).toMatch(/finding=__proto__ is no finding.*backend=toString is unknown/);
    expect(pageFlags('?preset=toString').finding).toBeUndefined();
    expect(pageFlags('?preset=signal').finding).toBe('signal');
    expect(pageFlags('?preset=interferance').problems).toEqual([]); // reported once, by the readable link
    expect(pageFlags('?backend=wasm&workers=2&mode=class').problems).toEqual([]);
  });
});

describe('stored runs are verified before they are shown', () => {
  const a = fakeRecord({ instances: 2 });
  const b = fakeRecord({ instances: 2, config: { seed: 7 } as Partial<ExperimentConfig> });
  it('a valid record under its own hash is read', () => {
    expect(verifyStored(a.configHash, structuredClone(a)).configHash).toBe(configHash(a.config));
  });
  it("a valid record stored under another config's hash is refused", () => {
    expect(() => verifyStored(b.configHash, structuredClone(a))).toThrow(/stored under another config's key/);
  });
  it('a record whose configHash is not the hash of its config is refused, wherever it is stored', () => {
    const lying = { ...structuredClone(a), configHash: b.configHash };
    expect(() => verifyStored(b.configHash, lying)).toThrow(/is not the hash of its config/);
    expect(() => verifyStored('interrupted', lying)).toThrow(/is not the hash of its config/);
  });
  it('an interrupted run with a damaged checkpoint is refused before it can be resumed', () => {
    const weights = { 'stem.conv0': { value: btoa('\u0000'.repeat(16)) } };
    const cp = { instance: 0, step: 4, weights, orders: [], augment: [], record: a.instances[0] };
    expect(
      verifyStored('interrupted', { ...structuredClone(a), status: 'partial', checkpoint: cp }).checkpoint?.step,
    ).toBe(4);
    const cut = { ...cp, weights: { 'stem.conv0': { value: btoa('\u0000'.repeat(15)) } } };
    expect(() => verifyStored('interrupted', { ...structuredClone(a), status: 'partial', checkpoint: cut })).toThrow(
      /weights stem.conv0 are damaged/,
    );
    const moment = { ...cp, weights: { k: { value: btoa('\u0000'.repeat(16)), momentum: btoa('\u0000'.repeat(8)) } } };
    expect(() => verifyStored('interrupted', { ...structuredClone(a), status: 'partial', checkpoint: moment })).toThrow(
      /damaged/,
    );
    const beyond = { ...cp, instance: 5 };
    expect(() => verifyStored('interrupted', { ...structuredClone(a), status: 'partial', checkpoint: beyond })).toThrow(
      /instance 6, but the run has 2/,
    );
  });
  it('seeded sweep: damaged stored entries are refused with a message or read as exactly their key’s run', () => {
    const rng = Rng.from(20261201, 'page-stored');
    const counts = { attempts: 0, refused: 0, accepted: 0, wrongConfig: 0, raw: 0, slow: 0 };
    const paths = (o: unknown, at: string[] = [], out: string[][] = []): string[][] => {
      if (o && typeof o === 'object' && at.length < 4)
        for (const [k, v] of Object.entries(o).slice(0, 12)) paths(v, [...at, k], out);
      else out.push(at);
      return out;
    };
    const all = paths(a);
    const junk = [null, -1, 1e308, 'x', '__proto__', [], {}, true, NaN, 'a'.repeat(500)];
    for (let i = 0; i < 600; i++) {
      const r = structuredClone(a) as unknown as Record<string, unknown>;
      const p = all[rng.int(all.length)];
      let o = r;
      for (const k of p.slice(0, -1)) o = o[k] as Record<string, unknown>;
      if (p.length) o[p[p.length - 1]] = junk[rng.int(junk.length)];
      const key = rng.int(4) === 0 ? b.configHash : a.configHash;
      counts.attempts++;
      const t0 = performance.now();
      try {
        const got = verifyStored(key, r);
        counts.accepted++;
        if (configHash(got.config) !== key || got.configHash !== key) counts.wrongConfig++;
      } catch (e) {
        counts.refused++;
        if (!(e instanceof Error) || RAW.test(e.message) || projectMessage(e) === undefined) counts.raw++;
      }
      if (performance.now() - t0 > 500) counts.slow++;
    }
    console.log(
      `stored entries: ${counts.attempts} attempts, ${counts.refused} refused with a message, ${counts.accepted} ` +
        `read (${counts.wrongConfig} of another config), ${counts.raw} raw messages, ${counts.slow} slow`,
    );
    expect(counts.wrongConfig).toBe(0);
    expect(counts.raw).toBe(0);
    expect(counts.slow).toBe(0);
  });
  it('many bad entries make one short notice: the count and the first few', () => {
    storageProblems.push(...Array.from({ length: 500 }, (_, i) => ({ key: `junk-${i}`, why: 'x'.repeat(200) })));
    const text = takeStorageNotice()!;
    expect(text).toMatch(/^500 stored entries could not be read and were set aside: junk-0 .*and 497 more\.$/);
    expect(text.length).toBeLessThanOrEqual(600);
    expect(takeStorageNotice()).toBeUndefined(); // reported once
    storageProblems.push({ key: 'abc', why: 'not a valid run record: config is null' });
    expect(takeStorageNotice()).toMatch(/^A stored run \(abc\) could not be read and was set aside: not a valid/);
    expect(summarise(['a'.repeat(5000)], (n) => `${n}`).length).toBeLessThanOrEqual(600);
  });
});

describe('record files opened in the page', () => {
  it('seeded sweep: each damaged file is refused with one message naming it, or opened as its config', async () => {
    const rng = Rng.from(20261201, 'page-records');
    const good = recordToJson(fakeRecord({ instances: 2 }));
    const alphabet = '0123456789{}[]",:.-eE ntfxA\\';
    const counts = { attempts: 0, refused: 0, opened: 0, mismatched: 0, raw: 0, crashes: 0, slow: 0 };
    const quiet = [vi.spyOn(console, 'warn').mockImplementation(() => {}), vi.spyOn(console, 'error')];
    quiet[1].mockImplementation(() => {});
    const session = new Session(pageFlags(''));
    const keys = ['config', 'instances', 'configHash', 'points', 'childNames', 'accuracy', 'model', 'sharing'];
    const clear = (x: Session) => ((x.notice = undefined), (x.record = undefined));
    for (let i = 0; i < 300; i++) {
      const at = rng.int(good.length);
      const kind = rng.int(4);
      const text =
        kind === 0
          ? good.slice(0, at) + alphabet[rng.int(alphabet.length)] + good.slice(at + 1)
          : kind === 1
            ? good.slice(0, at)
            : kind === 2
              ? good.replace(`"${keys[rng.int(keys.length)]}"`, `"${['__proto__', 'constructor', 'x'][rng.int(3)]}"`)
              : good.slice(0, at) + good.slice(at + 1 + rng.int(20));
      clear(session);
      counts.attempts++;
      const t0 = performance.now();
      try {
        await session.openRecord(new File([text], `fuzz${i}.json`));
      } catch {
        counts.crashes++;
      }
      if (performance.now() - t0 > 2000) counts.slow++;
      if (session.notice) {
        counts.refused++;
        if (!session.notice.text.startsWith(`fuzz${i}.json: `) || RAW.test(session.notice.text)) counts.raw++;
      } else if (session.record) {
        counts.opened++;
        if (configHash(session.record.config) !== configHash(session.config)) counts.mismatched++;
      }
    }
    quiet.forEach((q) => q.mockRestore());
    console.log(
      `record files: ${counts.attempts} attempts, ${counts.refused} refused with a message, ${counts.opened} ` +
        `opened (still valid), ${counts.crashes} crashes, ${counts.raw} raw messages, ${counts.slow} slow`,
    );
    expect(counts.refused + counts.opened).toBe(counts.attempts);
    expect([counts.crashes, counts.raw, counts.mismatched, counts.slow]).toEqual([0, 0, 0, 0]);
  });
});

describe("the worker's errors reach the user as one sentence", () => {
  it('raw errors while resuming say the checkpoint is damaged and what to do', () => {
    for (const e of [
      new RangeError('byte length of Float32Array should be a multiple of 4'),
      new Error('snapshot lacks stem.conv0'),
      new TypeError("Cannot read properties of undefined (reading 'perm')"),
    ]) {
      const { message } = explain(e, 'resume');
      expect(message).toMatch(/could not be resumed: its saved checkpoint is damaged.*press ▶ Run/);
      expect(message).not.toMatch(RAW);
    }
  });
  it("the project's own messages pass; raw ones become one sentence; memory restarts the worker", () => {
    expect(explain(new Error('invalid config: train.epochs must be ≥ 1'), 'config').message).toBe(
      'invalid config: train.epochs must be ≥ 1',
    );
    const dataset = Object.assign(new Error('x.bin: record 3 at byte offset 9 is truncated'), { name: 'DatasetError' });
    expect(explain(dataset, 'prepare').message).toMatch(/record 3 at byte offset 9/);
    for (const e of [new TypeError('r.parse is not a function'), new Error('Error in matMul: inner shapes'), 42]) {
      const { message, memory } = explain(e, 'train');
      expect(message).toMatch(/failed unexpectedly \(the details are in the browser console\); press ▶ Run/);
      expect(memory).toBe(false);
    }
    expect(explain(new RangeError('Array buffer allocation failed'), 'train')).toMatchObject({ memory: true });
    expect(explain(new TypeError('x is not a function'), 'estimate').message).toMatch(/could not be estimated/);
    expect(projectMessage(new DOMException('quota', 'QuotaExceededError'))).toBeUndefined();
  });
});

describe('worker restarts back off and stop', () => {
  it('1 s, 2 s, 4 s, then no more; a ready worker starts the count again', () => {
    const p = new RestartPolicy();
    expect([p.failed(), p.failed(), p.failed(), p.failed()]).toEqual([...RESTART_DELAYS_MS, undefined]);
    expect(p.tries).toBe(4);
    p.ready();
    expect(p.failed()).toBe(1000);
  });
});

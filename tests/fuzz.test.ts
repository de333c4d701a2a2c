// The fuzz suite: seeded hostile links, configs, records and dataset files (any failure reproduces
// from its seed). Each input must end in a valid result or a clear message — an Error of ours with a
// message naming what is wrong — never another exception, and within a time limit.
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../src/engine/schema/config';
import { DatasetError } from '../src/engine/core/errors';
import { parseCifarBin, splitsFromTarGz } from '../src/engine/data/cifar10';
import { MAX_RECORD_BYTES } from '../src/engine/schema/record';
import { parseRecordText } from '../src/engine/schema/readRecord';
import { Rng } from '../src/engine/core/rng';
import { decodeLink } from '../src/lib/settings/links';
import { hostileConfig, hostileDataset, hostileLink, hostileRecord } from './fuzz';

interface Tally {
  tried: number;
  ok: number;
  messages: number;
  crashes: string[];
  slowest: number;
}

function fuzz(kind: string, n: number, run: (rng: Rng, i: number) => 'ok' | 'message', limitMs = 2000): Tally {
  const t: Tally = { tried: 0, ok: 0, messages: 0, crashes: [], slowest: 0 };
  for (let i = 0; i < n; i++) {
    const rng = Rng.from(20261128, kind, i);
    const t0 = performance.now();
    try {
      if (run(rng, i) === 'ok') t.ok++;
      else t.messages++;
    } catch (e) {
      t.crashes.push(`${kind} #${i}: ${(e as Error)?.name}: ${String((e as Error)?.message).slice(0, 120)}`);
    }
    const ms = performance.now() - t0;
    t.slowest = Math.max(t.slowest, ms);
    if (ms > limitMs) t.crashes.push(`${kind} #${i}: took ${ms.toFixed(0)} ms (a hang)`);
    t.tried++;
  }
  const rss = process.memoryUsage().rss / 1e6;
  console.log(
    `fuzz ${kind}: ${t.tried} tried, ${t.ok} valid, ${t.messages} clear messages, ` +
      `${t.crashes.length} crashes or hangs; slowest ${t.slowest.toFixed(0)} ms; rss ${rss.toFixed(0)} MB`,
  );
  return t;
}

/** Our errors carry a message that names the problem; anything else (TypeError, RangeError…) is a crash. */
const clear = (e: unknown, re: RegExp) => {
  if (
    !(e instanceof Error) ||
    e.constructor.name === 'TypeError' ||
    e.constructor.name === 'RangeError' ||
    !re.test(e.message)
  )
    throw e;
  return 'message' as const;
};

describe('fuzz', () => {
  it('1,200 hostile share links: a config or a clear message, never a crash', () => {
    const t = fuzz('link', 1200, (rng) => {
      const r = decodeLink(hostileLink(rng));
      if (r.kind === 'ok') {
        parseConfig(r.config);
        return 'ok';
      }
      expect(r.kind === 'none' || (r.kind === 'error' && r.message.length > 20)).toBe(true);
      return 'message';
    });
    expect(t.crashes).toEqual([]);
  });

  it('600 hostile configs (the --config and worker boundary): valid or "invalid config: <field> …"', () => {
    const t = fuzz('config', 600, (rng) => {
      try {
        parseConfig(hostileConfig(rng));
        return 'ok';
      } catch (e) {
        return clear(e, /^invalid config: /);
      }
    });
    expect(t.crashes).toEqual([]);
  });

  it('200 hostile records (import, storage, CLI files): valid or "not a valid run record: …"', () => {
    const t = fuzz('record', 200, (rng) => {
      try {
        parseRecordText(hostileRecord(rng), 'fuzz.json');
        return 'ok';
      } catch (e) {
        return clear(e, /not a valid run record|is not valid JSON|nested deeper|characters long|is not allowed/);
      }
    });
    expect(t.crashes).toEqual([]);
    expect(() => parseRecordText(' '.repeat(MAX_RECORD_BYTES + 1), 'big.json')).toThrow(
      /big\.json is 50\.0 MB, more than the 50 MB/,
    );
  });

  it('150 damaged dataset files (.bin and .tar.gz): parsed or a DatasetError naming the file', () => {
    const t = fuzz('dataset', 150, (rng) => {
      const f = hostileDataset(rng);
      try {
        if (f.kind === 'bin') parseCifarBin(f.bytes, f.name);
        else splitsFromTarGz(f.bytes, f.name);
        return 'ok';
      } catch (e) {
        if (
          !(e instanceof DatasetError) ||
          (!e.message.includes(f.name.split('/').pop()!) && !/no (training|test) file/.test(e.message))
        )
          throw e;
        return 'message';
      }
    });
    expect(t.crashes).toEqual([]);
  });
});

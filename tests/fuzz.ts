// Seeded generators of hostile input: share links, configs, records and dataset files. Used by the
// unit fuzz suite (tests/fuzz.test.ts) and, a sample of each, by the browser tests.
import { gzipSync } from 'fflate';
import { hashHex } from '../src/engine/schema/config';
import { Rng } from '../src/engine/core/rng';
import { preset } from '../src/engine/schema/scales';
import { encodeLink } from '../src/lib/settings/links';
import { recordToJson } from '../src/engine/schema/record';
import { fakeRecord } from './fixtures';
import { createTar } from './tarFixture';

const b64url = (s: string) =>
  btoa(unescape(encodeURIComponent(s)))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');

/** A hostile JSON value: wrong types, extremes, deep nesting, prototype keys. */
export function hostileValue(rng: Rng, depth = 0): unknown {
  const pick = rng.int(14);
  switch (pick) {
    case 0:
      return null;
    case 1:
      return rng.next() < 0.5 ? 1e308 * 10 : -0; // Infinity through JSON becomes null; -0
    case 2:
      return [1e20, -1, 0.5, 2 ** 53 + 1, Number.MAX_SAFE_INTEGER][rng.int(5)];
    case 3:
      return 'x'.repeat(rng.int(4) === 0 ? 250_000 : rng.int(300));
    case 4:
      return '\u001b[31m\u0000\u202e' + 'name';
    case 5:
      return [];
    case 6:
      return {};
    case 7: {
      // Deep nesting, built iteratively.
      let v: unknown = 1;
      for (let i = 0; i < 2000 + rng.int(6000); i++) v = rng.next() < 0.5 ? [v] : { a: v };
      return v;
    }
    case 8:
      return JSON.parse('{"__proto__": {"polluted": true}}');
    case 9:
      return { constructor: { prototype: { x: 1 } } };
    case 10:
      return Array.from({ length: rng.int(2000) }, () => rng.next());
    case 11:
      return 'NaN';
    case 12:
      return true;
    default:
      return depth < 3 ? { k: hostileValue(rng, depth + 1), [String(rng.int(9))]: hostileValue(rng, depth + 1) } : 7;
  }
}

/** Sets a random path of a config (a valid one to start from) to a hostile value. */
export function hostileConfig(rng: Rng): unknown {
  const c = structuredClone(preset('tiny')) as unknown as Record<string, unknown>;
  for (let n = 1 + rng.int(3); n > 0; n--) {
    let o = c;
    const keys: string[] = [];
    for (;;) {
      const ks = Object.keys(o);
      const k = ks[rng.int(ks.length)];
      keys.push(k);
      if (o[k] && typeof o[k] === 'object' && !Array.isArray(o[k]) && rng.next() < 0.7)
        o = o[k] as Record<string, unknown>;
      else {
        o[rng.next() < 0.1 ? `extra${rng.int(9)}` : k] = hostileValue(rng);
        break;
      }
    }
  }
  return rng.next() < 0.05 ? hostileValue(rng) : c;
}

/** A share link: a valid one damaged, or a hostile config encoded, or junk. */
export function hostileLink(rng: Rng): string {
  const good = encodeLink(preset('tiny'));
  switch (rng.int(7)) {
    case 0: {
      const i = 1 + rng.int(good.length - 1);
      return good.slice(0, i) + String.fromCharCode(33 + rng.int(90)) + good.slice(i + 1);
    }
    case 1:
      return good.slice(0, rng.int(good.length));
    case 2: {
      const text = JSON.stringify(hostileConfig(rng));
      return `#v=2&c=${b64url(text)}&h=${rng.int(2) ? '00000000' : ''}`;
    }
    case 3: {
      // A hostile config with a correct checksum, so the schema itself is what refuses it.
      const text = JSON.stringify(hostileConfig(rng));
      return encodeLinkRaw(text);
    }
    case 4: {
      const version = ['', 'x', '999', '-1', '1e9', '2'][rng.int(6)];
      return `#v=${version}&c=${'A'.repeat(rng.int(5) === 0 ? 300_000 : rng.int(50))}`;
    }
    case 5:
      return '#' + Array.from({ length: rng.int(200) }, () => String.fromCharCode(rng.int(0x3000))).join('');
    default:
      return `#v=1&c=${b64url(JSON.stringify(hostileConfig(rng)))}`;
  }
}

/** Encodes arbitrary text as a link with a valid checksum. */
export function encodeLinkRaw(text: string): string {
  const c = b64url(text);
  return `#v=2&c=${c}&h=${hashHex(c).slice(0, 8)}`;
}

/** A record file's text: a valid record with fields removed, mistyped, out of range or inconsistent. */
export function hostileRecord(rng: Rng): string {
  const r = JSON.parse(recordToJson(fakeRecord({ instances: 2 }))) as Record<string, unknown>;
  const inst = (r.instances as Record<string, unknown>[])[rng.int(2)];
  const acc = inst.accuracy as number[][];
  switch (rng.int(12)) {
    case 0:
      acc[rng.int(acc.length)][rng.int(64)] = [Infinity, -0.5, 1.5, NaN][rng.int(4)];
      break;
    case 1:
      acc[0].pop();
      break;
    case 2:
      (acc as unknown[])[1] = acc[1].map(String);
      break;
    case 3:
      delete r[Object.keys(r)[rng.int(Object.keys(r).length)]];
      break;
    case 4:
      r.config = hostileConfig(rng);
      break;
    case 5:
      inst.points = (inst.points as unknown[]).slice(1);
      break;
    case 6:
      (inst.trainOrder as number[][])[0][3] = 1000;
      break;
    case 7:
      r.instances = Array.from({ length: 150 }, () => inst);
      break;
    case 8:
      r.schemaVersion = [0, 3, '2', null][rng.int(4)];
      break;
    case 9:
      (r.groundTruth as { mean: number[] }).mean.length = 10;
      break;
    case 10:
      return JSON.stringify(r).slice(0, rng.int(5000));
    default:
      r[['kind', 'status', 'childNames'][rng.int(3)]] = hostileValue(rng);
  }
  // Non-finite numbers as the text JSON.parse reads as Infinity (1e999), NaN as a string.
  const mark = (_k: string, v: unknown) =>
    typeof v === 'number' && !Number.isFinite(v) ? (Number.isNaN(v) ? 'NaN' : v > 0 ? '__INF__' : '__NINF__') : v;
  return JSON.stringify(r, mark)
    .replace(/"__INF__"/g, '1e999')
    .replace(/"__NINF__"/g, '-1e999');
}

/** A CIFAR-10 .bin file or .tar.gz, damaged. */
export function hostileDataset(rng: Rng): { name: string; bytes: Uint8Array; kind: 'bin' | 'tar.gz' } {
  const records = 2 + rng.int(6);
  const bin = new Uint8Array(records * 3073).map((_, i) => (i % 3073 === 0 ? rng.int(10) : rng.int(256)));
  const damage = (b: Uint8Array) => {
    const out = b.slice();
    switch (rng.int(5)) {
      case 0:
        return out.subarray(0, rng.int(out.length));
      case 1:
        out[rng.int(out.length)] ^= 1 << rng.int(8);
        return out;
      case 2:
        out[3073 * rng.int(records)] = 10 + rng.int(246);
        return out;
      case 3:
        return new Uint8Array(rng.int(100)).map(() => rng.int(256));
      default:
        return new Uint8Array(0);
    }
  };
  if (rng.next() < 0.5)
    return { name: rng.next() < 0.5 ? 'data_batch_1.bin' : 'test_batch.bin', bytes: damage(bin), kind: 'bin' };
  const tar = createTar([
    { name: 'cifar-10-batches-bin/data_batch_1.bin', data: bin },
    { name: 'cifar-10-batches-bin/test_batch.bin', data: bin },
  ]);
  return {
    name: 'cifar-10-binary.tar.gz',
    bytes: damage(gzipSync(tar, { level: rng.int(2) ? 0 : 6 })),
    kind: 'tar.gz',
  };
}

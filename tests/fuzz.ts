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

/** A file as the CLI may be handed one: text to write, or a thing that is not a regular file. */
export type HostileFile =
  | { kind: 'text'; text: string }
  | { kind: 'bytes'; bytes: Uint8Array }
  | { kind: 'fifo' | 'folder' | 'missing' | 'dev-zero' | 'dev-null' | 'link-to-dev' | 'sparse-huge' };

const SPECIAL = ['fifo', 'folder', 'missing', 'dev-zero', 'dev-null', 'link-to-dev', 'sparse-huge'] as const;

/** Damages JSON text: cut short, junk spliced in, a BOM, numbers past any range, keys doubled, control bytes. */
function damageText(rng: Rng, text: string): string {
  const at = rng.int(text.length + 1);
  switch (rng.int(8)) {
    case 0:
      return text.slice(0, at);
    case 1:
      return text.slice(0, at) + String.fromCharCode(rng.int(0x10000)) + text.slice(at);
    case 2:
      return '\ufeff' + text;
    case 3:
      return text.replace(/\d+(\.\d+)?/, ['1e999', '-1e999', '0x10', '1e-400', '00012', '2e308'][rng.int(6)]);
    case 4:
      return text.replace(/^\{/, '{"seed": 5, "seed": -1,');
    case 5:
      return text.slice(0, at) + '\u0000\u001b[2J\u001b]0;t\u0007' + text.slice(at);
    case 6:
      return `{"kind": "supernet-playground/run", "config": ${text}}`;
    default:
      return text;
  }
}

/** A --config file: a hostile config as JSON (often damaged), or a special file where a config should be. */
export function hostileConfigFile(rng: Rng): HostileFile {
  if (rng.next() < 0.15) return { kind: SPECIAL[rng.int(SPECIAL.length)] };
  const text = JSON.stringify(hostileConfig(rng)) ?? 'undefined';
  return { kind: 'text', text: rng.next() < 0.5 ? damageText(rng, text) : text };
}

/** A shard as `groundtruth --shard` writes one: [seed, child, accuracy] runs, header and checksum. */
export interface ShardLike {
  kind: string;
  keyHash: string;
  shard: { index: number; count: number };
  seeds: number;
  children: number;
  runs: number[][];
  backend: string;
  checksum?: string;
}

/**
 * The files of a merge: valid shards, one of them damaged — numbers, headers, types, fields, text, or a shard
 * doubled or dropped; `resign` recomputes the checksum over the damage, as a tool rewriting files would.
 */
export function hostileShards(
  rng: Rng,
  valid: ShardLike[],
  resign: (s: ShardLike) => string,
): { files: HostileFile[]; damaged: boolean } {
  const shards = structuredClone(valid);
  const s = shards[rng.int(shards.length)] as ShardLike & Record<string, unknown>;
  const run = s.runs[rng.int(s.runs.length)];
  const bad = () => [-1, 0.5, 1e9, NaN, Infinity, -0, 2 ** 53, 729, 20][rng.int(9)];
  let damaged = true;
  switch (rng.int(12)) {
    case 0:
      run[rng.int(3)] = bad();
      break;
    case 1:
      s.shard = [
        { index: 1, count: 2 },
        { index: 0, count: 3 },
        { index: 2, count: 2 },
        { index: -1, count: 2 },
      ][rng.int(4)];
      break;
    case 2:
      s[['seeds', 'children'][rng.int(2)]] = bad();
      break;
    case 3:
      s.keyHash = hashHex(String(rng.next()));
      break;
    case 4:
      delete s[Object.keys(s)[rng.int(Object.keys(s).length)]];
      break;
    case 5:
      s[['kind', 'backend', 'runs', 'shard', 'checksum'][rng.int(5)]] = hostileValue(rng);
      break;
    case 6:
      s.runs = rng.next() < 0.5 ? [...s.runs, run] : s.runs.slice(1);
      break;
    case 7:
      s.backend = ['wasm\u001b[2J', 'x'.repeat(5000), '', 'cpu\u0007'][rng.int(4)];
      break;
    case 8:
      s.runs = Array.from({ length: 30_000 }, (_, i) => [i % 2, i % 8, 0.5]);
      break;
    case 9:
      shards.push(structuredClone(shards[0]));
      break;
    case 10:
      shards.splice(rng.int(shards.length), 1);
      break;
    default:
      damaged = false;
  }
  if (damaged && rng.next() < 0.5 && typeof s.runs === 'object') s.checksum = resign(s);
  const files: HostileFile[] = shards.map((x) => ({ kind: 'text', text: JSON.stringify(x) ?? '' }));
  const roll = rng.next();
  if (roll < 0.15) {
    const i = rng.int(files.length);
    files[i] = rng.next() < 0.5 ? { kind: SPECIAL[rng.int(SPECIAL.length)] } : { kind: 'text', text: '' };
    damaged = true;
  } else if (roll < 0.3) {
    const f = files[0] as { text: string };
    f.text = damageText(rng, f.text);
    damaged = true;
  }
  return { files, damaged };
}

/**
 * A CIFAR-10 folder: each file a damaged .bin or .tar.gz (hostileDataset), or one that is not a regular file, a
 * sparse one past the limits, or an archive in several gzip members.
 */
export function hostileDatasetFolder(rng: Rng): { name: string; file: HostileFile }[] {
  const out: { name: string; file: HostileFile }[] = [];
  for (let n = 1 + rng.int(3); n > 0; n--) {
    const r = rng.int(10);
    if (r < 6) {
      const f = hostileDataset(rng);
      out.push({ name: `${rng.int(3) ? '' : 'sub/'}${f.name}`, file: { kind: 'bytes', bytes: f.bytes } });
    } else if (r < 8) {
      const name = ['train.bin', 'test.bin', 'data_batch_2.bin', 'test_batch.bin'][rng.int(4)];
      out.push({ name, file: { kind: SPECIAL[rng.int(SPECIAL.length)] } });
    } else {
      const bin = new Uint8Array(3073 * 3).map((_, i) => (i % 3073 === 0 ? rng.int(10) : rng.int(256)));
      const tar = createTar([
        { name: 'cifar-10-batches-bin/data_batch_1.bin', data: bin },
        { name: 'cifar-10-batches-bin/test_batch.bin', data: bin },
      ]);
      const cut = rng.int(tar.length);
      const a = gzipSync(tar.subarray(0, cut));
      const b = gzipSync(tar.subarray(cut));
      const both = new Uint8Array(a.length + b.length);
      both.set(a);
      both.set(b, a.length);
      if (rng.next() < 0.5) both[rng.int(both.length)] ^= 1 << rng.int(8);
      out.push({ name: 'cifar-10-binary.tar.gz', file: { kind: 'bytes', bytes: both } });
    }
  }
  return out;
}

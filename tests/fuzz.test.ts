// The fuzz suite: seeded hostile links, configs, records and dataset files (any failure reproduces
// from its seed). Each input must end in a valid result or a clear message — an Error of ours with a
// message naming what is wrong — never another exception, and within a time limit.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { configHash, groundTruthKey, parseConfig } from '../src/engine/schema/config';
import { DatasetError } from '../src/engine/core/errors';
import { parseCifarBin, splitsFromTarGz } from '../src/engine/data/cifar10';
import { MAX_RECORD_BYTES } from '../src/engine/schema/record';
import { parseRecordText } from '../src/engine/schema/readRecord';
import { Rng } from '../src/engine/core/rng';
import { decodeLink } from '../src/lib/settings/links';
import { buildConfig } from '../src/cli/args';
import { FileError } from '../src/node/files';
import { loadCifarFrom } from '../src/node/data';
import {
  mergeGroundTruth,
  MAX_SHARD_BYTES,
  parseShardText,
  shardChecksum,
  shardRuns,
  SHARD_KIND,
} from '../src/engine/train/groundTruth';
import { readTextBounded } from '../src/node/files';
import {
  hostileConfig,
  hostileConfigFile,
  hostileDataset,
  hostileDatasetFolder,
  hostileLink,
  hostileRecord,
  hostileShards,
  type HostileFile,
  type ShardLike,
} from './fuzz';
import { microConfig } from './helpers';

interface Tally {
  tried: number;
  ok: number;
  messages: number;
  crashes: string[];
  slowest: number;
  /** The highest resident memory seen after an input, MB. */
  peakMB: number;
}

function fuzz(kind: string, n: number, run: (rng: Rng, i: number) => 'ok' | 'message', limitMs = 2000): Tally {
  const t: Tally = { tried: 0, ok: 0, messages: 0, crashes: [], slowest: 0, peakMB: 0 };
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
    t.peakMB = Math.max(t.peakMB, process.memoryUsage().rss / 1e6);
    if (ms > limitMs) t.crashes.push(`${kind} #${i}: took ${ms.toFixed(0)} ms (a hang)`);
    t.tried++;
  }
  console.log(
    `fuzz ${kind}: ${t.tried} tried, ${t.ok} valid, ${t.messages} clear messages, ` +
      `${t.crashes.length} crashes or hangs; slowest ${t.slowest.toFixed(0)} ms; peak rss ${t.peakMB.toFixed(0)} MB`,
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

  // The same kinds of input as files on disk, through the CLI's own readers: a file may also be a FIFO, a device,
  // a folder, a link to a device or a sparse 6 GB file, and each must end as a clear message within the time limit.
  const dir = mkdtempSync(join(tmpdir(), 'supernet-fuzz-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  let serial = 0;
  /** Puts a hostile file at `path` (or answers where it is): text, bytes, or something that is not a file. */
  const materialize = (f: HostileFile, path: string): string => {
    mkdirSync(dirname(path), { recursive: true });
    rmSync(path, { recursive: true, force: true }); // a folder may name one file twice: the last one stands
    switch (f.kind) {
      case 'text':
        writeFileSync(path, f.text);
        break;
      case 'bytes':
        writeFileSync(path, f.bytes);
        break;
      case 'fifo':
        execFileSync('mkfifo', [path]);
        break;
      case 'folder':
        mkdirSync(path);
        break;
      case 'dev-zero':
      case 'link-to-dev':
        symlinkSync('/dev/zero', path);
        break;
      case 'dev-null':
        symlinkSync('/dev/null', path);
        break;
      case 'sparse-huge':
        writeFileSync(path, '');
        truncateSync(path, 6e9);
        break;
      default: // missing
    }
    return path;
  };
  /** Ours, and it says which file: not a TypeError, RangeError or SyntaxError, and naming one of `names`. */
  const named = (e: unknown, names: string[], also?: RegExp) => {
    const m = (e as Error)?.message ?? '';
    if (!(e instanceof Error) || ['TypeError', 'RangeError', 'SyntaxError'].includes(e.constructor.name)) throw e;
    if (!names.some((n) => m.includes(n)) && !also?.test(m)) throw e;
    return 'message' as const;
  };

  it('300 hostile --config files (text, FIFOs, devices, folders, sparse 6 GB): a config or a message naming it', () => {
    const t = fuzz('config file', 300, (rng) => {
      const path = materialize(hostileConfigFile(rng), join(dir, `cfg${serial++}.json`));
      try {
        buildConfig({ config: path });
        return 'ok';
      } catch (e) {
        return named(e, [path], /^invalid config: /);
      }
    });
    expect(t.crashes).toEqual([]);
  });

  it('300 hostile merges (damaged, re-signed, doubled, missing or special shard files): merged or a message', () => {
    const cfg = microConfig({ space: { ops: ['max_pool_3x3', 'sep_conv_3x3'] } });
    const keyHash = configHash(groundTruthKey(cfg));
    const rng0 = Rng.from(7, 'shards');
    const valid: ShardLike[] = [0, 1].map((index) => {
      const shard = { index, count: 2 };
      const s = {
        kind: SHARD_KIND,
        keyHash,
        shard,
        seeds: cfg.groundTruthSeeds,
        children: 8,
        runs: shardRuns(cfg, shard).map((r) => [r.seed, r.child, rng0.int(1000) / 1000]),
        backend: 'wasm',
      };
      return { ...s, checksum: shardChecksum(s as never) };
    });
    const resign = (s: ShardLike) => shardChecksum(s as never);
    const t = fuzz('merge', 300, (rng) => {
      const { files } = hostileShards(rng, valid, resign);
      const paths = files.map((f, i) => materialize(f, join(dir, `m${serial++}.shard-${i}-of-2.json`)));
      try {
        const shards = paths.map((p) => parseShardText(readTextBounded(p, MAX_SHARD_BYTES, 'shard'), p));
        mergeGroundTruth(cfg, shards, paths);
        return 'ok';
      } catch (e) {
        return named(e, paths, /shards missing|no shards given/);
      }
    });
    expect(t.crashes).toEqual([]);
    // The untouched shards merge: the suite is not refusing everything.
    expect(t.ok).toBeGreaterThan(0);
  });

  it('150 hostile CIFAR-10 folders (damaged .bin and .tar.gz, special and sparse files): data or a message', () => {
    const t = fuzz(
      'dataset folder',
      150,
      (rng) => {
        const folder = join(dir, `data${serial++}`);
        mkdirSync(folder);
        for (const { name, file } of hostileDatasetFolder(rng)) materialize(file, join(folder, name));
        try {
          loadCifarFrom(folder);
          return 'ok';
        } catch (e) {
          if (!(e instanceof DatasetError) && !(e instanceof FileError)) throw e;
          return named(e, [folder], /no (training|test) file|no CIFAR-10 file/);
        }
      },
      5000,
    );
    expect(t.crashes).toEqual([]);
  });
});

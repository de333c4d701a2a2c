import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'fflate';
import { Readable } from 'node:stream';
import { createGzip } from 'node:zlib';
import { createTar } from './tarFixture';
import { readTarGz } from '../src/engine/data/tarGz';
import { describe, expect, it } from 'vitest';
import { DatasetError } from '../src/engine/core/errors';
import { parseCifarBin, RECORD_BYTES, splitsFromFiles, splitsFromTarGz } from '../src/engine/data/cifar10';
import { makeBatch, downsample } from '../src/engine/data/dataset';
import { shapeSplits as syntheticSplits } from '../src/engine/data/shapes';
import { gratingSplits } from '../src/engine/data/gratings';

/** n records; record i has label i % 10 and R/G/B planes filled with i, i+1, i+2 (+ pixel index). */
function fixture(n: number): Uint8Array {
  const b = new Uint8Array(n * RECORD_BYTES);
  for (let i = 0; i < n; i++) {
    const o = i * RECORD_BYTES;
    b[o] = i % 10;
    for (let p = 0; p < 1024; p++) {
      b[o + 1 + p] = (i + p) & 255;
      b[o + 1 + 1024 + p] = (i + 1) & 255;
      b[o + 1 + 2048 + p] = (i + 2) & 255;
    }
  }
  return b;
}

describe('CIFAR-10 binary reader', () => {
  it('parses planar records into NHWC images', () => {
    const s = parseCifarBin(fixture(3), 'a.bin');
    expect(s.n).toBe(3);
    expect(Array.from(s.labels)).toEqual([0, 1, 2]);
    // image 2, pixel 5: R = 2+5, G = 3, B = 4
    const o = (2 * 1024 + 5) * 3;
    expect(Array.from(s.images.subarray(o, o + 3))).toEqual([7, 3, 4]);
  });

  it('names the file and byte offset of a truncated record', () => {
    const b = fixture(3).subarray(0, 2 * RECORD_BYTES + 100);
    expect(() => parseCifarBin(b, 'data_batch_1.bin')).toThrowError(DatasetError);
    expect(() => parseCifarBin(b, 'data_batch_1.bin')).toThrow(
      /data_batch_1\.bin: .*record 2 at byte offset 6146 is truncated \(100 of 3073 bytes\)/,
    );
  });

  it('names the record and offset of an out-of-range label', () => {
    const b = fixture(4);
    b[3 * RECORD_BYTES] = 10;
    expect(() => parseCifarBin(b, 'test_batch.bin')).toThrow(
      /test_batch\.bin: record 3 at byte offset 9219 has label 10, outside 0-9/,
    );
  });

  it('rejects an empty file and missing splits', () => {
    expect(() => parseCifarBin(new Uint8Array(0), 'x.bin')).toThrow(/empty/);
    expect(() => splitsFromFiles([{ name: 'train.bin', bytes: fixture(2) }])).toThrow(/no test file/);
  });

  it('reads the official tarball layout (gzip + tar) and rejects a broken one', () => {
    const tar = createTar([
      { name: 'cifar-10-batches-bin/data_batch_1.bin', data: fixture(4) },
      { name: 'cifar-10-batches-bin/data_batch_2.bin', data: fixture(2) },
      { name: 'cifar-10-batches-bin/test_batch.bin', data: fixture(3) },
      { name: 'cifar-10-batches-bin/batches.meta.txt', data: 'airplane\n' },
    ]);
    const gz = gzipSync(tar);
    const s = splitsFromTarGz(gz);
    expect(s.train.n).toBe(6);
    expect(s.val.n).toBe(3);
    expect(() => splitsFromTarGz(gz.subarray(0, gz.length >> 1), 'cut.tar.gz')).toThrow(/cut\.tar\.gz/);
  });

  it('refuses an archive with one flipped byte (gzip CRC-32 and length are checked)', () => {
    const tar = createTar([
      { name: 'b/data_batch_1.bin', data: fixture(4) },
      { name: 'b/test_batch.bin', data: fixture(3) },
    ]);
    const gz = gzipSync(tar, { level: 0 }); // stored blocks: a flipped byte changes data, not structure
    let refused = 0;
    for (const at of [200, 1000, 5000, 9000, gz.length - 6]) {
      const bad = gz.slice();
      bad[at] ^= 0x10;
      try {
        splitsFromTarGz(bad, 'flipped.tar.gz');
      } catch (e) {
        expect((e as Error).message).toMatch(/flipped\.tar\.gz: .*(CRC-32 mismatch|damaged|not a valid)/);
        refused++;
      }
    }
    expect(refused).toBe(5);
  });

  it('ignores entries with absolute or .. paths, and limits entries and their size', () => {
    const keep = () => true;
    const tar = createTar([
      { name: '../evil/data_batch_1.bin', data: fixture(1) },
      { name: '/etc/test_batch.bin', data: fixture(1) },
      { name: 'ok/test_batch.bin', data: fixture(1) },
    ]);
    expect(readTarGz([gzipSync(tar)], 'paths.tar.gz', keep).map((f) => f.name)).toEqual(['ok/test_batch.bin']);
    const many = createTar(Array.from({ length: 70 }, (_, i) => ({ name: `f${i}.txt`, data: 'x' })));
    expect(() => readTarGz([gzipSync(many)], 'many.tar.gz', keep)).toThrow(/many\.tar\.gz: more than 64 entries/);
    const big = createTar([{ name: 'big.bin', data: new Uint8Array(40_000) }]);
    expect(() =>
      readTarGz([gzipSync(big)], 'big.tar.gz', keep, { maxInflated: 1e9, maxEntry: 30_000, maxEntries: 10 }),
    ).toThrow(/big\.tar\.gz: entry "big\.bin" is 40,000 bytes, over the 30,000-byte limit/);
  });

  it('stops a 4 GB gzip bomb (generated here, streamed) at the inflated-size limit, without holding it', async () => {
    // 4 GiB of zeros in a tar entry, compressed as a stream by zlib (the bomb is ~4 MB compressed).
    const header = createTar([{ name: 'data_batch_1.bin', data: new Uint8Array(0) }]).subarray(0, 512);
    header.set(new TextEncoder().encode((2 ** 32).toString(8).padStart(11, '0') + '\0'), 124);
    const zeros = new Uint8Array(1 << 24);
    const source = Readable.from(
      (function* () {
        yield header;
        for (let i = 0; i < 256; i++) yield zeros;
      })(),
    );
    const pieces: Uint8Array[] = [];
    const gz = source.pipe(createGzip({ level: 1 }));
    for await (const d of gz) pieces.push(d as Uint8Array);
    const compressed = pieces.reduce((a, p) => a + p.length, 0);
    expect(compressed).toBeLessThan(40_000_000);
    const before = process.memoryUsage().rss;
    const t0 = performance.now();
    expect(() => readTarGz(pieces, 'bomb.tar.gz', () => true)).toThrow(
      /bomb\.tar\.gz: .*(over the 32,000,000-byte limit|inflates to more than 200,000,000 bytes)/,
    );
    const grew = process.memoryUsage().rss - before;
    console.log(
      `gzip bomb: ${(compressed / 1e6).toFixed(1)} MB compressed, 4.3 GB inflated; refused in ` +
        `${(performance.now() - t0).toFixed(0)} ms, memory grew ${(grew / 1e6).toFixed(0)} MB`,
    );
    expect(grew).toBeLessThan(500_000_000);
  });

  const shared = '../shared/data/cifar10-subset';
  it.skipIf(!existsSync(`${shared}/train.bin`))(
    'reads the real CIFAR-10 subset in ../shared (skipped without it)',
    () => {
      const s = splitsFromFiles([
        { name: 'train.bin', bytes: new Uint8Array(readFileSync(`${shared}/train.bin`)) },
        { name: 'test.bin', bytes: new Uint8Array(readFileSync(`${shared}/test.bin`)) },
      ]);
      expect(s.train.n).toBe(5000);
      expect(s.val.n).toBe(1000);
      expect(Array.from(s.train.labels.subarray(0, 10))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    },
  );
});

const concat = (parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
};

/** A tar header block for an entry of `size` bytes (its data follows in other gzip members). */
function tarHeader(name: string, size: number): Uint8Array {
  const h = createTar([{ name, data: new Uint8Array(0) }]).subarray(0, 512);
  h.set(new TextEncoder().encode(size.toString(8).padStart(11, '0') + '\0'), 124);
  return h;
}

describe('CIFAR-10 files on disk: bounded in size and memory (node/data.ts)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'supernet-cifar-'));
  /** loadCifarFrom in a process of its own (tests/peakRss.ts): its message and peak memory. */
  const peak = (path: string) =>
    JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', 'tests/peakRss.ts', path], { encoding: 'utf8' })) as {
      message: string;
      beforeMB: number;
      peakMB: number;
    };

  it('a multi-member gzip (cat a.gz b.gz, pigz) is read; a flipped byte in its first member is refused', () => {
    const tar = createTar([
      { name: 'b/data_batch_1.bin', data: fixture(4) },
      { name: 'b/test_batch.bin', data: fixture(3) },
    ]);
    const cuts = [0, 3000, 9000, 14_000, tar.length];
    const members = cuts.slice(1).map((c, i) => gzipSync(tar.subarray(cuts[i], c), { level: i ? 6 : 0 }));
    const s = splitsFromTarGz(concat(members), 'multi.tar.gz');
    expect([s.train.n, s.val.n]).toEqual([4, 3]);
    const bad = concat(members);
    bad[1500] ^= 0x10; // inside the first member's stored data
    expect(() => splitsFromTarGz(bad, 'multi.tar.gz')).toThrow(/multi\.tar\.gz: CRC-32 mismatch/);
  });

  it('gzip bombs are refused within the inflate limit: peak memory near 200 MB, not 16×', () => {
    // Members reused: 30 MiB of zeros compress to ~30 KB, so the bombs are built in milliseconds.
    const zeros30 = gzipSync(new Uint8Array(30 * 2 ** 20), { level: 9 });
    const zeros16 = gzipSync(new Uint8Array(16 * 2 ** 20), { level: 9 });
    // Kept entries (CIFAR-10 names, each under the 32 MB entry limit): 7 × 30 MiB = 220 MB inflated.
    const kept = join(dir, 'kept-bomb.tar.gz');
    const entries = [1, 2, 3, 4, 5].map((k) => `a/data_batch_${k}.bin`).concat(['b/data_batch_1.bin', 'c/test.bin']);
    writeFileSync(kept, concat(entries.flatMap((n) => [gzipSync(tarHeader(n, 30 * 2 ** 20)), zeros30])));
    // One entry nobody keeps, 4 GiB of zeros: inflating alone must stop at the limit.
    const junk = join(dir, 'junk-bomb.tar.gz');
    writeFileSync(junk, concat([gzipSync(tarHeader('junk.dat', 2 ** 32)), ...new Array(256).fill(zeros16)]));
    for (const f of [kept, junk]) {
      const r = peak(f);
      console.log(
        `gzip bomb ${f.split('/').pop()}: ${(readFileSync(f).length / 1e6).toFixed(1)} MB on disk; ` +
          `peak RSS ${r.peakMB.toFixed(0)} MB (${r.beforeMB.toFixed(0)} MB before reading): ${r.message.slice(0, 90)}`,
      );
      expect(r.message).toMatch(
        /bomb\.tar\.gz: (inflates to|its CIFAR-10 entries declare) more than 200,000,000 bytes/,
      );
      expect(r.peakMB - r.beforeMB).toBeLessThan(400);
    }
  });

  it('a sparse 6 GB folder, a 3 GiB .bin and a FIFO are refused before a byte is read, naming the file', () => {
    const sparse = (path: string, size: number) => {
      mkdirSync(join(path, '..'), { recursive: true });
      writeFileSync(path, '');
      truncateSync(path, size);
    };
    const folder = join(dir, 'six-gb');
    for (let i = 0; i < 40; i++) sparse(join(folder, `part${i}`, 'train.bin'), 150_000_000);
    const big = join(dir, 'big');
    sparse(join(big, 'train.bin'), 3 * 2 ** 30);
    sparse(join(big, 'test.bin'), 3073);
    const pipe = join(dir, 'pipe');
    mkdirSync(pipe);
    execFileSync('mkfifo', [join(pipe, 'test_batch.bin')]);
    const cases: [string, RegExp][] = [
      [folder, /six-gb: its CIFAR-10 files hold 6\.0 GB, more than the whole of CIFAR-10 \(184\.4 MB\)/],
      [big, /big\/train\.bin is 3\.2 GB, more than a CIFAR-10 file can be/],
      [pipe, /test_batch\.bin is a FIFO \(named pipe\), not a regular file/],
    ];
    for (const [path, re] of cases) {
      const r = peak(path);
      console.log(`${path.split('/').pop()}: peak RSS ${r.peakMB.toFixed(0)} MB: ${r.message.slice(0, 100)}`);
      expect(r.message).toMatch(re);
      expect(r.peakMB - r.beforeMB).toBeLessThan(50);
    }
  });
});

describe('synthetic dataset and batches', () => {
  for (const [name, gen] of [
    ['gratings', gratingSplits],
    ['shapes (v1)', syntheticSplits],
  ] as const)
    it(`the built-in ${name} set is seeded and balanced`, () => {
      const a = gen(1000, 200, 3);
      const b = gen(1000, 200, 3);
      expect(a.train.images).toEqual(b.train.images);
      expect(gen(1000, 200, 4).train.images).not.toEqual(a.train.images);
      for (let c = 0; c < 10; c++) expect(Array.from(a.train.labels).filter((l) => l === c)).toHaveLength(100);
      expect(a.classes).toHaveLength(10);
    });

  it('normalises with the CIFAR mean/std and augments with crop + flip', async () => {
    const { Rng } = await import('../src/engine/core/rng');
    const s = downsample(syntheticSplits(20, 10, 0).train, 16);
    expect(s.size).toBe(16);
    const plain = makeBatch(s, [0, 1]);
    const v = s.images[0] / 255;
    expect(plain.x[0]).toBeCloseTo((v - 0.49139968) / 0.24703233, 5);
    const aug1 = makeBatch(s, [0, 1], Rng.from(1, 'a'));
    const aug2 = makeBatch(s, [0, 1], Rng.from(1, 'a'));
    expect(aug1.x).toEqual(aug2.x);
    expect(aug1.x).not.toEqual(plain.x);
  });
});

// Trust: no write destroys what was there, no input hangs or exhausts memory, every stored result is verified, and
// every message is the project's. One case per finding of the hostile-input and fault sweep, each run through the
// CLI as a user gives it (in this process: tests/cliHarness.ts; TRUST_CLI_TREE=<old checkout> replays the same cases
// against another version's CLI, as a child process).
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configHash, groundTruthKey, type ExperimentConfig } from '../src/engine/schema/config';
import { parseRecordText } from '../src/engine/schema/readRecord';
import { preset } from '../src/engine/schema/scales';
import { cli, OTHER_TREE, spawnCli, type CliResult } from './cliHarness';
import { microConfig } from './helpers';

const dir = mkdtempSync(join(tmpdir(), 'supernet-trust-'));
process.env.SUPERNET_CACHE = join(dir, 'cache');
const isRoot = process.getuid?.() === 0;

const write = (name: string, content: unknown) => {
  const p = join(dir, name);
  writeFileSync(p, typeof content === 'string' ? content : JSON.stringify(content));
  return p;
};
const fifo = (name: string) => {
  const p = join(dir, name);
  execFileSync('mkfifo', [p]);
  return p;
};
/** 8 children, 2 seeds, a few steps: quick to train and to merge. */
const small = (over: Partial<ExperimentConfig> = {}) =>
  microConfig({ space: { ops: ['max_pool_3x3', 'sep_conv_3x3'] }, ...over });

/** Refused with a message of ours, before any training (no cost estimate printed, nothing trained). */
function refusedEarly(r: CliResult, re: RegExp, status = 1) {
  expect(r.status, r.stderr).toBe(status);
  expect(r.stderr).toMatch(re);
  expect(r.stderr).not.toMatch(/estimate:|Cannot read|is not a function|undefined|TypeError|at .*\.ts:\d+/);
}

describe('trust: writes', () => {
  const cfg = () => write('ok.json', small());

  const link = join(dir, 'null-link.json');
  symlinkSync('/dev/null', link);
  // As root, a device node of our own with /dev/full's numbers: a regression that renamed a record over it (as root
  // can) must not take the machine's /dev/full with it. Without root, /dev/full itself cannot be replaced.
  const full = isRoot ? join(dir, 'full-device') : '/dev/full';
  if (isRoot) execFileSync('mknod', ['-m', '666', full, 'c', '1', '7']);
  const outs: [string, string, RegExp][] = [
    ['/dev/full', full, /full(-device)? is a character device, not a regular file/],
    ['/proc/run.json', '/proc/run.json', /\/proc\/run\.json is in a kernel file system/],
    ['"" (empty)', '', /--out is empty/],
    ['a FIFO', fifo('out.fifo'), /out\.fifo is a FIFO/],
    ['a link to /dev/null', link, /null-link\.json is a character device/],
    ['a folder', dir, /is a folder/],
  ];
  for (const [what, out, re] of outs)
    it(`run --out ${what} is refused before training`, async () => {
      refusedEarly(await cli(['run', '--config', cfg(), '--out', out]), re);
    });
  it('groundtruth --out /dev/full is refused before training; the device is still a device', async () => {
    refusedEarly(await cli(['groundtruth', '--config', cfg(), '--out', full]), /character device/);
    expect(lstatSync(full).isCharacterDevice()).toBe(true);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
  });

  it('a write that fails (file size limit, a full disk) leaves the old ground truth intact and says so', async () => {
    const c = small();
    const shardCfg = write('gt-cfg.json', c);
    const shards = [0, 1].map((i) => join(dir, `w.shard-${i}-of-2.json`));
    for (const [i, s] of shards.entries())
      expect((await cli(['groundtruth', '--config', shardCfg, '--shard', `${i}/2`, '--out', s])).status).toBe(0);
    const old = `${JSON.stringify({ old: 'ground truth', pad: 'x'.repeat(20_000) })}\n`;
    const target = write('truth.json', old);
    // A file size limit of 0 (ulimit -f 0): the temporary file cannot be written (EFBIG).
    const r = await spawnCli(['merge', ...shards, '--config', shardCfg, '--out', target], { shell: 'ulimit -f 0' });
    expect(r.status, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/could not write .*truth\.json: .*EFBIG.*; the previous .*truth\.json is unchanged/);
    expect(readFileSync(target, 'utf8')).toBe(old);
    if (!isRoot) return;
    // A full disk: a 64 KiB tmpfs, mostly filled by the old file.
    const mnt = join(dir, 'full');
    mkdirSync(mnt);
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mnt], { stdio: 'ignore' });
    } catch {
      return; // no permission to mount here (a container): the ulimit case above stands
    }
    try {
      const full = join(mnt, 'truth.json');
      const big = `${JSON.stringify({ old: 'x'.repeat(40_000) })}\n`;
      writeFileSync(full, big);
      try {
        writeFileSync(join(mnt, 'filler'), 'x'.repeat(64_000)); // fills what is left, then fails: the disk is full
      } catch {
        // ENOSPC, as meant
      }
      const f = await cli(['merge', ...shards, '--config', shardCfg, '--out', full]);
      expect(f.status, f.stderr).toBe(1);
      expect(f.stderr).toMatch(/could not write .*: the disk is full \(ENOSPC\); the previous .* is unchanged/);
      expect(readFileSync(full, 'utf8')).toBe(big);
    } finally {
      execFileSync('umount', [mnt]);
    }
  });
});

describe('trust: inputs that hang or eat memory', () => {
  const inputs: [string, string[], RegExp][] = [
    ['a FIFO as --config', ['run', '--config', fifo('cfg.fifo')], /--config .*cfg\.fifo is a FIFO \(named pipe\)/],
    ['/dev/zero as --config', ['run', '--config', '/dev/zero'], /--config \/dev\/zero is a character device/],
    ['a FIFO as --resume', ['run', '--resume', fifo('resume.fifo')], /resume\.fifo is a FIFO/],
    ['a folder as --config', ['run', '--config', dir], /is a folder, not a regular file/],
    ['an empty --config', ['run', '--config', write('empty.json', '')], /empty\.json is empty/],
    [
      'a missing --config',
      ['run', '--config', join(dir, 'missing.json')],
      /cannot read --config .*missing\.json: no such/,
    ],
  ];
  for (const [what, args, re] of inputs)
    it(`${what} is refused at once, naming it`, async () => {
      const r = await cli(args, { timeoutMs: 20_000 });
      refusedEarly(r, re);
      expect(r.ms).toBeLessThan(15_000);
    });

  const cifarCfg = () =>
    write('cifar.json', { ...small(), data: { ...small().data, source: 'cifar10', trainSize: 32, valSize: 16 } });
  /** A folder of sparse files: sizes without the bytes. */
  const sizes = (folder: string, files: [string, number][]) => {
    for (const [f, n] of files) {
      const p = join(dir, folder, f);
      mkdirSync(dirname(p), { recursive: true });
      writeFileSync(p, '');
      truncateSync(p, n);
    }
    return join(dir, folder);
  };
  const folders: [string, () => string, RegExp][] = [
    [
      'a CIFAR-10 folder larger than CIFAR-10 (three sparse 150 MB train.bin)',
      () =>
        sizes(
          'huge',
          ['a', 'b', 'c'].map((f) => [`${f}/train.bin`, 150_000_000]),
        ),
      /huge: its CIFAR-10 files hold 450\.0 MB, more than the whole of CIFAR-10/,
    ],
    [
      'a 3 GiB .bin',
      () =>
        sizes('big', [
          ['data_batch_1.bin', 3 * 2 ** 30],
          ['test_batch.bin', 3073],
        ]),
      /data_batch_1\.bin is 3\.2 GB, more than a CIFAR-10 file can be/,
    ],
    [
      'a FIFO named train.bin',
      () => {
        mkdirSync(join(dir, 'pipe'));
        execFileSync('mkfifo', [join(dir, 'pipe', 'train.bin')]);
        return join(dir, 'pipe');
      },
      /train\.bin is a FIFO \(named pipe\), not a regular file/,
    ],
  ];
  for (const [what, make, re] of folders)
    it(`--data with ${what} is refused, naming the file`, async () => {
      const r = await cli(['run', '--config', cifarCfg(), '--data', make()], { timeoutMs: 30_000 });
      expect(r.status, r.stderr).toBe(1);
      expect(r.stderr).toMatch(re);
    });

  it('the largest valid config is refused by the cost check before its model is built (exit 4)', async () => {
    const c = preset('paper');
    c.model = { stemChannels: 256, cellChannels: 256, numCells: 8, inputSize: 32 };
    c.train = { ...c.train, batchSize: 2048 };
    c.eval = { ...c.eval, batchSize: 4096 };
    const r = await cli(['run', '--config', write('largest.json', c), '--yes']);
    refusedEarly(r, /this model needs about \d+\.\d GB for one batch .* make it smaller/, 4);
  });
});

describe('trust: merge verifies its shards', () => {
  let shardChecksum: (s: never) => string;
  const shards: Record<string, unknown>[] = [];
  let cfgPath = '';
  let otherKey = '';
  beforeAll(async () => {
    shardChecksum = (await import('../src/engine/train/groundTruth')).shardChecksum as never;
    const c = small();
    cfgPath = write('merge-cfg.json', c);
    otherKey = configHash(groundTruthKey({ ...c, seed: 99, data: { ...c.data, synthSeed: 5 } }));
    for (const i of [0, 1]) {
      const out = join(dir, `m.shard-${i}-of-2.json`);
      expect((await cli(['groundtruth', '--config', cfgPath, '--shard', `${i}/2`, '--out', out])).status).toBe(0);
      shards.push(JSON.parse(readFileSync(out, 'utf8')) as Record<string, unknown>);
    }
  });
  const merge = (name: string, first: unknown) =>
    cli([
      'merge',
      write(name, first),
      write(`ok-${name}`, shards[1]),
      '--config',
      cfgPath,
      '--out',
      join(dir, 'm.json'),
    ]);
  const edit = (f: (s: Record<string, unknown> & { runs: number[][] }) => void) => {
    const s = structuredClone(shards[0]) as Record<string, unknown> & { runs: number[][] };
    f(s);
    return s;
  };

  it('valid shards merge; the merged truth is what a single process makes', async () => {
    const r = await merge('good.json', shards[0]);
    expect(r.status, r.stderr).toBe(0);
  });

  const hostile: [string, string, () => unknown, RegExp][] = [
    ['an edited accuracy', 'acc.json', () => edit((s) => (s.runs[0][2] = 0.99)), /acc\.json: its checksum does not/],
    [
      'a foreign shard, key edited',
      'foreign.json',
      () => edit((s) => (s.keyHash = otherKey)),
      /foreign\.json: its chec/,
    ],
    [
      'seed −1',
      'seed-neg.json',
      () => edit((s) => (s.runs[0][0] = -1)),
      /seed-neg\.json is not a valid .*seed must be ≥ 0/,
    ],
    ['seed 0.5', 'seed-half.json', () => edit((s) => (s.runs[0][0] = 0.5)), /seed-half\.json .*seed must be a whole/],
    ['child −1', 'child-neg.json', () => edit((s) => (s.runs[0][1] = -1)), /child-neg\.json .*child must be ≥ 0/],
    [
      'child 1.5',
      'child-half.json',
      () => edit((s) => (s.runs[0][1] = 1.5)),
      /child-half\.json .*child must be a whole/,
    ],
    ['an empty file', 'empty.json', () => '', /empty\.json is empty/],
    ['broken JSON', 'broken.json', () => '{"kind": "x", "runs": [', /broken\.json is not valid JSON/],
    [
      'a shard without a checksum',
      'old.json',
      () => edit((s) => delete s.checksum),
      /old\.json has no checksum: .*Make it/,
    ],
    [
      'terminal escapes in backend',
      'esc.json',
      () => edit((s) => (s.backend = 'wasm\u001b[2J\u001b]0;owned\u0007')),
      /esc\.json is not a valid .*backend/,
    ],
  ];
  for (const [what, name, content, re] of hostile)
    it(`merge refuses a shard with ${what}, naming the file`, async () => {
      const r = await merge(name, content());
      expect(r.status, `${name}: ${r.stderr}`).toBe(1);
      expect(r.stderr, name).toMatch(re);
      expect(r.stderr.includes('\u001b')).toBe(false);
    });

  /** Re-signed, as a tool that rewrites headers would: the checksum passes, the header checks must not. */
  const signed = (f: (s: Record<string, unknown> & { runs: number[][] }) => void) => {
    const s = edit(f);
    s.checksum = shardChecksum(s as never);
    return s;
  };
  const headers: [string, string, () => unknown, RegExp][] = [
    [
      'a wrong index',
      'idx.json',
      () => signed((s) => (s.shard = { index: 1, count: 2 })),
      /idx\.json .*(are both s|not this s)/,
    ],
    [
      'a wrong count',
      'cnt.json',
      () => signed((s) => (s.shard = { index: 0, count: 3 })),
      /cnt\.json \(shard 0\/3\): run/,
    ],
    [
      'index ≥ count',
      'range.json',
      () => signed((s) => (s.shard = { index: 2, count: 2 })),
      /range\.json .*index must/,
    ],
    ['wrong seeds', 'seeds.json', () => signed((s) => (s.seeds = 3)), /seeds\.json .* says 3 seeds; the config has 2/],
    [
      'wrong children',
      'kids.json',
      () => signed((s) => (s.children = 64)),
      /kids\.json .* says 64 children; the config/,
    ],
    [
      'a run twice',
      'twice.json',
      () => signed((s) => s.runs.push(s.runs[0])),
      /twice\.json .*\(seed 0, child 0\) is not/,
    ],
    ['a run missing', 'short.json', () => signed((s) => s.runs.pop()), /short\.json .*1 of its run\(s\) missing/],
  ];
  for (const [what, name, content, re] of headers)
    it(`merge refuses a re-signed shard with ${what}, naming the file`, async () => {
      const r = await merge(name, content());
      expect(r.status, `${name}: ${r.stderr}`).toBe(1);
      expect(r.stderr, name).toMatch(re);
    });

  it('a ground truth whose source holds terminal escapes is printed without them', async () => {
    const c = small({ seed: 3 });
    const n = 8;
    const gt = {
      mean: Array.from({ length: n }, (_, i) => 0.1 + i / 100),
      std: new Array(n).fill(0.01),
      perSeed: [Array.from({ length: n }, (_, i) => 0.1 + i / 100)],
      seeds: 1,
      source: 'stand-alone \u001b[2J\u001b]0;owned\u0007 (wasm\u009b31m)',
      keyHash: configHash(groundTruthKey(c)),
    };
    mkdirSync(process.env.SUPERNET_CACHE!, { recursive: true });
    writeFileSync(join(process.env.SUPERNET_CACHE!, `${gt.keyHash}.json`), JSON.stringify(gt));
    const r = await cli(['run', '--config', write('esc-run.json', c)]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/ground truth: stand-alone \[2J\]0;owned \(wasm31m\)/);
    // eslint-disable-next-line no-control-regex -- no control character may reach the terminal
    expect(r.stdout + r.stderr).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
  });
});

describe('trust: every message is the project’s', () => {
  const refusals: [string[], RegExp][] = [
    [['run', '--sharing', '__proto__'], /unknown sharing policy '__proto__' \(known: full/],
    [['run', '--sharing', 'constructor'], /unknown sharing policy 'constructor'/],
    [['run', '--preset', 'toString'], /unknown preset 'toString' \(known: tiny, small, paper\)/],
    [['run', '--preset', '__proto__'], /unknown preset '__proto__'/],
    [['run', '--sharing', 'none:extra'], /sharing policy 'none:extra': none takes no parameters/],
    [['run', '--sharing', 'full:1'], /full takes no parameters/],
    [['run', '--sharing', 'groups:0x4:random'], /groups: m must be a whole number, got '0x4'/],
    [['run', '--sharing', 'prefix:1e0'], /prefix: k must be a whole number, got '1e0'/],
    [['run', '--order', 'toString'], /--order must be one of/],
    [['run', '--seeds', '0x10'], /--seeds must be a whole number, got '0x10'/],
    [['run', '--workers', '0x2'], /--workers must be a whole number 1\.\.64, not '0x2'/],
    [['findings', '--instances', '0x10'], /--instances must be a whole number, got '0x10'/],
    [['run', '--resume', ''], /--resume: no file name given/],
    [['merge', join(dir, 'nope.json'), '--out', join(dir, 'x.json')], /merge: .*nope\.json does not exist/],
  ];
  for (const [args, re] of refusals)
    it(`${args.map((a) => (a.startsWith('/') ? '<file>' : a || '""')).join(' ')} is refused clearly`, async () => {
      refusedEarly(await cli(args), re);
    });

  it('a 1 MB unknown key is echoed cut short; an unknown option is a usage error; --help exits 0', async () => {
    const key = `k${'x'.repeat(1_000_000)}`;
    const r = await cli(['run', '--config', write('key.json', { ...small(), [key]: 1 })]);
    refusedEarly(r, /invalid config: kx{38}… is not a known field/);
    expect(r.stderr.length).toBeLessThan(1000);
    const longOption = await cli(['run', `--${'y'.repeat(100_000)}`]);
    expect(longOption.status).toBe(2);
    expect(longOption.stderr.length).toBeLessThan(1000);
    const help = await cli(['--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^usage: npm run cli -- <command>/);
    expect((await cli([])).status).toBe(2);
  });

  it('a run whose loss explodes (lr 1e6) ends diverged with exit 3, even when the loss stays finite', async () => {
    const c = small();
    c.train = { ...c.train, epochs: 1, lr: 1e6, lrMin: 1e6 };
    c.data = { ...c.data, trainSize: 32 }; // 4 steps
    c.eval = { ...c.eval, denseSteps: 0 };
    const out = join(dir, 'exploded.json');
    const r = await cli(['run', '--config', write('lr.json', c), '--out', out]);
    expect(r.status, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/the loss became \S+ at step \d+ while training child \d{3}.*diverged/);
    expect(parseRecordText(readFileSync(out, 'utf8')).status).toBe('diverged');
  });
});

afterAll(() => {
  if (OTHER_TREE) return;
  try {
    chmodSync(dir, 0o700);
    rmSync(dir, { recursive: true, force: true });
  } catch {
    // a leftover temporary folder
  }
});

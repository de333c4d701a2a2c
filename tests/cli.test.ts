// The CLI end to end, as a user runs it (child processes through the real npm → tsx → node chain
// where it matters, real files).
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { gtTau, sTau } from '../src/engine/core/metrics';
import { parseRecordText } from '../src/engine/schema/readRecord';
import { finalRow } from '../src/engine/schema/summary';
import { cli as inProcess } from './cliHarness';
import { microConfig } from './helpers';

const dir = mkdtempSync(join(tmpdir(), 'supernet-cli-'));
const env = { ...process.env, SUPERNET_CACHE: join(dir, 'cache') };
const cli = (args: string[], extraEnv: NodeJS.ProcessEnv = {}) =>
  spawnSync('npx', ['tsx', 'src/cli/main.ts', ...args], {
    encoding: 'utf8',
    env: { ...env, ...extraEnv },
    timeout: 170_000,
  });
const write = (name: string, obj: unknown) => {
  const p = join(dir, name);
  writeFileSync(p, typeof obj === 'string' ? obj : JSON.stringify(obj));
  return p;
};
const readRecord = (p: string) => parseRecordText(readFileSync(p, 'utf8'));

/** The 8-child space keeps these runs short. */
const small = (over = {}) => microConfig({ space: { ops: ['max_pool_3x3', 'sep_conv_3x3'] }, ...over });

describe('cli', () => {
  it(
    'run: computes and caches ground truth, writes a record whose GT-Tau and S-Tau match its own accuracy ' +
      'matrix; --workers 2 gives the same record',
    () => {
      const cfgPath = write('micro.json', small({ instances: 2 }));
      const out = join(dir, 'run.json');
      const r = cli(['run', '--config', cfgPath, '--backend', 'wasm', '--compute-gt', '--out', out]);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/estimate: .* on wasm/);
      expect(r.stderr).toMatch(/ground truth written to/);
      expect(r.stdout).toMatch(/GT-Tau .* T1R .* T3R/);
      const rec = readRecord(out);
      expect(rec.status).toBe('complete');
      expect(rec.checkpoint).toBeUndefined();
      const gt = rec.groundTruth!.mean;
      rec.instances.forEach((inst, i) =>
        expect((rec.metrics as { instances: { gtTau: number }[] }).instances[i].gtTau).toBeCloseTo(
          gtTau(finalRow(inst), gt),
          12,
        ),
      );
      expect((rec.metrics as { sTau: { mean: number } }).sTau.mean).toBeCloseTo(
        sTau(rec.instances.map(finalRow)).mean,
        12,
      );
      const again = cli([
        'run',
        '--config',
        cfgPath,
        '--backend',
        'wasm',
        '--compute-gt',
        '--workers',
        '2',
        '--out',
        join(dir, 'run2.json'),
      ]);
      expect(again.status, again.stderr).toBe(0);
      expect(again.stderr).not.toMatch(/ground truth written to/);
      // --workers 2: instance 1 trained in a worker thread, the same numbers as one thread.
      expect(readRecord(join(dir, 'run2.json')).instances).toEqual(rec.instances);
      // The truth is the children's: another supernet seed reuses it, another training of the truth does not.
      write('micro.json', small({ instances: 2, seed: 9 }));
      const reseeded = cli(['run', '--config', cfgPath, '--backend', 'wasm', '--out', join(dir, 'run3.json')]);
      expect(reseeded.status).toBe(0);
      expect(reseeded.stdout).toMatch(/GT-Tau .* T1R .* T3R/);
      expect(reseeded.stdout).not.toMatch(/no ground truth/);
      write('micro.json', small({ instances: 2, groundTruthTrain: { bnMomentum: 0.5 } }));
      const plain = cli(['run', '--config', cfgPath, '--backend', 'wasm', '--out', join(dir, 'run4.json')]);
      expect(plain.status).toBe(0);
      expect(plain.stdout).toMatch(/no ground truth for this config.*--compute-gt/);
    },
  );

  it('Ctrl-C through `npm run cli` leaves a valid partial record, and --resume finishes it identically', async () => {
    const c = small({ instances: 2 });
    c.train.epochs = 30;
    const cfgPath = write('long.json', c);
    const full = join(dir, 'full.json');
    expect(cli(['run', '--config', cfgPath, '--out', full]).status).toBe(0);
    const out = join(dir, 'partial.json');
    // A terminal's Ctrl-C: SIGINT to the whole process group (npm, sh, tsx and node all get it).
    const child = spawn('npm', ['run', '--silent', 'cli', '--', 'run', '--config', cfgPath, '--out', out], {
      env,
      detached: true,
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    await new Promise<void>((resolve) => {
      const t = setInterval(() => {
        // Past the first instance's first epoch: a checkpoint exists.
        if (/instance|[2-9]\d%/.test(stderr) && / [3-9]\d%/.test(stderr)) {
          clearInterval(t);
          process.kill(-child.pid!, 'SIGINT');
          resolve();
        }
      }, 50);
    });
    await new Promise<void>((r) => child.on('exit', () => r()));
    for (let i = 0; i < 100 && !/record written/.test(stderr); i++) await new Promise((r) => setTimeout(r, 100));
    expect(stderr).toMatch(/interrupted \(SIGINT\)/);
    expect(stderr).toMatch(/record written to .*partial/);
    const part = readRecord(out);
    expect(part.status).toBe('partial');
    expect(part.checkpoint).toBeDefined();
    const resumed = cli(['run', '--resume', out]);
    expect(resumed.status, resumed.stderr).toBe(0);
    const a = readRecord(out);
    const b = readRecord(full);
    expect(a.status).toBe('complete');
    expect(a.instances.map((i) => i.accuracy)).toEqual(b.instances.map((i) => i.accuracy));
    expect(a.instances.map((i) => i.loss)).toEqual(b.instances.map((i) => i.loss));
  });

  it('groundtruth shards from --shard, Slurm or Kubernetes variables merge into the unsharded result', () => {
    const cfgPath = write('gt.json', small());
    const outs = [0, 1].map((i) => join(dir, `gt.shard-${i}-of-2.json`));
    expect(cli(['groundtruth', '--config', cfgPath, '--shard', '0/2', '--out', outs[0]]).status).toBe(0);
    const slurm = cli(['groundtruth', '--config', cfgPath, '--out', outs[1]], {
      SLURM_ARRAY_TASK_ID: '1',
      SLURM_ARRAY_TASK_COUNT: '2',
    });
    expect(slurm.stderr).toMatch(/shard 1\/2/);
    const k8s = cli(['groundtruth', '--config', cfgPath, '--out', join(dir, 'k.json')], { JOB_COMPLETION_INDEX: '1' });
    expect(k8s.status).toBe(1);
    expect(k8s.stderr).toMatch(/SHARD_COUNT is not/);
    const merged = join(dir, 'merged.json');
    const m = cli(['merge', ...outs, '--config', cfgPath, '--out', merged]);
    expect(m.status, m.stderr).toBe(0);
    const whole = join(dir, 'whole.json');
    expect(cli(['groundtruth', '--config', cfgPath, '--out', whole]).status).toBe(0);
    expect(JSON.parse(readFileSync(merged, 'utf8')).perSeed).toEqual(JSON.parse(readFileSync(whole, 'utf8')).perSeed);
  });

  it('refuses bad input before any training, with a clear message', async () => {
    const cases: [unknown, RegExp][] = [
      [[], /expected a JSON object, got an array/],
      ['"text"', /expected a JSON object, got string/],
      ['null', /expected a JSON object, got null/],
      [{}, /empty object/],
      [
        { ...small(), sharing: { kind: 'groups', m: 5, partition: 'random', partitionSeed: 1 } },
        /sharing m must divide the 8 children/,
      ],
      [{ ...small(), finetune: { steps: 1e9 } }, /finetune.steps must be ≤ 10000/],
      [{ ...small(), eval: { ...small().eval, bnRecalibrationBatches: 1e9 } }, /bnRecalibrationBatches must be ≤ 64/],
      [{ ...small(), seed: 1e20 }, /seed must be ≤ 2147483647/],
      [{ ...small(), name: 'x'.repeat(200_000) }, /characters long/],
      ['{"__proto__": {"x": 1}}', /"__proto__" is not allowed/],
      ['['.repeat(100_000) + ']'.repeat(100_000), /nested deeper than/],
    ];
    // In this process (tests/cliHarness.ts): the same runCli the CLI's process runs, without starting node each time.
    for (const [cfg, re] of cases) {
      const p = write('bad.json', typeof cfg === 'string' ? cfg : JSON.stringify(cfg));
      const r = await inProcess(['run', '--config', p]);
      expect(r.status, `${String(cfg).slice(0, 40)}: ${r.stderr}`).toBe(1);
      expect(r.stderr).toMatch(re);
      expect(r.ms).toBeLessThan(60_000);
    }
  });

  it('checks --out before training, and a diverging run exits non-zero with a diverged record', () => {
    const ro = join(dir, 'ro');
    mkdirSync(ro);
    chmodSync(ro, 0o500);
    const cfgPath = write('ok.json', small());
    const r = cli(['run', '--config', cfgPath, '--out', join(ro, 'x.json')]);
    if (process.getuid?.() !== 0) {
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/not writable/);
    }
    expect(cli(['run', '--config', cfgPath, '--out', dir]).stderr).toMatch(/is a folder/);
    const lr = small();
    lr.train.lr = 1e6;
    lr.train.lrMin = 1e6;
    const out = join(dir, 'diverged.json');
    const d = cli(['run', '--config', write('lr.json', lr), '--out', out]);
    expect(d.status).toBe(3);
    expect(d.stderr).toMatch(/loss became \S+ at step \d+ while training child \d{3}/);
    expect(readRecord(out).status).toBe('diverged');
    expect(existsSync(out)).toBe(true);
  });
});

describe('CLI probe', () => {
  it('trains to its last checkpoint, probes a child and writes the result; refuses a bad child', async () => {
    const p = write('probe-config.json', JSON.stringify(microConfig()));
    const out = join(dir, 'probe.json');
    const bad = await inProcess(['probe', '--config', p, '--child', '999']);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/--child '999' is not a child of this space/);
    const r = await inProcess(['probe', '--config', p, '--child', '243', '--steps', '3', '--out', out]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/shared\s+children/);
    expect(r.stdout).toMatch(/From step \d+ of 8 \(instance 0\), 3 steps of 243/);
    const saved = JSON.parse(readFileSync(out, 'utf8'));
    expect(saved).toMatchObject({ kind: 'supernet-playground/probe', childName: '243', steps: 3 });
    expect(saved.groups.map((g: { shared: number }) => g.shared)).toEqual([0, 1, 2]);
  });
});

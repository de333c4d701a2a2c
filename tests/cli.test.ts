// The CLI end to end, as a user runs it (child process, real files).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { gtTau, sTau } from '../src/engine/metrics';
import { validateRecord } from '../src/engine/record';
import { finalRow } from '../src/engine/summary';
import { microConfig } from './helpers';

const dir = mkdtempSync(join(tmpdir(), 'supernet-cli-'));
const env = { ...process.env, SUPERNET_CACHE: join(dir, 'cache') };
const cli = (args: string[]) => spawnSync('npx', ['tsx', 'src/cli/main.ts', ...args], { encoding: 'utf8', env, timeout: 170_000 });

describe('cli', () => {
  it('run: computes and caches ground truth, writes a record whose GT-Tau and S-Tau match its own accuracy matrix', () => {
    const cfgPath = join(dir, 'micro.json');
    writeFileSync(cfgPath, JSON.stringify(microConfig({ instances: 2 })));
    const out = join(dir, 'run.json');
    const r = cli(['run', '--config', cfgPath, '--backend', 'wasm', '--compute-gt', '--out', out]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/ground truth written to/);
    expect(r.stdout).toMatch(/GT-Tau .* T1R .* T3R/);
    const rec = validateRecord(JSON.parse(readFileSync(out, 'utf8')));
    expect(rec.status).toBe('complete');
    const gt = rec.groundTruth!.mean;
    rec.instances.forEach((inst, i) => expect(rec.metrics!.instances[i].gtTau).toBeCloseTo(gtTau(finalRow(inst), gt), 12));
    expect(rec.metrics!.sTau.mean).toBeCloseTo(sTau(rec.instances.map(finalRow)).mean, 12);
    // Second run finds the cached ground truth instead of recomputing it.
    const again = cli(['run', '--config', cfgPath, '--backend', 'wasm', '--compute-gt', '--out', join(dir, 'run2.json')]);
    expect(again.status).toBe(0);
    expect(again.stderr).not.toMatch(/ground truth written to/);
    // A config without cached ground truth runs without it unless asked.
    writeFileSync(cfgPath, JSON.stringify(microConfig({ instances: 2, seed: 9 })));
    const plain = cli(['run', '--config', cfgPath, '--backend', 'wasm', '--out', join(dir, 'run3.json')]);
    expect(plain.status).toBe(0);
    expect(plain.stdout).toMatch(/no ground truth for this config.*--compute-gt/);
  });

  it('Ctrl-C leaves a valid partial record', async () => {
    const cfgPath = join(dir, 'long.json');
    const c = microConfig({ instances: 3 });
    c.train.epochs = 40;
    writeFileSync(cfgPath, JSON.stringify(c));
    const out = join(dir, 'partial.json');
    // node itself (tsx as a loader), so the signal reaches the CLI process as a terminal's Ctrl-C would.
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'run', '--config', cfgPath, '--no-gt', '--out', out], { env });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    await new Promise<void>((resolve) => {
      const t = setInterval(() => {
        if (/ 1\d%| [2-9]\d%/.test(stderr)) {
          clearInterval(t);
          child.kill('SIGINT');
          resolve();
        }
      }, 100);
    });
    const code = await new Promise<number | null>((r) => child.on('exit', r));
    expect(stderr).toMatch(/interrupted/);
    expect(code).not.toBe(0);
    const rec = validateRecord(JSON.parse(readFileSync(out, 'utf8')));
    expect(rec.status).toBe('partial');
    expect(rec.instances[0].status).toBe('partial');
  });

  it('rejects an invalid config with a clear message', () => {
    const cfgPath = join(dir, 'bad.json');
    writeFileSync(cfgPath, JSON.stringify({ ...microConfig(), sharing: { kind: 'groups', m: 5, partition: 'random', partitionSeed: 1 } }));
    const r = cli(['run', '--config', cfgPath]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/invalid config: sharing.m must divide 64/);
  });
});

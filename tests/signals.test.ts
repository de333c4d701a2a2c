// Signals never lose the last state: Ctrl-C (SIGINT to the process group, as a terminal sends it), SIGTERM to the
// launcher's process alone (kill, a scheduler), SIGHUP to the group (the terminal closed) and SIGINT to the
// launcher alone, through each way of starting the CLI — `npm run cli`, the tsx binary, `node --import tsx` — during
// a run whose steps take longer than the ~60 ms tsx's wrapper waits before it SIGKILLs its child. Every time, the
// record on disk must be a valid partial record, with a checkpoint, holding at least the steps done when the
// signal was sent (a stale periodic save does not count).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRecordText } from '../src/engine/schema/readRecord';
import { microConfig } from './helpers';

const dir = mkdtempSync(join(tmpdir(), 'supernet-signals-'));
const env = { ...process.env, SUPERNET_CACHE: join(dir, 'cache') };

/** ~80 ms steps on wasm (16 channels at 16×16, batches of 32), 160 steps: a run of ~15 s, stopped after ~2. */
function slowConfig(): string {
  const c = microConfig({ space: { ops: ['max_pool_3x3', 'sep_conv_3x3'] }, instances: 1 });
  c.model = { stemChannels: 16, cellChannels: 16, numCells: 2, inputSize: 16 };
  c.data = { ...c.data, trainSize: 256, valSize: 64 };
  c.train = { ...c.train, epochs: 20, batchSize: 32 };
  c.eval = { ...c.eval, denseSteps: 0, batchSize: 64, valSize: 64 };
  const p = join(dir, 'slow.json');
  writeFileSync(p, JSON.stringify(c));
  return p;
}

const LAUNCHERS: Record<string, (args: string[]) => [string, string[]]> = {
  'npm run cli': (args) => ['npm', ['run', '--silent', 'cli', '--', ...args]],
  'tsx src/cli/main.ts': (args) => ['node_modules/.bin/tsx', ['src/cli/main.ts', ...args]],
  'node --import tsx': (args) => [process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args]],
};

/** How each signal is sent: to the process group (a terminal) or to the launcher's process only. */
const SENDS: { name: string; signal: NodeJS.Signals; group: boolean; times: number }[] = [
  { name: 'Ctrl-C', signal: 'SIGINT', group: true, times: 2 },
  { name: 'SIGTERM to the launcher', signal: 'SIGTERM', group: false, times: 2 },
  { name: 'SIGHUP (terminal closed)', signal: 'SIGHUP', group: true, times: 2 },
  { name: 'SIGINT to the launcher', signal: 'SIGINT', group: false, times: 1 },
];

interface Outcome {
  label: string;
  ok: boolean;
  why: string;
}

async function press(config: string, launcher: string, send: (typeof SENDS)[number], k: number): Promise<Outcome> {
  const label = `${launcher}, ${send.name} #${k + 1}`;
  const out = join(dir, `${launcher.replace(/\W+/g, '-')}-${send.signal}-${send.group ? 'g' : 'p'}-${k}.json`);
  const [cmd, args] = LAUNCHERS[launcher](['run', '--config', config, '--out', out]);
  const child = spawn(cmd, args, { env, detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const exited = new Promise<void>((r) => child.on('exit', () => r()));
  // Past epoch 2 of 20 (a checkpoint exists): the progress line reads step 17 of 160 or later. (Step 16 is
  // reported before its epoch-end evaluation and checkpoint, so a signal then may find none yet.)
  let stepsAtSignal = 0;
  for (let t = 0; t < 2400; t++) {
    const m = [...stderr.matchAll(/ step (\d+)\/160/g)].pop();
    if (m && Number(m[1]) >= 17) {
      stepsAtSignal = Number(m[1]);
      process.kill(send.group ? -child.pid! : child.pid!, send.signal);
      break;
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  await Promise.race([exited, new Promise((r) => setTimeout(r, 60_000))]);
  // The CLI itself may outlive a launcher that died of the signal (npm, sh on SIGHUP): wait for the file. It stops
  // after the step or evaluation under way, which a loaded machine can stretch past 10 s: wait up to 30 s.
  for (let t = 0; t < 300 && !/record written|partial record/.test(stderr); t++)
    await new Promise((r) => setTimeout(r, 100));
  try {
    process.kill(-child.pid!, 'SIGKILL');
  } catch {
    // all gone
  }
  if (!stepsAtSignal) return { label, ok: false, why: `never reached step 17: ${stderr.slice(-300)}` };
  if (!existsSync(out)) return { label, ok: false, why: 'no record on disk' };
  try {
    const rec = parseRecordText(readFileSync(out, 'utf8'), out);
    const steps = rec.instances[0]?.loss[0]?.length ?? 0;
    if (rec.status !== 'partial') return { label, ok: false, why: `status ${rec.status}: the signal was lost` };
    if (!rec.checkpoint) return { label, ok: false, why: 'no checkpoint' };
    if (steps < stepsAtSignal) return { label, ok: false, why: `stale: ${steps} steps, ${stepsAtSignal} at signal` };
    return { label, ok: true, why: `${steps} steps (${stepsAtSignal} at the signal)` };
  } catch (e) {
    return { label, ok: false, why: `invalid record: ${(e as Error).message.slice(0, 120)}` };
  }
}

describe('signals', () => {
  it('Ctrl-C, SIGTERM, SIGHUP via npm run cli, tsx and node --import tsx always leave the partial record', async () => {
    const config = slowConfig();
    const jobs = Object.keys(LAUNCHERS).flatMap((l) =>
      SENDS.flatMap((s) => Array.from({ length: s.times }, (_, k) => () => press(config, l, s, k))),
    );
    const results: Outcome[] = [];
    // Three at a time: each run is mostly start-up and waiting.
    for (let i = 0; i < jobs.length; i += 3) results.push(...(await Promise.all(jobs.slice(i, i + 3).map((j) => j()))));
    console.log(results.map((r) => `${r.ok ? 'ok  ' : 'FAIL'} ${r.label}: ${r.why}`).join('\n'));
    expect(results.filter((r) => !r.ok)).toEqual([]);
  }, 600_000);
});

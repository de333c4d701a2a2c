// Runs the CLI for a test: in this process (src/cli/cli.ts's runCli, stdout and stderr captured: milliseconds a
// call), or, with TRUST_CLI_TREE=<a checkout of another version>, as a child process of that tree's CLI — the same
// cases then show what an older version did with the same input (how the trust tests were seen to fail first).
import { spawn } from 'node:child_process';
import { join } from 'node:path';

export interface CliResult {
  status: number;
  stdout: string;
  stderr: string;
  ms: number;
}

export const OTHER_TREE = process.env.TRUST_CLI_TREE;

let inProcess: ((argv: string[]) => Promise<number>) | undefined;

/** Runs `node --import tsx <tree>/src/cli/main.ts …` (or any command) with a time limit; a hang is status -1. */
export function spawnCli(
  argv: string[],
  opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number; shell?: string; cwd?: string } = {},
): Promise<CliResult> {
  const cwd = opts.cwd ?? OTHER_TREE ?? process.cwd();
  const cmd = [process.execPath, '--import', 'tsx', join(cwd, 'src/cli/main.ts'), ...argv];
  const t0 = performance.now();
  return new Promise((resolve) => {
    const child = opts.shell
      ? spawn('sh', ['-c', `${opts.shell}; exec "$@"`, 'sh', ...cmd], { cwd, env: { ...process.env, ...opts.env } })
      : spawn(cmd[0], cmd.slice(1), { cwd, env: { ...process.env, ...opts.env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ status: code ?? -1, stdout, stderr, ms: performance.now() - t0 });
    });
  });
}

/** The CLI on `argv`: in this process, or the other tree's as a child process (TRUST_CLI_TREE). */
export async function cli(argv: string[], opts: { timeoutMs?: number } = {}): Promise<CliResult> {
  if (OTHER_TREE) return spawnCli(argv, opts);
  inProcess ??= (await import('../src/cli/cli')).runCli;
  const out: string[] = [];
  const err: string[] = [];
  const [ow, ew] = [process.stdout.write, process.stderr.write];
  const capture = (into: string[]) =>
    ((chunk: string | Uint8Array) => {
      into.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString());
      return true;
    }) as typeof process.stdout.write;
  process.stdout.write = capture(out);
  process.stderr.write = capture(err);
  const t0 = performance.now();
  try {
    const status = await inProcess(argv);
    return { status, stdout: out.join(''), stderr: err.join(''), ms: performance.now() - t0 };
  } finally {
    process.stdout.write = ow;
    process.stderr.write = ew;
  }
}

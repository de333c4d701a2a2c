// The CLI's entry: `npm run cli -- <command>` (node --import tsx src/cli/main.ts), `npx tsx src/cli/main.ts …` or
// `node --import tsx src/cli/main.ts …`. The work is cli.ts; this file is the process around it.
//
// Under tsx's own wrapper (`tsx src/cli/main.ts`), a signal sent to the wrapper is relayed to node, and node is
// SIGKILLed if it has not answered within ~30 ms — less than one training step, so Ctrl-C or SIGTERM could lose the
// partial record. There this process only starts the CLI again as its own child, without tsx's wrapper, and
// relays SIGINT, SIGTERM and SIGHUP to it; being idle, it answers the wrapper at once, and waits for the CLI to
// write its record and exit. `npm run cli` and `node --import tsx` have no such wrapper and run the CLI directly.
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
const PREFLIGHT = /[\\/]tsx[\\/]dist[\\/]preflight\.cjs$/;

/** This node's options without tsx's preflight (the part that answers, and is killed by, the wrapper). */
function withoutPreflight(execArgv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    if (execArgv[i] === '--require' && PREFLIGHT.test(execArgv[i + 1] ?? '')) i++;
    else if (!PREFLIGHT.test(execArgv[i]) && !PREFLIGHT.test(execArgv[i].replace(/^--require=/, '')))
      out.push(execArgv[i]);
  }
  return out;
}

function relaunch(): void {
  const script = fileURLToPath(import.meta.url);
  const child = spawn(process.execPath, [...withoutPreflight(process.execArgv), script, ...process.argv.slice(2)], {
    stdio: 'inherit',
  });
  const alive = () => child.exitCode === null && child.signalCode === null;
  for (const s of SIGNALS) process.on(s, () => void (alive() && child.kill(s)));
  child.on('error', (e) => {
    process.stderr.write(`error: could not start the CLI (${e.message})\n`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => process.exit(code ?? 128 + (signal ? constants.signals[signal] : 0)));
}

if (process.execArgv.some((a) => PREFLIGHT.test(a.replace(/^--require=/, '')))) relaunch();
else {
  // A closed terminal (SIGHUP) or a closed pipe makes writes fail: the record still gets written.
  process.stdout.on('error', () => {});
  process.stderr.on('error', () => {});
  const { installStopSignals } = await import('./signals');
  installStopSignals();
  const { runCli } = await import('./cli');
  process.exit(await runCli(process.argv.slice(2)));
}

// Ctrl-C, SIGTERM and SIGHUP (the terminal closed): the first writes what the run has so far at once (onStop), then
// stops the run at the next step boundary, where the final partial record is written, with a checkpoint to --resume
// from; a second, later one quits at once.
//
// Why the grace period: a Ctrl-C reaches every process of the terminal's process group (npm, sh, a launcher, node),
// and a launcher also relays it: node sees SIGINT twice within milliseconds. Those count as one press.
//
// Why the record is written in the handler and not only at the step boundary: a wrapper may kill the process soon
// after relaying a signal (tsx's own wrapper SIGKILLs a child that has not answered within ~30 ms; main.ts keeps the
// CLI out from under it). A step can take longer than that; the handler runs between two of them.
const GRACE_MS = 1500;
export const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

let stoppedAt = 0;
let installed = false;
const flushers = new Set<() => void>();
let stream: NodeJS.WriteStream = process.stderr;

/** `f` runs once, synchronously, when the first stop signal arrives (write the record so far). Returns an undo. */
export function onStop(f: () => void): () => void {
  flushers.add(f);
  return () => flushers.delete(f);
}

function onSignal(sig: NodeJS.Signals): void {
  const now = Date.now();
  if (stoppedAt && now - stoppedAt > GRACE_MS) {
    stream.write(`\n${sig} again: quitting without writing more\n`);
    process.exit(130);
  }
  if (stoppedAt) return; // the same press, relayed by a wrapper
  stoppedAt = now;
  stream.write(
    `\ninterrupted (${sig}): writing the record so far, finishing the current step and writing a partial record ` +
      `(again to quit at once)\n`,
  );
  for (const f of flushers)
    try {
      f();
    } catch {
      // the final write at the step boundary says what failed
    }
}

/** Installs the handlers (once per process; main.ts does, a test calling runCli in-process does not). */
export function installStopSignals(out: NodeJS.WriteStream = process.stderr): void {
  stream = out;
  if (installed) return;
  for (const s of STOP_SIGNALS) process.on(s, onSignal);
  installed = true;
}

/** Whether a stop signal has arrived. */
export const stopped = (): boolean => stoppedAt > 0;

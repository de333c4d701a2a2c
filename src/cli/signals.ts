// Ctrl-C and SIGTERM: the first stops the run at the next step boundary (a valid partial record is
// written, with a checkpoint to --resume from); a second, later one quits at once.
//
// Why the grace period: `npm run cli` starts npm → sh → tsx → node, all in the terminal's process
// group. A Ctrl-C reaches every one of them, and tsx also relays it to node: node sees SIGINT twice
// within milliseconds. Counting those as one press is what makes the partial record appear.
const GRACE_MS = 1500;

export function stopSignal(stream: NodeJS.WriteStream = process.stderr): () => boolean {
  let stoppedAt = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    const now = Date.now();
    if (stoppedAt && now - stoppedAt > GRACE_MS) {
      stream.write(`\n${sig} again: quitting without writing\n`);
      process.exit(130);
    }
    if (stoppedAt) return; // the same press, relayed by a wrapper
    stoppedAt = now;
    stream.write(
      `\ninterrupted (${sig}): finishing the current step and writing a partial record (again to quit at once)\n`,
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);
  return () => stoppedAt > 0;
}

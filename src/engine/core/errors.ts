// Errors the engine raises on purpose, with messages meant for the user.

/**
 * Whether a training loss means the run has diverged: NaN or infinite, or finite but absurd. Cross-entropy starts
 * near ln(classes) (2.3 for 10 classes) and a run that learns stays below it; a loss 1000× that (2,300 for 10
 * classes) only comes from weights that have blown up (lr 1e6 gave 7.6e10 after 4 steps, still finite, and the run
 * ended "complete"). Such a step is refused like a NaN one: its update is not applied, the run is marked diverged.
 */
export function lossDiverged(loss: number, classes: number): boolean {
  return !Number.isFinite(loss) || loss > 1000 * Math.log(Math.max(2, classes));
}

/** The loss of a training step was NaN, infinite or absurd (lossDiverged): the run has diverged. */
export class NonFiniteLossError extends Error {
  constructor(
    readonly child: string,
    readonly step: number,
    readonly loss: number,
  ) {
    super(
      `the loss became ${Number.isFinite(loss) ? loss.toPrecision(3) : loss} at step ${step} while training child ` +
        `${child}; the update was not applied — the ` +
        `run diverged: lower the learning rate or turn on gradient clipping`,
    );
    this.name = 'NonFiniteLossError';
  }
}

/** A dataset file or archive that cannot be read: which file, and where in it. */
export class DatasetError extends Error {
  constructor(
    message: string,
    readonly file: string,
    readonly offset?: number,
  ) {
    super(message);
    this.name = 'DatasetError';
  }
}

/** Work refused before it starts because it cannot fit (memory, a limit): what and why, for the user. */
export class RefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RefusedError';
  }
}

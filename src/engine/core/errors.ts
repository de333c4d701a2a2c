// Errors the engine raises on purpose, with messages meant for the user.

/** The loss of a training step was NaN or infinite: the run has diverged. */
export class NonFiniteLossError extends Error {
  constructor(
    readonly child: string,
    readonly step: number,
    readonly loss: number,
  ) {
    super(
      `the loss became ${loss} at step ${step} while training child ${child}; the update was not applied — the ` +
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

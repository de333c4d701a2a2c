// When the training worker fails before it is ready (its script does not load, its backend cannot start), a new one
// starts after a pause that doubles each time, and after a few tries none does: a 404 or a broken build must not
// start workers in a tight loop (1,637 in 10 s were counted before this).

/** Pauses before each new start after failures in a row: 1 s, 2 s, 4 s; then the page stops trying. */
export const RESTART_DELAYS_MS: readonly number[] = [1000, 2000, 4000];

export class RestartPolicy {
  private failures = 0;
  constructor(private readonly delays: readonly number[] = RESTART_DELAYS_MS) {}
  /** A worker failed: the pause before the next start, or undefined when the tries are spent. */
  failed(): number | undefined {
    return this.delays[this.failures++];
  }
  /** A worker is ready: the next failure starts the count again. */
  ready(): void {
    this.failures = 0;
  }
  /** Starts tried since the last ready worker (the first one included). */
  get tries(): number {
    return this.failures;
  }
}

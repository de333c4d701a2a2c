// One progress figure and one ETA over every phase of a run (training, evaluation, fine-tune), from
// rates measured as the run goes (seeded by the calibration before it). Pure: unit-tested.
import type { ExperimentConfig } from '../../engine/schema/config';
import type { Rates } from '../../engine/train/cost';
import { evalPoints, totalSteps } from '../../engine/train/schedule';
import { spaceOf } from '../../engine/schema/config';
import { jobsOf } from '../../engine/space/sharing';

export interface Work {
  trainSteps: number;
  evalPoints: number;
  finetuneSteps: number;
}

export class ProgressModel {
  readonly total: Work;
  done: Work = { trainSteps: 0, evalPoints: 0, finetuneSteps: 0 };
  /** Seconds per unit of each kind of work. */
  private rate: Work;
  /** Seconds this thread has worked (pauses excluded: the caller does not count them). */
  private elapsed = 0;
  /** The largest fraction reported so far: the bar never goes back. */
  private shown = 0;
  /** `workers`: training workers taking instances side by side (the ETA divides by them). */
  constructor(
    cfg: ExperimentConfig,
    rates: Rates,
    completedInstances = 0,
    private readonly workers = 1,
  ) {
    const space = spaceOf(cfg);
    const jobs = jobsOf(cfg.sharing, space).length;
    const left = cfg.instances - completedInstances;
    this.total = {
      trainSteps: totalSteps(cfg) * left,
      evalPoints: evalPoints(cfg).length * left,
      finetuneSteps: cfg.finetune.steps * space.numChildren * left,
    };
    this.rate = {
      trainSteps: rates.trainSecondsPerImage * cfg.train.batchSize * jobs,
      evalPoints: rates.evalAllSecondsPerImage * cfg.eval.valSize,
      finetuneSteps: rates.trainSecondsPerImage * cfg.train.batchSize + rates.evalOneSecondsPerImage * cfg.eval.valSize,
    };
  }
  /** Records `n` units of `kind` done in `seconds`; the rate follows measurements (exponential average). */
  add(kind: keyof Work, n: number, seconds: number): void {
    this.done[kind] += n;
    this.elapsed += Math.max(0, seconds);
    if (n > 0 && seconds > 0) this.rate[kind] = 0.8 * this.rate[kind] + 0.2 * (seconds / n);
  }
  private seconds(w: Work): number {
    return (
      w.trainSteps * this.rate.trainSteps +
      w.evalPoints * this.rate.evalPoints +
      w.finetuneSteps * this.rate.finetuneSteps
    );
  }
  get etaSeconds(): number {
    const left = {
      trainSteps: this.total.trainSteps - this.done.trainSteps,
      evalPoints: this.total.evalPoints - this.done.evalPoints,
      finetuneSteps: this.total.finetuneSteps - this.done.finetuneSteps,
    };
    return Math.max(0, this.seconds(left) / this.workers);
  }
  /**
   * Time done over time done plus time left, by the rates measured so far — and never less than what was shown
   * before: a rate that turns out slower moves the ETA, not the bar backwards. Before any work is timed, the share
   * of the work done at the calibrated rates.
   */
  get fraction(): number {
    const left = this.etaSeconds;
    const all = this.seconds(this.total);
    const f =
      left <= 0
        ? 1
        : this.elapsed > 0
          ? this.elapsed / (this.elapsed + left)
          : all > 0
            ? this.seconds(this.done) / all
            : 1;
    this.shown = Math.max(this.shown, Math.min(1, f));
    return this.shown;
  }
}

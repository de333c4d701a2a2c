// One progress figure and one ETA over every phase of a run (training, evaluation, fine-tune), from
// rates measured as the run goes (seeded by the calibration before it). The page's worker and the CLI both use it.
// ProgressModel is pure (unit-tested); WorkTimer times the engine's hooks into it.
import type { ExperimentConfig } from '../schema/config';
import { sideBySide, type Rates } from './cost';
import type { Phase } from './experiment';
import { evalPoints, totalSteps } from './schedule';
import { spaceOf } from '../schema/config';
import { jobsOf } from '../space/sharing';

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
  /** Instances left to train when the run started. */
  private readonly instances: number;
  /** The largest fraction reported so far: the bar never goes back. */
  private shown = 0;
  /** One instance's seconds at the calibrated rates: measured on one thread, nothing beside it. */
  private readonly alone: number;
  /** Whether this thread has timed work of the last, smaller wave (its rates then follow that wave's pace). */
  private timedLastWave = false;
  /** `workers`: training workers taking whole instances side by side (see etaSeconds). */
  constructor(
    cfg: ExperimentConfig,
    rates: Rates,
    completedInstances = 0,
    private readonly workers = 1,
  ) {
    const space = spaceOf(cfg);
    const jobs = jobsOf(cfg.sharing, space).length;
    const left = cfg.instances - completedInstances;
    this.instances = left;
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
    this.alone = left > 0 ? this.seconds(this.total) / left : 0;
  }
  /** Records `n` units of `kind` done in `seconds`; the rate follows measurements (exponential average). */
  add(kind: keyof Work, n: number, seconds: number): void {
    this.done[kind] += n;
    this.elapsed += Math.max(0, seconds);
    if (n > 0 && seconds > 0) {
      this.rate[kind] = 0.8 * this.rate[kind] + 0.2 * (seconds / n);
      if (this.inLastWave()) this.timedLastWave = true;
    }
  }
  /** Past the full waves' share of the training steps: a smaller last wave (instances % workers) is under way. */
  private inLastWave(): boolean {
    const rest = this.instances % this.workers;
    if (this.workers <= 1 || rest === 0) return false;
    return this.done.trainSteps > (this.total.trainSteps * (this.instances - rest)) / this.instances;
  }
  private seconds(w: Work): number {
    return (
      w.trainSteps * this.rate.trainSteps +
      w.evalPoints * this.rate.evalPoints +
      w.finetuneSteps * this.rate.finetuneSteps
    );
  }
  /**
   * Seconds left. Workers take whole instances, so with n instances on w workers they run in waves of w (the
   * last wave smaller) and a wave takes one instance's time whatever its size: 3 instances on 2 workers take two
   * instances' time, not one and a half. The work done so far fills the waves in order. A wave smaller than the
   * workers runs with cores to spare (2 workers on 2 cores gave 1.4–1.6× one): its instances take the time of one
   * alone — the calibrated time, or the measured time less the usual cost of running side by side if that is
   * longer (the calibration can be optimistic: 49 s foreseen for a 75 s run in chromium) — bounded by the measured
   * time (no slower) and by perfect scaling (no faster). Once this thread times that wave itself, its rates are
   * that wave's pace and are taken as they are.
   */
  get etaSeconds(): number {
    const left = {
      trainSteps: this.total.trainSteps - this.done.trainSteps,
      evalPoints: this.total.evalPoints - this.done.evalPoints,
      finetuneSteps: this.total.finetuneSteps - this.done.finetuneSteps,
    };
    const leftSeconds = Math.max(0, this.seconds(left));
    if (this.workers <= 1 || this.instances <= 1) return leftSeconds;
    const perInstance = this.seconds(this.total) / this.instances;
    let done = this.seconds(this.total) - leftSeconds;
    let eta = 0;
    for (let waiting = this.instances; waiting > 0; waiting -= this.workers) {
      const wave = Math.min(this.workers, waiting);
      const work = wave * perInstance;
      const fromThisWave = Math.min(done, work);
      done -= fromThisWave;
      const time = wave < this.workers && !this.timedLastWave ? this.lastWaveTime(perInstance, wave) : perInstance;
      eta += work > 0 ? ((work - fromThisWave) / work) * time : 0;
    }
    return eta;
  }
  /** One instance's time in a wave of `wave` < workers, from `perInstance` measured in a full wave (see etaSeconds). */
  private lastWaveTime(perInstance: number, wave: number): number {
    const alone = Math.max(this.alone, perInstance / sideBySide(this.workers));
    return clamp(alone, (perInstance * wave) / this.workers, perInstance);
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

const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));

/**
 * Times the work of the thread it runs on into a ProgressModel: each training step, each evaluation point (ended
 * when training resumes) and each fine-tune step takes the time since the last one ended.
 */
export class WorkTimer {
  /** When the last unit of this thread's work ended. */
  private last = performance.now();
  private begun = false;
  constructor(readonly model: ProgressModel) {}
  /** The first instance starts: what came before (data, weights) is set-up, not a training step's time. */
  begin(): void {
    if (this.begun) return;
    this.begun = true;
    this.last = performance.now();
  }
  step(): void {
    this.model.add('trainSteps', 1, this.tick());
  }
  /** A phase begins: training after an evaluation point ends that point. */
  phase(p: Phase): void {
    if (p === 'train') this.model.add('evalPoints', 1, this.tick());
    else this.tick();
  }
  finetune(): void {
    this.model.add('finetuneSteps', 1, this.tick());
  }
  /** A pause or a slowed step: its time is not work, so no rate counts it. */
  skip(ms: number): void {
    this.last += ms;
  }
  private tick(): number {
    const now = performance.now();
    const dt = (now - this.last) / 1000;
    this.last = now;
    return dt;
  }
}

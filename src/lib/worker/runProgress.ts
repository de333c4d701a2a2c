// The training worker's progress messages for one run, fed by the engine's hooks on its own thread and by the
// helpers' events: at most one every 100 ms, but every phase change and every instance's last step.
import { spaceOf, type ExperimentConfig } from '../../engine/schema/config';
import type { Phase, RunHooks, StepInfo } from '../../engine/train/experiment';
import type { HelperEvents } from './helperPool';
import { WorkTimer, type ProgressModel } from '../../engine/train/progressModel';
import type { ProgressInfo } from './protocol';

/** A run's first progress, while it calibrates and prepares its data. */
export const preparing = (cfg: ExperimentConfig): ProgressInfo => ({
  phase: 'preparing',
  step: 0,
  totalSteps: 0,
  instance: 0,
  instances: cfg.instances,
  fraction: 0,
  imagesPerSecond: 0,
  etaSeconds: Number.NaN,
  loss: Number.NaN,
  child: '',
});

export class RunProgress {
  private readonly names: readonly string[];
  private readonly t0 = performance.now();
  private readonly timer: WorkTimer;
  private phase: Phase = 'train';
  private images = 0;
  private lastPost = 0;
  private step: { step: number; total: number; instance: number; loss: number; child: string };

  /** `done`: instances complete before the run starts (a resumed run). */
  constructor(
    private readonly cfg: ExperimentConfig,
    private readonly model: ProgressModel,
    done: number,
    private readonly send: (p: ProgressInfo) => void,
  ) {
    this.names = spaceOf(cfg).names;
    this.timer = new WorkTimer(model);
    this.step = { step: 0, total: 0, instance: done, loss: Number.NaN, child: '' };
  }

  /** The engine's hooks for the instances of this thread. */
  hooks(): Pick<RunHooks, 'onStep' | 'onPhase' | 'onFinetune'> {
    return {
      onStep: (s: StepInfo) => {
        this.images += s.images;
        this.timer.step();
        this.step = {
          step: s.step,
          total: s.totalSteps,
          instance: s.instance,
          loss: s.loss[0],
          child: this.names[s.children[0]],
        };
        this.report(s.step === s.totalSteps);
      },
      onPhase: (_i, p) => {
        this.timer.phase(p);
        this.phase = p;
        this.report(true);
      },
      onFinetune: (_i, child) => {
        this.timer.finetune();
        this.step = { ...this.step, child: this.names[child] };
        this.report();
      },
    };
  }

  /** The helpers' work: counted, not timed (they run side by side with this thread). */
  helperEvents(): HelperEvents {
    return {
      onStep: (n, finetune) => {
        this.images += n;
        this.model.add(finetune ? 'finetuneSteps' : 'trainSteps', 1, 0);
        this.report();
      },
      onEvaluated: () => this.model.add('evalPoints', 1, 0),
    };
  }

  private report(force = false): void {
    const now = performance.now();
    if (!force && now - this.lastPost < 100) return;
    this.lastPost = now;
    this.send({
      phase: this.phase,
      step: this.step.step,
      totalSteps: this.step.total,
      instance: this.step.instance,
      instances: this.cfg.instances,
      fraction: this.model.fraction,
      imagesPerSecond: this.images / ((now - this.t0) / 1000),
      etaSeconds: this.model.etaSeconds,
      loss: this.step.loss,
      child: this.step.child,
    });
  }

  /** Posts where the run is now, whenever the last post was (the run pauses here). */
  flush(): void {
    this.report(true);
  }

  /** The first instance starts training (its set-up is not timed as work). */
  begin(): void {
    this.timer.begin();
  }

  /** A pause or a slowed step ('Speed'): its time is not work, so no rate counts it. */
  skip(ms: number): void {
    this.timer.skip(ms);
  }
}

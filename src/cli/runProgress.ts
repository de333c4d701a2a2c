// A supernet run's progress in the CLI: the page's progress model (one bar over training, dense evaluation and
// fine-tune, at rates measured as the run goes, seeded by the calibration) drawn as the CLI's one-line bar.
import { spaceOf, type ExperimentConfig } from '../engine/schema/config';
import type { Rates } from '../engine/train/cost';
import type { RunHooks, StepInfo } from '../engine/train/experiment';
import { ProgressModel, WorkTimer } from '../engine/train/progressModel';
import { Progress } from './progress';

export interface RunProgressHooks {
  hooks: Pick<RunHooks, 'onStep' | 'onPhase' | 'onFinetune' | 'onInstanceStart'>;
  /** A step a worker thread trained: counted, not timed (it ran side by side with this thread). */
  helperStep: (s: StepInfo) => void;
  progress: Progress;
  model: ProgressModel;
}

/** `done`: instances complete before the run starts (a resumed run); `workers`: instances side by side. */
export function runProgress(
  label: string,
  cfg: ExperimentConfig,
  rates: Rates,
  workers = 1,
  done = 0,
): RunProgressHooks {
  const model = new ProgressModel(cfg, rates, done, workers);
  const timer = new WorkTimer(model);
  const progress = new Progress(label, 1);
  const names = spaceOf(cfg).names;
  let at = '';
  const draw = (images: number, extra = '') =>
    progress.show(model.fraction, model.etaSeconds, at, images, extra, model.etaSeconds === 0);
  return {
    model,
    progress,
    hooks: {
      onInstanceStart: () => timer.begin(),
      onStep: (s) => {
        timer.step();
        at = `instance ${s.instance + 1}/${cfg.instances} step ${s.step}/${s.totalSteps}`;
        draw(s.images, `loss ${(s.loss.reduce((a, b) => a + b, 0) / s.loss.length).toFixed(3)}`);
      },
      onPhase: (_i, p) => {
        timer.phase(p);
        draw(0, p === 'train' ? '' : p === 'finetune' ? 'fine-tune' : 'evaluating every child');
      },
      onFinetune: (_i, child) => {
        timer.finetune();
        draw(0, `fine-tune ${names[child]}`);
      },
    },
    helperStep: (s) => {
      model.add('trainSteps', 1, 0);
      draw(s.images);
    },
  };
}

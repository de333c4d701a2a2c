// The gallery's experiments are the classroom preset with a few changes each; shipped recordings (public/runs/) are
// keyed by their hashes, so a change here needs new recordings (`npm run cli -- gallery`).
import type { ExperimentConfig } from '../schema/config';
import { preset } from '../schema/scales';

/** The classroom preset, renamed and changed by `over`. */
export function tiny(name: string, over: (c: ExperimentConfig) => void = () => undefined): ExperimentConfig {
  const c = preset('tiny');
  c.name = name;
  over(c);
  return c;
}

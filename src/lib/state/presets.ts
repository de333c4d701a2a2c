// The presets gallery: one experiment per finding of the paper, each with what to look at.
import { preset, type ExperimentConfig } from '../../engine/config';

export interface GalleryPreset {
  id: string;
  title: string;
  finding: string;
  lookAt: string;
  config: ExperimentConfig;
}

function tiny(over: (c: ExperimentConfig) => void): ExperimentConfig {
  const c = preset('tiny');
  over(c);
  return c;
}

export const GALLERY: GalleryPreset[] = [
  {
    id: 'best-varies',
    title: 'The best child varies',
    finding: 'Finding 1: the child ranked best changes a lot between seeds and between epochs of one run.',
    lookAt: 'Run 3 instances that differ only in their seed. "Best picks" shows how rarely two instances agree on the winner; the S-Tau curve stays far below the ground truth\'s own seed-to-seed agreement (the dashed noise floor).',
    config: tiny((c) => {
      c.name = 'best-varies';
      c.instances = 3;
      c.vary = 'seed';
    }),
  },
  {
    id: 'signal',
    title: 'There is still signal',
    finding: 'Finding 2: the ranking carries signal — bad children are reliably bad, and a short fine-tune recovers the order.',
    lookAt: 'In "Rank spread", children on the right (bad in ground truth) sit at the bottom in every instance while the good ones mix. The fine-tune curve lifts GT-Tau within a few steps.',
    config: tiny((c) => {
      c.name = 'signal';
      c.instances = 2;
      c.finetune.steps = 4;
    }),
  },
  {
    id: 'interference',
    title: 'Interference',
    finding: 'Finding 3: training one child reorders the others — with a fixed order the accuracy traces repeat with period 64.',
    lookAt: 'The dense traces: after each step the child just trained (diamond) tends to jump to the top, and the pattern repeats every 64 steps. Switch the order to "shuffle-period" and the period disappears.',
    config: tiny((c) => {
      c.name = 'interference';
      c.train.order = 'fixed';
      c.eval.denseSteps = 64;
    }),
  },
  {
    id: 'less-sharing',
    title: 'Less sharing, less variance',
    finding: 'Finding 4: reducing sharing (groups of similar children, or prefix sharing) lowers the variance of the ranking.',
    lookAt: 'Groups by similarity (m = 4): GT-Tau-Std-k falls and GT-Tau-Mean-k rises compared with full sharing. Compare both on the sharing chart, next to the paper\'s Table 3.',
    config: tiny((c) => {
      c.name = 'less-sharing';
      c.sharing = { kind: 'groups', m: 4, partition: 'similarity', partitionSeed: 42 };
    }),
  },
];

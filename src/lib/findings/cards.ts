// The gallery's cards: each engine gallery config (one per finding) with what the page says about it.
import { GALLERY_CONFIGS, type FindingId, type GalleryConfig } from '../../engine/findings/gallery';

export interface GalleryPreset extends GalleryConfig {
  title: string;
  /** The paper's claim, one sentence. */
  claim: string;
  /** What to look at in the charts. */
  lookAt: string;
  /** The charts this finding is about, in order. */
  charts: ChartId[];
}

export type ChartId = 'traces' | 'tau' | 'spread' | 'best' | 'finetune' | 'lag' | 'sharing';

const TEXT: Record<FindingId, Pick<GalleryPreset, 'title' | 'claim' | 'lookAt' | 'charts'>> = {
  'best-varies': {
    title: 'The best child varies',
    claim:
      'The paper’s finding 1: the child ranked best changes from seed to seed and from epoch to epoch; ' +
      'instances agree far less than the ground truth’s seeds do.',
    lookAt:
      'Three instances that differ only in their seed. “Who gets picked as best” counts how often they agree ' +
      'on the winner; in “Agreement over epochs”, compare the S-Tau curve with the ground truth’s own ' +
      'agreement (the dashed noise floor): the paper finds it well below.',
    charts: ['best', 'tau', 'traces'],
  },
  signal: {
    title: 'There is still signal',
    claim:
      'The paper’s finding 2: the ranking still carries signal — bad children are reliably ranked bad, and ' +
      'a short fine-tune of each child recovers much of the true order.',
    lookAt:
      '“Rank spread”: do the children on the right (bad in the ground truth) stay low in every instance while ' +
      'good ones mix? “Fine-tune”: does GT-Tau rise within a few steps of training each child alone?',
    charts: ['spread', 'finetune', 'tau'],
  },
  interference: {
    title: 'Interference',
    claim:
      'The paper’s finding 3: training one child reorders the others — with a fixed order the ranking ' +
      'repeats every period (64 steps), and the child just trained tends to jump up.',
    lookAt:
      'The dense traces: does the child just trained (◆) rise after its step? “Agreement with lag”: the ' +
      'paper’s own trace peaks at the period (64 steps) for the fixed order; compare ours, and the same run ' +
      'with the order reshuffled each period.',
    charts: ['traces', 'lag'],
  },
  'less-sharing': {
    title: 'Less sharing, less variance',
    claim:
      'The paper’s finding 4: reducing sharing — groups of similar children, or sharing only a prefix — ' +
      'makes the ranking closer to the ground truth and steadier from step to step.',
    lookAt:
      'This run splits the children into 4 groups of similar architectures, each with its own weights. The ' +
      'sharing chart: GT-Tau-Mean-64 (dot) and Std-64 (bar) for it, full sharing, other groups and prefix ' +
      'sharing (recorded), next to the paper’s Table 3 — is less sharing higher and steadier here too?',
    charts: ['sharing', 'traces'],
  },
};

export const GALLERY: GalleryPreset[] = GALLERY_CONFIGS.map((g) => ({ ...g, ...TEXT[g.id] }));

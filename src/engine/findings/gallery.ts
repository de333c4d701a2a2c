// The gallery: one experiment per finding of the paper, as configs the page, the CLI's `findings`
// and the shipped recordings (public/runs/) share. The page's card texts live in lib/state/presets.ts.
import type { ExperimentConfig } from '../schema/config';
import { preset } from '../schema/scales';

export type FindingId = 'best-varies' | 'signal' | 'interference' | 'less-sharing';

export interface GalleryConfig {
  id: FindingId;
  finding: 1 | 2 | 3 | 4;
  config: ExperimentConfig;
  /** The same experiment with one thing changed, recorded beside it (e.g. the reshuffled order). */
  contrasts: { label: string; config: ExperimentConfig }[];
}

function tiny(name: string, over: (c: ExperimentConfig) => void): ExperimentConfig {
  const c = preset('tiny');
  c.name = name;
  over(c);
  return c;
}

const interference = tiny('interference', (c) => {
  c.train.order = 'fixed';
  c.eval.denseSteps = 128;
});

/** A contrast of finding 4: the children split into m groups (by similarity or at random). */
function groups(m: number, partition: 'similarity' | 'random'): GalleryConfig['contrasts'][number] {
  const name = `less-sharing-${partition === 'similarity' ? 'sim' : 'rand'}${m}`;
  return {
    label: `groups m=${m} (${partition})`,
    config: tiny(name, (c) => {
      c.sharing = { kind: 'groups', m, partition, partitionSeed: 42 };
      c.eval.denseSteps = 64;
    }),
  };
}

export const GALLERY_CONFIGS: GalleryConfig[] = [
  {
    id: 'best-varies',
    finding: 1,
    config: tiny('best-varies', (c) => {
      c.instances = 3;
      c.vary = 'seed';
      c.eval.denseSteps = 32;
    }),
    contrasts: [],
  },
  {
    id: 'signal',
    finding: 2,
    config: tiny('signal', (c) => {
      c.instances = 2;
      c.eval.denseSteps = 0;
      c.finetune.steps = 8;
    }),
    contrasts: [],
  },
  {
    id: 'interference',
    finding: 3,
    config: interference,
    contrasts: [
      {
        label: 'order reshuffled each period',
        config: {
          ...structuredClone(interference),
          name: 'interference-shuffled',
          train: { ...interference.train, order: 'shuffle-period' },
        },
      },
    ],
  },
  {
    // The live run is groups of 4 similar children (the paper's Table 3a); prefix sharing is a recorded contrast:
    // with k = 0 every child's cell gets only its own 8 updates here (the paper needed 2,000 epochs for it), and
    // evaluating 64 unshared cells densely made the live run the slowest of the gallery (111–132 s against 2 min).
    id: 'less-sharing',
    finding: 4,
    config: groups(4, 'similarity').config,
    contrasts: [
      { label: 'full sharing', config: tiny('less-sharing-full', (c) => (c.eval.denseSteps = 64)) },
      groups(8, 'similarity'),
      groups(4, 'random'),
      {
        label: 'prefix k=0',
        config: tiny('less-sharing-prefix0', (c) => {
          c.sharing = { kind: 'prefix', k: 0 };
          c.eval.denseSteps = 64;
        }),
      },
    ],
  },
];

export const galleryConfig = (id: string) => GALLERY_CONFIGS.find((g) => g.id === id);

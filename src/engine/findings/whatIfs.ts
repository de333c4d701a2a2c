// The what-ifs a lesson reaches from each card, for the gallery to record (`gallery --what-ifs`): the card's own
// experiment with one thing changed — the child order, the degree of sharing (m = 1, 4, 16, 64 similarity groups
// and prefix sharing) or the supernet's seed (1–4). A what-if with a recording draws at once in the page; the rest
// run live. Each changes the supernet only, so each keeps its card's ground truth.
import { experimentHash, type ExperimentConfig } from '../schema/config';
import { ORDER_IDS } from '../space/orders';
import type { SharingPolicy } from '../space/sharing';
import type { FindingDef } from './findingDef';
import { FINDINGS, galleryConfigs } from './registry';

/** The sharing degrees a lesson compares: full (m = 1), similarity groups of 4 and 16, none (m = 64), prefix. */
const SHARINGS: SharingPolicy[] = [
  { kind: 'full' },
  { kind: 'groups', m: 4, partition: 'similarity', partitionSeed: 42 },
  { kind: 'groups', m: 16, partition: 'similarity', partitionSeed: 42 },
  { kind: 'none' },
  { kind: 'prefix', k: 0 },
];
/** The orders the paper compares (uniform draws are ours, left to live runs). */
const ORDERS = ORDER_IDS.filter((o) => o !== 'uniform');
const SEEDS = [1, 2, 3, 4];

/** One card's what-ifs, each named by what it changes; none equals the card's experiment or another what-if. */
export function whatIfsOf(g: FindingDef): ExperimentConfig[] {
  const base = g.config;
  const named = (what: string, c: ExperimentConfig): ExperimentConfig => ({ ...c, name: `${g.id}-whatif-${what}` });
  const all = [
    ...ORDERS.map((order) => named(`order-${order}`, { ...base, train: { ...base.train, order } })),
    ...SHARINGS.map((sharing) =>
      named(`sharing-${Object.values(sharing).join('-')}`, { ...base, sharing: structuredClone(sharing) }),
    ),
    ...SEEDS.map((seed) => named(`seed-${seed}`, { ...base, seed })),
  ];
  return distinct(all, [base]);
}

/** Every card's what-ifs that the gallery does not already record, each experiment once. */
export function whatIfConfigs(): ExperimentConfig[] {
  return distinct(FINDINGS.flatMap(whatIfsOf), galleryConfigs());
}

/** The configs whose experiment is not among `known` nor an earlier one of the list. */
function distinct(configs: ExperimentConfig[], known: ExperimentConfig[]): ExperimentConfig[] {
  const seen = new Set(known.map(experimentHash));
  return configs.filter((c) => {
    const h = experimentHash(c);
    if (seen.has(h)) return false;
    seen.add(h);
    return true;
  });
}

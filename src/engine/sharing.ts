// Weight sharing as one mechanism: a map (child, slot) → weight-copy key. Two children read the
// same tensor exactly when their keys agree. BN running statistics and SGD momenta follow the
// same keys, so "unshared" always means unshared state too.
import type { ExperimentConfig, SharingPolicy } from './config';
import { Rng } from './rng';
import { NUM_CHILDREN } from './searchSpace';
import type { SlotDef } from './slots';

/**
 * Group of each child (0..m-1). 'similarity' = contiguous lexicographic slices (the paper's
 * `i // (64/m)`); 'random' = [i % m for i in 0..63] shuffled from the partition seed.
 */
export function groupMap(policy: SharingPolicy): number[] {
  switch (policy.kind) {
    case 'groups': {
      const { m } = policy;
      const base = Array.from({ length: NUM_CHILDREN }, (_, i) => i % m);
      if (policy.partition === 'similarity') return Array.from({ length: NUM_CHILDREN }, (_, i) => Math.floor(i / (NUM_CHILDREN / m)));
      return Rng.from(policy.partitionSeed, 'partition').shuffle(base);
    }
    case 'none':
      return Array.from({ length: NUM_CHILDREN }, (_, i) => i);
    default:
      return new Array(NUM_CHILDREN).fill(0);
  }
}

/** Children trained together on one schedule. Groups / none give independent jobs; the rest one job of all 64. */
export function jobsOf(policy: SharingPolicy): number[][] {
  const g = groupMap(policy);
  const n = Math.max(...g) + 1;
  const jobs: number[][] = Array.from({ length: n }, () => []);
  g.forEach((grp, child) => jobs[grp].push(child));
  return jobs;
}

export type CopyKeyFn = (child: number, slot: SlotDef) => string;

export function copyKeyFn(cfg: ExperimentConfig): CopyKeyFn {
  const p = cfg.sharing;
  const g = groupMap(p);
  const perChild = (child: number, s: SlotDef) => `${s.name}#c${child}`;
  const shared = (_child: number, s: SlotDef) => s.name;
  switch (p.kind) {
    case 'full':
      return shared;
    case 'none':
      return perChild;
    case 'groups':
      return (child, s) => `${s.name}#g${g[child]}`;
    case 'prefix':
      // Stem and cells < k shared; later cells and the classifier are each child's own.
      return (child, s) => (s.cell < p.k ? shared(child, s) : perChild(child, s));
    case 'unshare-bn':
      return (child, s) => (s.kind === 'bn-affine' || s.kind === 'bn-stat' ? perChild(child, s) : shared(child, s));
    case 'conv-only':
      return (child, s) => (s.kind === 'conv' ? shared(child, s) : perChild(child, s));
  }
}

/** Short human label of a policy, e.g. "groups m=16 (random)". */
export function policyLabel(p: SharingPolicy): string {
  switch (p.kind) {
    case 'groups':
      return `groups m=${p.m} (${p.partition})`;
    case 'prefix':
      return `prefix k=${p.k}`;
    default:
      return p.kind;
  }
}

// Weight sharing as one mechanism: a map (child, slot) → weight-copy key. Two children read the
// same tensor exactly when their keys agree. BN running statistics and SGD momenta follow the
// same keys, so "unshared" always means unshared state too.
//
// SHARING is the one registry of policies: the config schema, the CLI's parser and usage, the
// page's controls and the charts' labels and sharing degree all list from it.
import * as v from 'valibot';
import { Rng } from '../core/rng';
import type { SearchSpace } from './searchSpace';
import type { SlotDef } from './slotDef';

const int = (lo: number, hi: number) => v.pipe(v.number(), v.integer(), v.minValue(lo), v.maxValue(hi));

const SCHEMAS = {
  full: v.strictObject({ kind: v.literal('full') }),
  groups: v.strictObject({
    kind: v.literal('groups'),
    m: int(1, 4096),
    partition: v.picklist(['random', 'similarity']),
    partitionSeed: int(0, 2 ** 31 - 1),
  }),
  prefix: v.strictObject({ kind: v.literal('prefix'), k: int(0, 64) }),
  'unshare-bn': v.strictObject({ kind: v.literal('unshare-bn') }),
  'conv-only': v.strictObject({ kind: v.literal('conv-only') }),
  none: v.strictObject({ kind: v.literal('none') }),
};

type StaticSchema = v.VariantSchema<'kind', (typeof SCHEMAS)[keyof typeof SCHEMAS][], undefined>;
export type SharingPolicy = v.InferOutput<StaticSchema>;
export type SharingKind = SharingPolicy['kind'];
type PolicyOf<K extends SharingKind> = Extract<SharingPolicy, { kind: K }>;

export type CopyKeyFn = (child: number, slot: SlotDef) => string;

/** A control the page shows for a policy parameter. */
export interface PolicyParam {
  key: string;
  label: string;
  /** The values offered, for the space and the number of cells of the model. */
  options(space: SearchSpace, numCells: number): (string | number)[];
}

export interface PolicyDef<K extends SharingKind = SharingKind> {
  kind: K;
  /** The policy object's schema (part of the config schema). */
  schema: v.GenericSchema<unknown, PolicyOf<K>>;
  /** Name in menus. */
  title: string;
  /** One sentence for the page and the CLI usage. */
  help: string;
  defaults: PolicyOf<K>;
  params: PolicyParam[];
  /** Short label of a policy, e.g. "groups m=16 (random)". */
  label(p: PolicyOf<K>): string;
  /** CLI text ("groups:16:random") and back. */
  format(p: PolicyOf<K>): string;
  parse(args: string[]): PolicyOf<K>;
  /** Weight copies per op slot: the sharing degree on Table 3's axis (1 = full … children = none). */
  copies(p: PolicyOf<K>, space: SearchSpace): number;
  /** Group of each child; each group trains as an independent job. */
  groupMap(p: PolicyOf<K>, space: SearchSpace): number[];
  keyFn(p: PolicyOf<K>, groups: number[]): CopyKeyFn;
  /** A cross-field rule, or undefined when the policy fits the space and model. */
  check?(p: PolicyOf<K>, space: SearchSpace, numCells: number): string | undefined;
}

const one = (space: SearchSpace) => new Array<number>(space.numChildren).fill(0);
const perChild: CopyKeyFn = (child, s) => `${s.name}#c${child}`;
const shared: CopyKeyFn = (_child, s) => s.name;
/** Quoted for a message: control characters dropped, at most 40 characters. */
const quote = (s: string) => {
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  const t = s.replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, '');
  return `'${t.length > 40 ? `${t.slice(0, 39)}…` : t}'`;
};
/** A whole number written in decimal digits (not 0x10, 1e1, ' 4' or 4.0). */
const number = (s: string | undefined, what: string) => {
  if (s === undefined || !/^\d{1,9}$/.test(s)) throw new Error(`${what} must be a whole number, got ${quote(s ?? '')}`);
  return Number(s);
};
const divisors = (n: number) => Array.from({ length: n }, (_, i) => i + 1).filter((d) => n % d === 0);
const simple = <K extends 'full' | 'unshare-bn' | 'conv-only'>(
  kind: K,
  title: string,
  help: string,
  keyFn: CopyKeyFn,
): PolicyDef<K> => ({
  kind,
  schema: SCHEMAS[kind] as unknown as v.GenericSchema<unknown, PolicyOf<K>>,
  title,
  help,
  defaults: { kind } as PolicyOf<K>,
  params: [],
  label: () => kind,
  format: () => kind,
  parse: () => ({ kind }) as PolicyOf<K>,
  copies: () => 1,
  groupMap: (_p, space) => one(space),
  keyFn: () => keyFn,
});

export const SHARING: { [K in SharingKind]: PolicyDef<K> } = {
  full: simple('full', 'full sharing', 'every child reads one copy of each op (the paper’s supernet)', shared),
  groups: {
    kind: 'groups',
    schema: SCHEMAS.groups,
    title: 'm groups',
    help: 'children split into m groups, each trained alone with its own copy of every weight (paper §4.2)',
    defaults: { kind: 'groups', m: 4, partition: 'similarity', partitionSeed: 42 },
    params: [
      { key: 'm', label: 'm', options: (space) => divisors(space.numChildren) },
      { key: 'partition', label: 'grouping', options: () => ['similarity', 'random'] },
    ],
    label: (p) => `groups m=${p.m} (${p.partition})`,
    format: (p) => `groups:${p.m}:${p.partition}`,
    parse: ([m, partition = 'random']) => {
      if (partition !== 'random' && partition !== 'similarity')
        throw new Error(`groups: grouping must be random or similarity, got '${partition}'`);
      return { kind: 'groups', m: number(m, 'groups: m'), partition, partitionSeed: 42 };
    },
    copies: (p) => p.m,
    // 'similarity' = contiguous lexicographic slices (the paper's i // (n/m)); 'random' = [i % m] shuffled from the
    // seed.
    groupMap: (p, space) => {
      const n = space.numChildren;
      if (p.partition === 'similarity') return Array.from({ length: n }, (_, i) => Math.floor(i / (n / p.m)));
      return Rng.from(p.partitionSeed, 'partition').shuffle(Array.from({ length: n }, (_, i) => i % p.m));
    },
    keyFn: (_p, g) => (child, s) => `${s.name}#g${g[child]}`,
    check: (p, space) =>
      space.numChildren % p.m === 0 ? undefined : `m must divide the ${space.numChildren} children`,
  },
  prefix: {
    kind: 'prefix',
    schema: SCHEMAS.prefix,
    title: 'prefix k',
    help: 'stem and the first k cells shared, later cells and the classifier per child (paper §4.3)',
    defaults: { kind: 'prefix', k: 0 },
    params: [
      { key: 'k', label: 'k (shared cells)', options: (_s, cells) => Array.from({ length: cells + 1 }, (_, i) => i) },
    ],
    label: (p) => `prefix k=${p.k}`,
    format: (p) => `prefix:${p.k}`,
    parse: ([k]) => ({ kind: 'prefix', k: number(k, 'prefix: k') }),
    copies: (_p, space) => space.numChildren,
    groupMap: (_p, space) => one(space),
    keyFn: (p) => (child, s) => (s.cell < p.k ? shared(child, s) : perChild(child, s)),
    check: (p, _space, cells) => (p.k <= cells ? undefined : `k must be in 0..${cells} (the model has ${cells} cells)`),
  },
  'unshare-bn': simple(
    'unshare-bn',
    'unshare BN',
    'weights shared, BatchNorm statistics and affine parameters per child',
    (child, s) => (s.kind === 'bn-affine' || s.kind === 'bn-stat' ? perChild(child, s) : shared(child, s)),
  ),
  'conv-only': simple(
    'conv-only',
    'share convs only',
    'only convolution weights shared; BN and the classifier per child',
    (child, s) => (s.kind === 'conv' ? shared(child, s) : perChild(child, s)),
  ),
  none: {
    kind: 'none',
    schema: SCHEMAS.none,
    title: 'none (stand-alone)',
    help: 'every child trained alone: the ground truth’s setting (children × the cost of one run)',
    defaults: { kind: 'none' },
    params: [],
    label: () => 'none',
    format: () => 'none',
    parse: () => ({ kind: 'none' }),
    copies: (_p, space) => space.numChildren,
    groupMap: (_p, space) => Array.from({ length: space.numChildren }, (_, i) => i),
    keyFn: () => perChild,
  },
};

/** The kinds in the registry, now (a policy added to SHARING at run time is listed too). */
export const sharingKinds = (): SharingKind[] => Object.keys(SHARING) as SharingKind[];
export const SHARING_KINDS = sharingKinds();

/** The config schema's sharing field: a variant over whatever the registry holds when a config is checked. */
export const sharingSchema = v.lazy(() =>
  v.variant(
    'kind',
    Object.values(SHARING as Record<string, PolicyDef>).map((d) => d.schema) as unknown as StaticSchema['options'],
    'must be a known sharing policy',
  ),
) as unknown as StaticSchema;

/** The registry entry of a kind, if there is one: own entries only (not __proto__, toString…). */
export const sharingDef = (kind: string): PolicyDef | undefined =>
  Object.hasOwn(SHARING, kind) ? (SHARING as Record<string, PolicyDef>)[kind] : undefined;

const def = <K extends SharingKind>(p: PolicyOf<K>) => {
  const d = sharingDef(p.kind);
  if (!d) throw new Error(`unknown sharing policy ${quote(String(p.kind))}`);
  return d as unknown as PolicyDef<K>;
};

/** Short human label of a policy, e.g. "groups m=16 (random)". */
export const policyLabel = (p: SharingPolicy): string => def(p).label(p);
export const policyText = (p: SharingPolicy): string => def(p).format(p);
export const policyCopies = (p: SharingPolicy, space: SearchSpace): number => def(p).copies(p, space);
export const policyCheck = (p: SharingPolicy, space: SearchSpace, numCells: number): string | undefined =>
  def(p).check?.(p, space, numCells);

/** Parses CLI text such as "groups:16:random", "prefix:0" or "full". */
export function parseSharing(text: string): SharingPolicy {
  const [kind, ...args] = text.split(':');
  const d = sharingDef(kind);
  if (!d)
    throw new Error(
      `unknown sharing policy ${quote(text)} (known: ${sharingKinds()
        .map((k) => SHARING[k].format(SHARING[k].defaults as never))
        .join(', ')})`,
    );
  // Each parameter has its place; more than the policy takes (none:extra) is a typo, not something to ignore.
  if (args.length > d.params.length)
    throw new Error(
      `sharing policy ${quote(text)}: ${kind} takes ` +
        `${d.params.length ? `at most ${d.params.length} parameter(s)` : 'no parameters'} ` +
        `(e.g. ${d.format(d.defaults)})`,
    );
  const r = v.safeParse(sharingSchema, d.parse(args));
  if (!r.success) throw new Error(`sharing policy ${quote(text)}: ${r.issues[0].message}`);
  return r.output;
}

/** Group of each child (0..groups-1). */
export function groupMap(p: SharingPolicy, space: SearchSpace): number[] {
  return def(p).groupMap(p, space);
}

/** Children trained together on one schedule: one job per group. */
export function jobsOf(p: SharingPolicy, space: SearchSpace): number[][] {
  const g = groupMap(p, space);
  const jobs: number[][] = Array.from({ length: Math.max(...g) + 1 }, () => []);
  g.forEach((grp, child) => jobs[grp].push(child));
  return jobs;
}

export function copyKeyFn(p: SharingPolicy, space: SearchSpace): CopyKeyFn {
  return def(p).keyFn(p, groupMap(p, space));
}

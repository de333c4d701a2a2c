// A search space: a cell of 3 edges, each picking one op of a list (ops.ts); children are named by
// one digit per edge, 1-based, so the paper's 4 ops give '111'…'444' (64 children).
import { opDef, type OpDef } from './ops';

/** The paper's ops in digit order: 1 = max-pool, 2 = sep 3×3, 3 = sep 5×5, 4 = dil 5×5. */
export const PAPER_OPS = ['max_pool_3x3', 'sep_conv_3x3', 'sep_conv_5x5', 'dil_conv_5x5'] as const;

/** Edges in digit order: O(0,1), O(0,2), O(1,2) — x1 = O(0,1)(x0), x2 = O(0,2)(x0) + O(1,2)(x1). */
export const EDGES = ['O(0,1)', 'O(0,2)', 'O(1,2)'] as const;
export const NUM_EDGES = EDGES.length;
/** One digit per op in a name. */
export const MAX_OPS = 9;

/** Op indices (0-based) of a child, one per edge. */
export type Arch = readonly number[];

export interface SearchSpace {
  readonly opIds: readonly string[];
  readonly ops: readonly OpDef[];
  readonly numOps: number;
  readonly numChildren: number;
  /** Child names in index order (lexicographic: the first edge varies slowest). */
  readonly names: readonly string[];
  arch(index: number): Arch;
  name(index: number): string;
  index(name: string): number;
  /** Fraction of edges on which two children pick the same op (the paper's similarity). */
  similarity(a: number, b: number): number;
}

const cache = new Map<string, SearchSpace>();

export function searchSpace(opIds: readonly string[] = PAPER_OPS): SearchSpace {
  const key = opIds.join(',');
  const hit = cache.get(key);
  if (hit) return hit;
  if (opIds.length < 1 || opIds.length > MAX_OPS)
    throw new RangeError(`a search space has 1..${MAX_OPS} ops, got ${opIds.length}`);
  if (new Set(opIds).size !== opIds.length) throw new RangeError(`ops repeat in [${key}]`);
  const ops = opIds.map(opDef);
  const n = ops.length;
  const numChildren = n ** NUM_EDGES;
  const arch = (index: number): Arch => {
    if (!Number.isInteger(index) || index < 0 || index >= numChildren)
      throw new RangeError(`child index ${index} out of range 0..${numChildren - 1}`);
    return Array.from({ length: NUM_EDGES }, (_, e) => Math.floor(index / n ** (NUM_EDGES - 1 - e)) % n);
  };
  const name = (index: number) =>
    arch(index)
      .map((o) => o + 1)
      .join('');
  const pattern = new RegExp(`^[1-${n}]{${NUM_EDGES}}$`);
  const space: SearchSpace = {
    opIds: [...opIds],
    ops,
    numOps: n,
    numChildren,
    names: Array.from({ length: numChildren }, (_, i) => name(i)),
    arch,
    name,
    index(s: string) {
      if (!pattern.test(s)) throw new RangeError(`child name '${s}' is not ${NUM_EDGES} digits 1-${n}`);
      return [...s].reduce((acc, d) => acc * n + (+d - 1), 0);
    },
    similarity(a: number, b: number) {
      const x = arch(a);
      const y = arch(b);
      return x.filter((o, i) => o === y[i]).length / NUM_EDGES;
    },
  };
  cache.set(key, space);
  return space;
}

/** The paper's space (64 children). */
export const PAPER_SPACE = searchSpace(PAPER_OPS);

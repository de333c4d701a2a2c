// The paper's search space: a cell of 3 edges, each picking one of 4 ops; children '111'…'444'.

export const OPS = ['max_pool_3x3', 'sep_conv_3x3', 'sep_conv_5x5', 'dil_conv_5x5'] as const;
export type OpName = (typeof OPS)[number];
export const OP_LABELS: Record<OpName, string> = {
  max_pool_3x3: 'max-pool 3×3',
  sep_conv_3x3: 'sep-conv 3×3',
  sep_conv_5x5: 'sep-conv 5×5',
  dil_conv_5x5: 'dil-conv 5×5 (d=2)',
};
/** Edges in digit order: O(0,1), O(0,2), O(1,2). */
export const EDGES = ['O(0,1)', 'O(0,2)', 'O(1,2)'] as const;
export const NUM_EDGES = 3;
export const NUM_OPS = 4;
export const NUM_CHILDREN = NUM_OPS ** NUM_EDGES; // 64

/** Op indices (0-based) of a child, one per edge. */
export type Arch = readonly [number, number, number];

export function childArch(index: number): Arch {
  if (!Number.isInteger(index) || index < 0 || index >= NUM_CHILDREN) throw new RangeError(`child index ${index} out of range`);
  return [Math.floor(index / 16), Math.floor(index / 4) % 4, index % 4];
}

export function childName(index: number): string {
  return childArch(index)
    .map((o) => o + 1)
    .join('');
}

export function childIndex(name: string): number {
  if (!/^[1-4]{3}$/.test(name)) throw new RangeError(`child name '${name}' is not three digits 1-4`);
  return (+name[0] - 1) * 16 + (+name[1] - 1) * 4 + (+name[2] - 1);
}

export const CHILD_NAMES: readonly string[] = Array.from({ length: NUM_CHILDREN }, (_, i) => childName(i));

/** Fraction of edges on which two children pick the same op (the paper's similarity). */
export function archSimilarity(a: number, b: number): number {
  const x = childArch(a);
  const y = childArch(b);
  return x.filter((o, i) => o === y[i]).length / NUM_EDGES;
}

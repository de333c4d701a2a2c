// The candidate operations, each defined once: names, labels, parameter slots and forward pass.
// A search space is a list of these ids (searchSpace.ts); slots, the network, the cell diagram and
// the child names all derive from it. Modelled on DARTS's OPS dict (cnn/operations.py).
// The forward passes are written against a small kit of layers (layers.ts supplies the tfjs one),
// so this table — and everything that lists ops, the page included — loads without tfjs.

/** Where a block's ReLU goes: before it (DARTS), also after its BN, or nowhere (the block before applied it). */
export type BlockRelu = 'in' | 'in-out' | 'none';

/** The layers an op is built from; `p` prefixes slot names. */
export interface Kit<T> {
  /** ReLU → depthwise k×k (dilation d, kernel from `${p}.dw`) → pointwise (`${p}.pw`) → BN (`${p}.bn`). */
  reluDwPwBn(x: T, p: string, dilation: number, reluAt?: BlockRelu): T;
  /** BatchNorm without affine parameters (statistics `${name}.mean/.var`). */
  bn(x: T, name: string): T;
  maxPool3x3(x: T): T;
  avgPool3x3(x: T): T;
}

export type SlotKind = 'conv' | 'bn-affine' | 'bn-stat' | 'linear';

/** A parameter tensor of an op, named relative to the op's prefix (`cell0.e1.o2`). */
export interface OpSlot {
  suffix: string;
  shape: number[];
  kind: SlotKind;
  trainable: boolean;
  /** Fan-in for PyTorch-default uniform init (bound 1/√fanIn); 0 = constant init. */
  fanIn: number;
  /** Constant init value when fanIn is 0. */
  fill: number;
}

export interface OpDef {
  readonly id: string;
  /** Long label, e.g. "sep-conv 3×3". */
  readonly label: string;
  /** Short label for diagrams, e.g. "sep 3×3". */
  readonly short: string;
  /** Parameter slots for c channels (empty for parameter-free ops). */
  slots(c: number): OpSlot[];
  /** The op on x (channels preserved, stride 1); `p` prefixes its slot names. */
  forward<T>(k: Kit<T>, x: T, p: string): T;
}

/** BN running statistics (affine = false, as DARTS's search-phase ops). */
export function bnStatSlots(prefix: string, c: number): OpSlot[] {
  return [
    { suffix: `${prefix}.mean`, shape: [c], kind: 'bn-stat', trainable: false, fanIn: 0, fill: 0 },
    { suffix: `${prefix}.var`, shape: [c], kind: 'bn-stat', trainable: false, fanIn: 0, fill: 1 },
  ];
}

/** Slots of one ReLU-depthwise-pointwise-BN block with a k×k depthwise kernel. */
function dwPwSlots(prefix: string, k: number, c: number): OpSlot[] {
  const conv = (suffix: string, shape: number[], fanIn: number): OpSlot => ({
    suffix,
    shape,
    kind: 'conv',
    trainable: true,
    fanIn,
    fill: 0,
  });
  return [conv(`${prefix}dw`, [k, k, c, 1], k * k), conv(`${prefix}pw`, [c, c], c), ...bnStatSlots(`${prefix}bn`, c)];
}

const sepConv = (k: number): Pick<OpDef, 'slots' | 'forward'> => ({
  slots: (c) => [...dwPwSlots('b0.', k, c), ...dwPwSlots('b1.', k, c)],
  // The second block's ReLU is applied by the first, fused into its BN (the same numbers, one pass fewer).
  forward: (k, x, p) => k.reluDwPwBn(k.reluDwPwBn(x, `${p}.b0`, 1, 'in-out'), `${p}.b1`, 1, 'none'),
});

const dilConv = (k: number): Pick<OpDef, 'slots' | 'forward'> => ({
  slots: (c) => dwPwSlots('', k, c),
  forward: (k, x, p) => k.reluDwPwBn(x, p, 2),
});

const pool = (kind: 'maxPool3x3' | 'avgPool3x3'): Pick<OpDef, 'slots' | 'forward'> => ({
  slots: (c) => bnStatSlots('bn', c),
  forward: (k, x, p) => k.bn(k[kind](x), `${p}.bn`),
});

export const OP_TABLE = {
  max_pool_3x3: { id: 'max_pool_3x3', label: 'max-pool 3×3', short: 'max-pool 3×3', ...pool('maxPool3x3') },
  sep_conv_3x3: { id: 'sep_conv_3x3', label: 'sep-conv 3×3', short: 'sep 3×3', ...sepConv(3) },
  sep_conv_5x5: { id: 'sep_conv_5x5', label: 'sep-conv 5×5', short: 'sep 5×5', ...sepConv(5) },
  dil_conv_5x5: { id: 'dil_conv_5x5', label: 'dil-conv 5×5 (d=2)', short: 'dil 5×5', ...dilConv(5) },
  // Not in the paper's space; DARTS's other candidates, for spaces of other sizes.
  dil_conv_3x3: { id: 'dil_conv_3x3', label: 'dil-conv 3×3 (d=2)', short: 'dil 3×3', ...dilConv(3) },
  avg_pool_3x3: { id: 'avg_pool_3x3', label: 'avg-pool 3×3', short: 'avg-pool 3×3', ...pool('avgPool3x3') },
  skip_connect: { id: 'skip_connect', label: 'skip connection', short: 'skip', slots: () => [], forward: (_k, x) => x },
} satisfies Record<string, OpDef>;

export type OpId = keyof typeof OP_TABLE;
export const OP_IDS = Object.keys(OP_TABLE) as OpId[];

export function opDef(id: string): OpDef {
  const d = (OP_TABLE as Record<string, OpDef>)[id];
  if (!d) throw new RangeError(`unknown op '${id}' (known: ${OP_IDS.join(', ')})`);
  return d;
}

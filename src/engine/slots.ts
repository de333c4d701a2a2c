// Parameter slots of the supernet: every tensor the model can read, named and shaped.
// A slot is a *role* ("cell 2, edge 1, op sep_conv_3x3, depthwise 0"); which weight copy fills the
// role for a given child is the sharing policy's business (sharing.ts).
import type { ModelConfig } from './config';
import type { Arch } from './searchSpace';

export type SlotKind = 'conv' | 'bn-affine' | 'bn-stat' | 'linear';

export interface SlotDef {
  name: string;
  shape: number[];
  kind: SlotKind;
  trainable: boolean;
  /** -1 = stem, 0..numCells-1 = cells, numCells = head. */
  cell: number;
  /** Set for op slots: which edge and op they belong to. */
  edge?: number;
  op?: number;
  /** Fan-in for PyTorch-default uniform init (bound 1/√fanIn); 0 = constant init. */
  fanIn: number;
  /** Constant init value when fanIn is 0. */
  fill: number;
}

function bnSlots(prefix: string, c: number, cell: number, affine: boolean, extra: Partial<SlotDef> = {}): SlotDef[] {
  const s: SlotDef[] = [];
  if (affine) {
    s.push({ name: `${prefix}.gamma`, shape: [c], kind: 'bn-affine', trainable: true, cell, fanIn: 0, fill: 1, ...extra });
    s.push({ name: `${prefix}.beta`, shape: [c], kind: 'bn-affine', trainable: true, cell, fanIn: 0, fill: 0, ...extra });
  }
  s.push({ name: `${prefix}.mean`, shape: [c], kind: 'bn-stat', trainable: false, cell, fanIn: 0, fill: 0, ...extra });
  s.push({ name: `${prefix}.var`, shape: [c], kind: 'bn-stat', trainable: false, cell, fanIn: 0, fill: 1, ...extra });
  return s;
}

/** Slots of one op on one edge of one cell (names match forward.ts). */
export function opSlots(cell: number, edge: number, op: number, c: number): SlotDef[] {
  const p = `cell${cell}.e${edge}.o${op}`;
  const tag = { edge, op };
  const conv = (name: string, shape: number[], fanIn: number): SlotDef => ({ name, shape, kind: 'conv', trainable: true, cell, fanIn, fill: 0, ...tag });
  switch (op) {
    case 0:
      return bnSlots(`${p}.bn`, c, cell, false, tag);
    case 1:
    case 2: {
      const k = op === 1 ? 3 : 5;
      return [0, 1].flatMap((j) => [conv(`${p}.b${j}.dw`, [k, k, c, 1], k * k), conv(`${p}.b${j}.pw`, [c, c], c), ...bnSlots(`${p}.b${j}.bn`, c, cell, false, tag)]);
    }
    case 3:
      return [conv(`${p}.dw`, [5, 5, c, 1], 25), conv(`${p}.pw`, [c, c], c), ...bnSlots(`${p}.bn`, c, cell, false, tag)];
    default:
      throw new RangeError(`op ${op}`);
  }
}

export function buildSlots(m: ModelConfig): SlotDef[] {
  const S = m.stemChannels;
  const C = m.cellChannels;
  const slots: SlotDef[] = [
    { name: 'stem.conv0', shape: [3, 3, 3, S], kind: 'conv', trainable: true, cell: -1, fanIn: 27, fill: 0 },
    ...bnSlots('stem.bn0', S, -1, true),
    { name: 'stem.conv1', shape: [3, 3, S, S], kind: 'conv', trainable: true, cell: -1, fanIn: 9 * S, fill: 0 },
    ...bnSlots('stem.bn1', S, -1, true),
  ];
  for (let l = 0; l < m.numCells; l++) {
    const cin = l === 0 ? S : 2 * C;
    slots.push({ name: `cell${l}.pre.conv`, shape: [cin, C], kind: 'conv', trainable: true, cell: l, fanIn: cin, fill: 0 });
    slots.push(...bnSlots(`cell${l}.pre.bn`, C, l, false));
    for (let e = 0; e < 3; e++) for (let o = 0; o < 4; o++) slots.push(...opSlots(l, e, o, C));
  }
  const h = m.numCells;
  slots.push({ name: 'head.w', shape: [2 * C, m.numClasses], kind: 'linear', trainable: true, cell: h, fanIn: 2 * C, fill: 0 });
  slots.push({ name: 'head.b', shape: [m.numClasses], kind: 'linear', trainable: true, cell: h, fanIn: 2 * C, fill: 0 });
  return slots;
}

export function childUsesSlot(arch: Arch, s: SlotDef): boolean {
  return s.edge === undefined || arch[s.edge] === s.op;
}

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/** Trainable parameters of the whole supernet (one copy per slot) — 58,074 at paper scale. */
export function supernetParamCount(m: ModelConfig): number {
  return buildSlots(m)
    .filter((s) => s.trainable)
    .reduce((a, s) => a + size(s.shape), 0);
}

export function childParamCount(m: ModelConfig, arch: Arch): number {
  return buildSlots(m)
    .filter((s) => s.trainable && childUsesSlot(arch, s))
    .reduce((a, s) => a + size(s.shape), 0);
}

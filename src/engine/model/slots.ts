// Parameter slots of the supernet: every tensor the model can read, named and shaped.
// A slot is a *role* ("cell 2, edge 1, op sep_conv_3x3, depthwise 0"); which weight copy fills the
// role for a given child is the sharing policy's business (sharing.ts).
import type { ModelConfig } from '../schema/config';
import type { SlotDef } from '../space/slotDef';
import { bnStatSlots, type OpSlot } from '../space/ops';
import { NUM_EDGES, type Arch, type SearchSpace } from '../space/searchSpace';

/** Seed of the fixed stem (model.fixedStem): part of the model's definition, like its shapes. */
export const FIXED_INIT_SEED = 777;

/** Name prefix of op `o` on edge `e` of cell `l` (names match ops.ts and forward.ts). */
export const opPrefix = (cell: number, edge: number, op: number) => `cell${cell}.e${edge}.o${op}`;

const place = (prefix: string, cell: number, s: OpSlot, tag: Partial<SlotDef> = {}): SlotDef => ({
  name: `${prefix}.${s.suffix}`,
  shape: s.shape,
  kind: s.kind,
  trainable: s.trainable,
  cell,
  fanIn: s.fanIn,
  fill: s.fill,
  ...tag,
});

function bnSlots(prefix: string, c: number, cell: number, affine: boolean): SlotDef[] {
  const s: SlotDef[] = [];
  if (affine) {
    s.push({ name: `${prefix}.gamma`, shape: [c], kind: 'bn-affine', trainable: true, cell, fanIn: 0, fill: 1 });
    s.push({ name: `${prefix}.beta`, shape: [c], kind: 'bn-affine', trainable: true, cell, fanIn: 0, fill: 0 });
  }
  return [...s, ...bnStatSlots('', c).map((b) => ({ ...place(prefix, cell, b), name: `${prefix}${b.suffix}` }))];
}

/** The slots of op `o` of the space on edge `e` of cell `l`. */
export function opSlots(space: SearchSpace, cell: number, edge: number, op: number, c: number): SlotDef[] {
  const p = opPrefix(cell, edge, op);
  return space.ops[op].slots(c).map((s) => place(p, cell, s, { edge, op }));
}

/** A slot name that identifies the weight copy an op reads, or undefined for a parameter-free op. */
export function opCopySlot(space: SearchSpace, cell: number, edge: number, op: number): string | undefined {
  const first = space.ops[op].slots(1)[0];
  return first ? `${opPrefix(cell, edge, op)}.${first.suffix}` : undefined;
}

export function buildSlots(m: ModelConfig, space: SearchSpace, numClasses: number): SlotDef[] {
  const S = m.stemChannels;
  const C = m.cellChannels;
  // A fixed stem: random features the same in every run, so the runs differ only where the children do.
  const stem = m.fixedStem ? { trainable: false, fixedInit: true } : { trainable: true };
  const slots: SlotDef[] = [
    { name: 'stem.conv0', shape: [3, 3, 3, S], kind: 'conv', ...stem, cell: -1, fanIn: 27, fill: 0 },
    ...bnSlots('stem.bn0', S, -1, true),
    { name: 'stem.conv1', shape: [3, 3, S, S], kind: 'conv', ...stem, cell: -1, fanIn: 9 * S, fill: 0 },
    ...bnSlots('stem.bn1', S, -1, true),
  ];
  for (let l = 0; l < m.numCells; l++) {
    const cin = l === 0 ? S : 2 * C;
    slots.push({
      name: `cell${l}.pre.conv`,
      shape: [cin, C],
      kind: 'conv',
      trainable: true,
      cell: l,
      fanIn: cin,
      fill: 0,
    });
    slots.push(...bnSlots(`cell${l}.pre.bn`, C, l, false));
    for (let e = 0; e < NUM_EDGES; e++)
      for (let o = 0; o < space.numOps; o++) slots.push(...opSlots(space, l, e, o, C));
  }
  const h = m.numCells;
  slots.push({
    name: 'head.w',
    shape: [2 * C, numClasses],
    kind: 'linear',
    trainable: true,
    cell: h,
    fanIn: 2 * C,
    fill: 0,
  });
  slots.push({ name: 'head.b', shape: [numClasses], kind: 'linear', trainable: true, cell: h, fanIn: 2 * C, fill: 0 });
  return slots;
}

export function childUsesSlot(arch: Arch, s: SlotDef): boolean {
  return s.edge === undefined || arch[s.edge] === s.op;
}

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/**
 * Trainable parameters of the whole supernet (one copy per slot) — 58,074 at paper scale. Counted from shapes: no
 * tensors.
 */
export function supernetParamCount(m: ModelConfig, space: SearchSpace, numClasses: number): number {
  return buildSlots(m, space, numClasses)
    .filter((s) => s.trainable)
    .reduce((a, s) => a + size(s.shape), 0);
}

export function childParamCount(m: ModelConfig, space: SearchSpace, numClasses: number, arch: Arch): number {
  return buildSlots(m, space, numClasses)
    .filter((s) => s.trainable && childUsesSlot(arch, s))
    .reduce((a, s) => a + size(s.shape), 0);
}

// A parameter slot: a role in the supernet ("cell 2, edge 1, op sep_conv_3x3, depthwise 0"), named and shaped.
// Which weight copy fills it for a child is the sharing policy's business (sharing.ts); slots.ts lists them.
import type { SlotKind } from './ops';

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
  /** Drawn from FIXED_INIT_SEED instead of the run's seed: the same values in every run and child. */
  fixedInit?: boolean;
}

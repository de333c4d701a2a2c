// Fixed run records for tests of pure code (chart data, findings, links, snapshots): valid by the
// record schema, built from simple formulas so expected values can be worked out by hand.
import { configHash, type ExperimentConfig } from '../src/engine/schema/config';
import { summarizeGroundTruth } from '../src/engine/train/groundTruth';
import { RECORD_KIND, RECORD_SCHEMA_VERSION, type InstanceRecord, type RunRecord } from '../src/engine/schema/record';
import { validateRecord } from '../src/engine/schema/readRecord';
import { preset } from '../src/engine/schema/scales';
import { PAPER_SPACE } from '../src/engine/space/searchSpace';
import { computeMetrics } from '../src/engine/schema/summary';
import type { ChartContext } from '../src/lib/charts/registry';

const N = 64;
/** Child c's accuracy at point k of instance i: rises with c, with a wobble that depends on k and i. */
export const acc = (c: number, k: number, i: number) =>
  Math.min(1, Math.max(0, 0.3 + c / 200 + (((c * 7 + k * 3 + i * 5) % 11) - 5) / 100));

export function fakeRecord(
  opts: { instances?: number; finetune?: number; gt?: boolean; config?: Partial<ExperimentConfig> } = {},
): RunRecord {
  const cfg = { ...preset('tiny'), instances: opts.instances ?? 2, ...opts.config };
  const points = [1, 2, 3, 3.5, 4].map((e, k) => ({
    step: (k + 1) * 10,
    epoch: Math.ceil(e),
    epochEnd: k < 3 || k === 4,
    dense: k >= 3,
  }));
  const inst = (i: number): InstanceRecord => ({
    index: i,
    seeds: { init: i, data: i, order: 0 },
    points,
    accuracy: points.map((_, k) => Array.from({ length: N }, (_, c) => acc(c, k, i))),
    trainOrder: [Array.from({ length: 50 }, (_, s) => s % N)],
    loss: [new Array(50).fill(1)],
    finetune: opts.finetune
      ? {
          lr: 0.01,
          accuracy: Array.from({ length: opts.finetune + 1 }, (_, s) =>
            Array.from({ length: N }, (_, c) => (s === 0 ? acc(c, 4, i) : 0.2 + c / 100)),
          ),
        }
      : undefined,
    status: 'complete',
  });
  const rec = validateRecord({
    schemaVersion: RECORD_SCHEMA_VERSION,
    kind: RECORD_KIND,
    source: 'run',
    createdAt: '2026-11-28T00:00:00.000Z',
    config: cfg,
    configHash: configHash(cfg),
    engine: { backend: 'cpu', tfjs: '4.22.0' },
    dataset: { name: 'fixture', classes: [], trainSize: 1, valSize: 1, inputSize: 16 },
    parameterCount: 1,
    childNames: [...PAPER_SPACE.names],
    groupMap: new Array(N).fill(0),
    jobs: [Array.from({ length: N }, (_, c) => c)],
    instances: Array.from({ length: cfg.instances }, (_, i) => inst(i)),
    groundTruth:
      opts.gt === false
        ? undefined
        : summarizeGroundTruth(
            [0, 1, 2].map((s) => Array.from({ length: N }, (_, c) => 0.5 + c / 200 + (((c + s * 13) % 5) - 2) / 1000)),
            'fixture',
          ),
    status: 'complete',
    seconds: 1,
  });
  rec.metrics = computeMetrics(rec);
  return rec;
}

/** What a chart is drawn from, for `record` alone unless `over` adds contrasts, compared runs or a trace. */
export const chartContext = (record: RunRecord, over: Partial<ChartContext> = {}): ChartContext => ({
  record,
  contrasts: [],
  compared: [],
  published: undefined,
  runs: [],
  hovered: null,
  onhover: () => undefined,
  ...over,
});

// A worker thread of the CLI (--workers): trains the whole instances it is sent, on the main thread's backend, and
// sends back each record (instanceThreads.ts is the other side).
import { parentPort, workerData } from 'node:worker_threads';
import { runInstance, type StepInfo } from '../engine/train/experiment';
import { useBackend, type BackendName } from './backends';
import type { ExperimentConfig } from '../engine/schema/config';
import type { DataSplits } from '../engine/data/dataset';
import type { InstanceRecord } from '../engine/schema/record';

/** What the CLI's main thread sends a thread, and what the thread answers (instanceThreads.ts). */
export type ToThread =
  { type: 'run'; id: number; config: ExperimentConfig; data: DataSplits; index: number } | { type: 'cancel' };

export type FromThread =
  | { type: 'ready' }
  | { type: 'step'; id: number; step: StepInfo }
  | { type: 'evaluated'; id: number; instance: InstanceRecord }
  | { type: 'done'; id: number; instance: InstanceRecord }
  | { type: 'error'; id: number; message: string };

const port = parentPort!;
let cancelled = false;
const turn = () => new Promise<void>((r) => setImmediate(r));

await useBackend((workerData as { backend: BackendName }).backend);
port.on('message', async (m: ToThread) => {
  if (m.type === 'cancel') {
    cancelled = true;
    return;
  }
  try {
    cancelled = false;
    let live: unknown;
    const inst = await runInstance(m.config, m.index, m.data, {
      onInstanceStart: (r) => (live = r),
      onStep: (step) => port.postMessage({ type: 'step', id: m.id, step }),
      onEval: () => port.postMessage({ type: 'evaluated', id: m.id, instance: live }),
      yieldNow: turn,
      shouldStop: () => cancelled,
    });
    port.postMessage({ type: 'done', id: m.id, instance: inst });
  } catch (e) {
    port.postMessage({ type: 'error', id: m.id, message: (e as Error).message ?? String(e) });
  }
});
port.postMessage({ type: 'ready' });

/// <reference lib="webworker" />
// A helper of the training worker: trains whole instances of its run on another core (protocol.ts, ToHelper /
// FromHelper). Same engine, same backend, so an instance gives the numbers it would give in the training worker.
import { runInstance } from '../../engine/train/experiment';
import type { InstanceRecord } from '../../engine/schema/record';
import { evaluateChildren } from '../../engine/train/trainer';
import { WeightStore } from '../../engine/model/weightStore';
import { chooseBackend } from './backend';
import { macrotask } from './macrotask';
import { PROTOCOL_VERSION, type FromHelper, type ToHelper, type Unversioned } from './protocol';

declare const self: DedicatedWorkerGlobalScope;
const post = (m: Unversioned<FromHelper>) => self.postMessage({ v: PROTOCOL_VERSION, ...m });

let paused = false;
let cancelled = false;
let wake: (() => void) | undefined;
let store: { key: string; store: WeightStore } | undefined;

async function between(): Promise<void> {
  await macrotask();
  while (paused && !cancelled) await new Promise<void>((r) => (wake = r));
}

self.onmessage = async (ev: MessageEvent<ToHelper>) => {
  const m = ev.data;
  if (!m || m.v !== PROTOCOL_VERSION) return post({ type: 'error', message: 'helper protocol mismatch' });
  switch (m.type) {
    case 'init':
      try {
        // The training worker's backend, forced: its self-test still runs.
        const device = await chooseBackend({ force: m.backend, threads: 1 });
        if (device.backend !== m.backend) throw new Error(`got ${device.backend}, not ${m.backend}`);
        post({ type: 'ready', backend: device.backend });
      } catch (e) {
        post({ type: 'error', message: `helper worker: ${(e as Error).message}` });
      }
      break;
    case 'run':
      try {
        cancelled = false;
        let live: InstanceRecord | undefined;
        const inst = await runInstance(m.config, m.index, m.data, {
          onInstanceStart: (r) => (live = r),
          onStep: (s) => post({ type: 'step', id: m.id, images: s.images, finetune: false }),
          onFinetune: () => post({ type: 'step', id: m.id, images: 0, finetune: true }),
          onEval: () => live && post({ type: 'evaluated', id: m.id, instance: live }),
          yieldNow: between,
          shouldStop: () => cancelled,
        });
        post({ type: 'done', id: m.id, instance: inst });
      } catch (e) {
        post({ type: 'error', id: m.id, message: (e as Error).message ?? String(e) });
      }
      break;
    case 'evaluate':
      try {
        // One store per run and set of children, its weights replaced by each snapshot.
        const key = JSON.stringify([m.config, m.children]);
        if (store?.key !== key) {
          store?.store.dispose();
          store = { key, store: new WeightStore(m.config, 0, m.children) };
        }
        store.store.restore(m.snapshot);
        const accuracy = await evaluateChildren(store.store, m.children, m.val, { batchSize: m.config.eval.batchSize });
        post({ type: 'accuracy', id: m.id, accuracy });
      } catch (e) {
        post({ type: 'error', id: m.id, message: (e as Error).message ?? String(e) });
      }
      break;
    case 'pause':
      paused = m.paused;
      wake?.();
      break;
    case 'cancel':
      cancelled = true;
      wake?.();
      break;
  }
};

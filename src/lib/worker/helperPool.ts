// The training worker's helpers: one worker per extra core, each taking whole instances of the run (engine:
// runExperiment's `helpers`), or, when idle, half of each evaluation of the training worker's instance (`evaluator`).
// A helper that fails or never starts hands its work back.
import type { ExperimentConfig } from '../../engine/schema/config';
import type { DataSplits, ImageSet } from '../../engine/data/dataset';
import type { ChildEvaluator, InstanceHelper } from '../../engine/train/experiment';
import type { InstanceRecord } from '../../engine/schema/record';
import { PROTOCOL_VERSION, type FromHelper, type ToHelper } from './protocol';

/** Helper workers to start for a run: one per core beyond the first, none on a GPU backend or for one instance. */
export function helperCount(backend: string, cores: number, asked: number | undefined): { count: number; why: string } {
  if (backend !== 'wasm' && backend !== 'cpu')
    return { count: 1, why: `${backend} runs on its own device: one training worker` };
  const max = Math.max(1, Math.min(asked ?? cores, 4));
  if (asked !== undefined)
    return { count: max, why: `${max} asked for (?workers=${asked}); ${cores} core(s) reported` };
  return {
    count: max,
    why:
      max > 1
        ? `${cores} cores reported: up to ${max} instances train side by side, and an idle helper takes half of ` +
          'each evaluation (?workers=1 for one)'
        : `${cores} core reported: one training worker`,
  };
}

export interface HelperEvents {
  onStep(images: number, finetune: boolean): void;
  onEvaluated(): void;
}

type Reply = (m: FromHelper) => void;

export class HelperPool {
  private workers: Worker[] = [];
  /** Requests in flight per worker, by id: a worker may evaluate for the training worker while it trains. */
  private pending: Map<number, Reply>[] = [];
  /** Workers training an instance (not offered for evaluations: they would wait behind it). */
  private training: boolean[] = [];
  private evaluating: boolean[] = [];
  private starting: (Promise<Worker> | undefined)[] = [];
  private nextId = 0;
  private events: HelperEvents = { onStep: () => {}, onEvaluated: () => {} };

  constructor(
    private readonly count: number,
    private readonly backend: string,
  ) {}

  /** Starts every helper now (loading the backend takes seconds); one that fails is retried when a run asks. */
  warm(): void {
    for (let k = 0; k < this.count - 1; k++) this.worker(k).catch(() => {});
  }

  /** Where the progress of the next run's helpers goes. */
  listen(events: HelperEvents): void {
    this.events = events;
  }

  /** The run's helpers (count − 1 workers, started lazily). */
  helpers(cfg: ExperimentConfig, data: DataSplits): InstanceHelper[] {
    return Array.from({ length: this.count - 1 }, (_, k) => async (index, onUpdate) => {
      const w = await this.worker(k);
      this.training[k] = true;
      try {
        return await this.request<InstanceRecord>(
          k,
          w,
          { v: PROTOCOL_VERSION, type: 'run', id: this.nextId++, config: cfg, data, index },
          (m, resolve) => {
            if (m.type === 'step') this.events.onStep(m.images, m.finetune);
            else if (m.type === 'evaluated') {
              onUpdate(m.instance);
              this.events.onEvaluated();
            } else if (m.type === 'done') resolve(m.instance);
          },
        );
      } finally {
        this.training[k] = false;
      }
    });
  }

  /** Half of each evaluation of the training worker's own instance, on a started helper that is not training. */
  evaluator(cfg: ExperimentConfig, val: ImageSet): ChildEvaluator {
    return (snapshot, children) => {
      const k = this.workers.findIndex((w, i) => w && !this.training[i] && !this.evaluating[i]);
      if (k < 0) return undefined;
      this.evaluating[k] = true;
      return this.request<number[]>(
        k,
        this.workers[k],
        { v: PROTOCOL_VERSION, type: 'evaluate', id: this.nextId++, config: cfg, val, snapshot, children },
        (m, resolve) => m.type === 'accuracy' && resolve(m.accuracy),
      ).finally(() => (this.evaluating[k] = false));
    };
  }

  pause(paused: boolean): void {
    for (const w of this.workers) w?.postMessage({ v: PROTOCOL_VERSION, type: 'pause', paused } satisfies ToHelper);
  }

  cancel(): void {
    for (const w of this.workers) w?.postMessage({ v: PROTOCOL_VERSION, type: 'cancel' } satisfies ToHelper);
  }

  /** Sends one request; `on` sees its messages until it resolves; an error message or a crash rejects it. */
  private request<T>(
    k: number,
    w: Worker,
    msg: ToHelper & { id: number },
    on: (m: FromHelper, resolve: (v: T) => void) => void,
  ): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const replies = this.pending[k];
      const done = () => replies.delete(msg.id);
      replies.set(msg.id, (m) => {
        if (m.type === 'error') {
          done();
          reject(new Error(m.message));
        } else
          on(m, (v) => {
            done();
            resolve(v);
          });
      });
      w.postMessage(msg);
    });
  }

  private worker(k: number): Promise<Worker> {
    const have = this.workers[k];
    if (have) return Promise.resolve(have);
    this.starting[k] ??= this.start(k).finally(() => (this.starting[k] = undefined));
    return this.starting[k];
  }

  private async start(k: number): Promise<Worker> {
    const w = new Worker(new URL('./instance.worker.ts', import.meta.url), { type: 'module' });
    await new Promise<void>((resolve, reject) => {
      w.onerror = (e) => reject(new Error(`helper worker failed to start: ${e.message}`));
      w.onmessage = (ev: MessageEvent<FromHelper>) =>
        ev.data.type === 'ready'
          ? resolve()
          : reject(new Error(ev.data.type === 'error' ? ev.data.message : 'no helper'));
      w.postMessage({ v: PROTOCOL_VERSION, type: 'init', backend: this.backend } satisfies ToHelper);
    }).catch((e: Error) => {
      w.terminate();
      throw e;
    });
    const replies = new Map<number, Reply>();
    this.pending[k] = replies;
    w.onmessage = (ev: MessageEvent<FromHelper>) => {
      const m = ev.data;
      if (m.type !== 'ready' && m.id !== undefined) replies.get(m.id)?.(m);
    };
    // A crashed helper fails everything it had; the engine hands that work back to the training worker.
    w.onerror = (e) => {
      delete this.workers[k];
      w.terminate();
      for (const reply of [...replies.values()])
        reply({ v: PROTOCOL_VERSION, type: 'error', message: `helper worker failed: ${e.message}` });
    };
    this.workers[k] = w;
    return w;
  }
}

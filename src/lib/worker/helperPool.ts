// The training worker's helpers: one worker per extra core, each taking whole instances of the run
// (engine: runExperiment's `helpers`). A helper that fails or never starts hands its instance back.
import type { ExperimentConfig } from '../../engine/config';
import type { DataSplits } from '../../engine/data/dataset';
import type { InstanceHelper } from '../../engine/experiment';
import type { InstanceRecord } from '../../engine/record';
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
        ? `${cores} cores reported: runs of several instances train up to ${max} side by side ` + '(?workers=1 for one)'
        : `${cores} core reported: one training worker`,
  };
}

export interface HelperEvents {
  onStep(images: number, finetune: boolean): void;
  onEvaluated(): void;
}

export class HelperPool {
  private workers: Worker[] = [];
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
    return Array.from(
      { length: this.count - 1 },
      (_, k) => (index, onUpdate) => this.run(k, cfg, data, index, onUpdate),
    );
  }

  pause(paused: boolean): void {
    for (const w of this.workers) w?.postMessage({ v: PROTOCOL_VERSION, type: 'pause', paused } satisfies ToHelper);
  }

  cancel(): void {
    for (const w of this.workers) w?.postMessage({ v: PROTOCOL_VERSION, type: 'cancel' } satisfies ToHelper);
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
    this.workers[k] = w;
    return w;
  }

  private async run(
    k: number,
    cfg: ExperimentConfig,
    data: DataSplits,
    index: number,
    onUpdate: (inst: InstanceRecord) => void,
  ): Promise<InstanceRecord> {
    const w = await this.worker(k);
    const id = this.nextId++;
    return new Promise<InstanceRecord>((resolve, reject) => {
      w.onerror = (e) => {
        delete this.workers[k];
        w.terminate();
        reject(new Error(`helper worker failed: ${e.message}`));
      };
      w.onmessage = (ev: MessageEvent<FromHelper>) => {
        const m = ev.data;
        if (m.type === 'ready' || ('id' in m && m.id !== id)) return;
        if (m.type === 'step') this.events.onStep(m.images, m.finetune);
        else if (m.type === 'evaluated') {
          onUpdate(m.instance);
          this.events.onEvaluated();
        } else if (m.type === 'done') resolve(m.instance);
        else if (m.type === 'error') {
          delete this.workers[k];
          w.terminate();
          reject(new Error(m.message));
        }
      };
      w.postMessage({ v: PROTOCOL_VERSION, type: 'run', id, config: cfg, data, index } satisfies ToHelper);
    });
  }
}

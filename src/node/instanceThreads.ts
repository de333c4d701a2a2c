// CLI `--workers n`: instances of a run trained side by side in n − 1 worker threads besides the main one, each on
// its own core (engine: runExperiment's `helpers`). Instances depend on their index only, so the record is the one
// a single thread makes; a thread that fails hands its instance back to the main thread.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ExperimentConfig } from '../engine/schema/config';
import type { DataSplits } from '../engine/data/dataset';
import type { InstanceHelper, StepInfo } from '../engine/train/experiment';
import type { InstanceRecord } from '../engine/schema/record';
import type { BackendName } from './backends';
import type { FromThread, ToThread } from './instanceThread';

/** The thread's entry: the .ts file under tsx (its loader is inherited), the bundled .mjs beside a bundle. */
function entry(): URL {
  const ts = new URL('./instanceThread.ts', import.meta.url);
  return existsSync(fileURLToPath(ts)) ? ts : new URL('./instanceThread.mjs', import.meta.url);
}

export class InstanceThreads {
  private threads: (Promise<Worker> | undefined)[] = [];
  private nextId = 0;

  /** `count` threads besides the main one; `stopped` is asked at every step they report (Ctrl-C). */
  constructor(
    readonly count: number,
    private readonly backend: BackendName,
    private readonly stopped: () => boolean,
  ) {}

  helpers(cfg: ExperimentConfig, data: DataSplits, onStep: (s: StepInfo) => void): InstanceHelper[] {
    return Array.from(
      { length: this.count },
      (_, k) => (index, onUpdate) => this.run(k, cfg, data, index, onUpdate, onStep),
    );
  }

  private thread(k: number): Promise<Worker> {
    this.threads[k] ??= new Promise<Worker>((resolve, reject) => {
      const w = new Worker(entry(), { workerData: { backend: this.backend } });
      w.unref(); // the CLI exits when its work is done, threads or not
      w.once('error', reject);
      w.once('message', (m: FromThread) => (m.type === 'ready' ? resolve(w) : reject(new Error('thread failed'))));
    }).catch((e: Error) => {
      this.threads[k] = undefined;
      throw e;
    });
    return this.threads[k];
  }

  private async run(
    k: number,
    cfg: ExperimentConfig,
    data: DataSplits,
    index: number,
    onUpdate: (inst: InstanceRecord) => void,
    onStep: (s: StepInfo) => void,
  ): Promise<InstanceRecord> {
    const w = await this.thread(k);
    const id = this.nextId++;
    return new Promise<InstanceRecord>((resolve, reject) => {
      const fail = (e: Error) => {
        off();
        this.threads[k] = undefined;
        void w.terminate();
        reject(e);
      };
      const onMessage = (m: FromThread) => {
        if (m.type === 'ready' || m.id !== id) return;
        if (m.type === 'step') {
          onStep(m.step);
          if (this.stopped()) w.postMessage({ type: 'cancel' } satisfies ToThread);
        } else if (m.type === 'evaluated') onUpdate(m.instance);
        else if (m.type === 'done') {
          off();
          resolve(m.instance);
        } else fail(new Error(m.message));
      };
      const off = () => {
        w.off('message', onMessage);
        w.off('error', fail);
      };
      w.on('message', onMessage);
      w.once('error', fail);
      w.postMessage({ type: 'run', id, config: cfg, data, index } satisfies ToThread);
    });
  }
}

let shared: InstanceThreads | undefined;

/** --workers as a number: 1 without it; a whole number 1..64 in decimal digits, else an Error saying so. */
export function workerCount(workers: string | undefined): number {
  const n = workers === undefined ? 1 : /^\d{1,2}$/.test(workers) ? Number(workers) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > 64)
    throw new Error(`--workers must be a whole number 1..64, not '${String(workers).slice(0, 20)}'`);
  return n;
}

/** The CLI's threads for `--workers n` (n − 1 of them, made once per process); none for 1 or without the flag. */
export function cliThreads(
  workers: string | undefined,
  backend: BackendName,
  stopped: () => boolean,
): InstanceThreads | undefined {
  const n = workerCount(workers);
  if (n === 1) return undefined;
  shared ??= new InstanceThreads(n - 1, backend, stopped);
  return shared;
}

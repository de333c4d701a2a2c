// Page side of the worker protocol: one worker, typed messages in and out.
import { isFromWorker, PROTOCOL_VERSION, type FromWorker, type ToWorker, type Unversioned } from '../worker/protocol';

export class TrainerClient {
  private readonly worker: Worker;
  constructor(onMessage: (m: FromWorker) => void, onCrash: (message: string) => void) {
    this.worker = new Worker(new URL('../worker/trainer.worker.ts', import.meta.url), { type: 'module' });
    this.worker.onmessage = (ev) =>
      isFromWorker(ev.data)
        ? onMessage(ev.data)
        : onCrash(`unexpected message from the worker: ${JSON.stringify(ev.data).slice(0, 80)}`);
    // A worker that dies (script error, out of memory) must not fail silently.
    this.worker.onerror = (ev) => {
      ev.preventDefault();
      onCrash(
        `the training worker crashed (${ev.message || 'unknown error'}); a new one was started — the last ` +
          `evaluations are kept`,
      );
    };
    this.worker.onmessageerror = () => onCrash('a message from the training worker could not be read');
  }
  send(m: Unversioned<ToWorker>, transfer: Transferable[] = []): void {
    this.worker.postMessage({ v: PROTOCOL_VERSION, ...m }, transfer);
  }
  terminate(): void {
    this.worker.terminate();
  }
}

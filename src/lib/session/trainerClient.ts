// Page side of the worker protocol: one worker, typed messages in and out. What goes wrong with the worker itself
// (a script that does not load, a crash, a message this page cannot read) is reported as `onCrash(technical text)`;
// the session decides what the user reads and when a new worker starts (restarts.ts).
import { isFromWorker, PROTOCOL_VERSION, type FromWorker, type ToWorker, type Unversioned } from '../worker/protocol';

export class TrainerClient {
  private readonly worker: Worker;
  private dead = false;
  constructor(onMessage: (m: FromWorker) => void, onCrash: (technical: string) => void) {
    const crash = (text: string) => {
      if (this.dead) return;
      this.dead = true;
      onCrash(text);
    };
    this.worker = new Worker(new URL('../worker/trainer.worker.ts', import.meta.url), { type: 'module' });
    this.worker.onmessage = (ev) =>
      isFromWorker(ev.data)
        ? onMessage(ev.data)
        : crash(`unexpected message from the worker: ${JSON.stringify(ev.data)?.slice(0, 200)}`);
    // A worker that dies (its script missing or broken, out of memory) must not fail silently.
    this.worker.onerror = (ev) => {
      ev.preventDefault();
      crash(`the worker stopped: ${ev.message || 'its script did not load or threw before it ran'}`);
    };
    this.worker.onmessageerror = () => crash('a message from the worker could not be deserialised');
  }
  send(m: Unversioned<ToWorker>, transfer: Transferable[] = []): void {
    if (!this.dead) this.worker.postMessage({ v: PROTOCOL_VERSION, ...m }, transfer);
  }
  terminate(): void {
    this.dead = true;
    this.worker.terminate();
  }
}

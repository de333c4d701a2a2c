/// <reference lib="webworker" />
// Parses and checks a large record file off the main thread, so the page stays responsive.
import { parseRecordText } from '../../engine/schema/readRecord';

declare const self: DedicatedWorkerGlobalScope;
self.onmessage = (ev: MessageEvent<{ text: string; name: string }>) => {
  try {
    self.postMessage({ ok: true, record: parseRecordText(ev.data.text, ev.data.name) });
  } catch (e) {
    self.postMessage({ ok: false, message: (e as Error).message });
  }
};

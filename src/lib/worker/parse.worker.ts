/// <reference lib="webworker" />
// Parses and checks a large record file off the main thread, so the page stays responsive.
import { parseRecordText } from '../../engine/schema/readRecord';
import { projectMessage, technical } from './userError';

declare const self: DedicatedWorkerGlobalScope;
self.onmessage = (ev: MessageEvent<{ text: string; name: string }>) => {
  try {
    self.postMessage({ ok: true, record: parseRecordText(ev.data.text, ev.data.name) });
  } catch (e) {
    console.warn(`parsing ${ev.data.name}:`, technical(e));
    self.postMessage({ ok: false, message: projectMessage(e) ?? 'it could not be parsed (see the browser console)' });
  }
};

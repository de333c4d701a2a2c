// Runs kept in IndexedDB by config hash; 'last' names the most recent, 'interrupted' holds a run
// in progress (with its last epoch checkpoint) so a reload can resume it. Everything read back goes
// through the record schema: a bad entry is set aside (moved to 'quarantine') and reported once.
import { validateRecord } from '../../engine/schema/readRecord';
import { type RunRecord } from '../../engine/schema/record';

const DB = 'supernet-playground';
const STORE = 'runs';
const QUARANTINE = 'quarantine';

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 2);
    req.onupgradeneeded = () => {
      if (!req.result.objectStoreNames.contains(STORE)) req.result.createObjectStore(STORE);
      if (!req.result.objectStoreNames.contains(QUARANTINE)) req.result.createObjectStore(QUARANTINE);
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

async function tx<T>(store: string, mode: IDBTransactionMode, f: (s: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await open();
  try {
    return await new Promise((resolve, reject) => {
      const r = f(db.transaction(store, mode).objectStore(store));
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    });
  } finally {
    db.close();
  }
}

/** Problems found while reading: each bad entry is reported once (then it lives in quarantine). */
export const storageProblems: string[] = [];

async function setAside(key: IDBValidKey, value: unknown, why: string) {
  storageProblems.push(`A stored run (${String(key).slice(0, 40)}) could not be read and was set aside: ${why}`);
  try {
    await tx(QUARANTINE, 'readwrite', (s) => s.put(value, key));
    await tx(STORE, 'readwrite', (s) => s.delete(key));
  } catch {
    /* storage read-only or full: it stays, and is skipped again next time */
  }
}

async function readChecked(key: IDBValidKey): Promise<RunRecord | undefined> {
  const raw = await tx<unknown>(STORE, 'readonly', (s) => s.get(key));
  if (raw === undefined) return undefined;
  try {
    return validateRecord(raw);
  } catch (e) {
    await setAside(key, raw, (e as Error).message);
    return undefined;
  }
}

export async function saveRun(rec: RunRecord): Promise<void> {
  await tx(STORE, 'readwrite', (s) => s.put({ ...rec, checkpoint: undefined }, rec.configHash));
  await tx(STORE, 'readwrite', (s) => s.put(rec.configHash, 'last'));
}

export const loadRun = (hash: string) => readChecked(hash);

export async function loadLastRun(): Promise<RunRecord | undefined> {
  const h = await tx<unknown>(STORE, 'readonly', (s) => s.get('last'));
  return typeof h === 'string' ? readChecked(h) : undefined;
}

export async function allRuns(): Promise<RunRecord[]> {
  const keys = await tx<IDBValidKey[]>(STORE, 'readonly', (s) => s.getAllKeys());
  const out: RunRecord[] = [];
  for (const k of keys) {
    if (k === 'last' || k === 'interrupted') continue;
    const r = await readChecked(k);
    if (r) out.push(r);
  }
  return out;
}

/** The run in progress (partial record + its last checkpoint), for resuming after a reload. */
export const saveInterrupted = (rec: RunRecord) => tx(STORE, 'readwrite', (s) => s.put(rec, 'interrupted'));
export const loadInterrupted = () => readChecked('interrupted');
export const clearInterrupted = () => tx(STORE, 'readwrite', (s) => s.delete('interrupted'));

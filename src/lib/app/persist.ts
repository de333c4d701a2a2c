// Runs kept in IndexedDB by config hash; 'last' remembers the most recent one.
import type { RunRecord } from '../../engine/record';

const DB = 'supernet-playground';
const STORE = 'runs';

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

async function tx<T>(mode: IDBTransactionMode, f: (s: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await open();
  return new Promise((resolve, reject) => {
    const r = f(db.transaction(STORE, mode).objectStore(STORE));
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}

export async function saveRun(rec: RunRecord): Promise<void> {
  await tx('readwrite', (s) => s.put(rec, rec.configHash));
  await tx('readwrite', (s) => s.put(rec.configHash, 'last'));
}

export async function loadRun(hash: string): Promise<RunRecord | undefined> {
  return (await tx<RunRecord | undefined>('readonly', (s) => s.get(hash))) ?? undefined;
}

export async function loadLastRun(): Promise<RunRecord | undefined> {
  const h = await tx<string | undefined>('readonly', (s) => s.get('last'));
  return h ? loadRun(h) : undefined;
}

export async function allRuns(): Promise<RunRecord[]> {
  const all = await tx<unknown[]>('readonly', (s) => s.getAll());
  return all.filter((r): r is RunRecord => !!r && typeof r === 'object' && (r as RunRecord).kind === 'supernet-playground/run');
}

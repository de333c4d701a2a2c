// Runs kept in IndexedDB by config hash; 'last' names the most recent, 'interrupted' holds a run in progress (with
// its last epoch checkpoint) so a reload can resume it.
// Writes: every write that touches more than one entry is one transaction, so it is stored whole or not at all (a
// closed tab or a full disk cannot leave a record without its 'last', or an entry half moved to quarantine); a
// single put is atomic by itself.
// Reads: nothing stored is trusted. Each entry goes through the record schema (metrics recomputed), its configHash
// must be the hash of its own config, and a run must be stored under that hash: a record under another config's hash
// is never shown as that config's run. A bad entry is set aside (moved to 'quarantine', which keeps at most
// MAX_QUARANTINE) and reported once, all of them in one short notice.
import { configHash } from '../../engine/schema/config';
import { validateRecord } from '../../engine/schema/readRecord';
import { type RunRecord } from '../../engine/schema/record';
import { capped, summarise, technical } from '../worker/userError';

const DB = 'supernet-playground';
const STORE = 'runs';
const QUARANTINE = 'quarantine';
/** Entries kept set aside (for a look in the browser's devtools); older ones are deleted. */
export const MAX_QUARANTINE = 20;
/** Keys that name no run. */
const LAST = 'last';
const INTERRUPTED = 'interrupted';

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 2);
    req.onupgradeneeded = () => {
      if (!req.result.objectStoreNames.contains(STORE)) req.result.createObjectStore(STORE);
      if (!req.result.objectStoreNames.contains(QUARANTINE)) req.result.createObjectStore(QUARANTINE);
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
    req.onblocked = () => reject(new Error('the storage is held by another tab of this page'));
  });
}

/**
 * One transaction: `f` queues its requests and returns how to read the result once the transaction has committed.
 * It resolves only after the commit (every write of it stored) and rejects on any error (none stored).
 */
async function transact<T>(
  stores: string[],
  mode: IDBTransactionMode,
  f: (t: IDBTransaction) => () => T,
  db?: IDBDatabase,
): Promise<T> {
  const conn = db ?? (await open());
  try {
    return await new Promise<T>((resolve, reject) => {
      const t = conn.transaction(stores, mode);
      let result: () => T;
      try {
        result = f(t);
      } catch (e) {
        reject(e);
        try {
          t.abort();
        } catch {
          /* already finished */
        }
        return;
      }
      t.oncomplete = () => resolve(result());
      t.onabort = () => reject(t.error ?? new Error('the storage transaction was aborted'));
    });
  } finally {
    if (!db) conn.close();
  }
}

const request =
  <T>(r: IDBRequest<T>) =>
  () =>
    r.result;

/** Problems found while reading: each bad entry once (then it is in quarantine, or gone). */
export const storageProblems: { key: string; why: string }[] = [];

/** The problems so far as one short notice (the count and the first few), and the list emptied; undefined if none. */
export function takeStorageNotice(): string | undefined {
  const list = storageProblems.splice(0);
  if (!list.length) return undefined;
  if (list.length === 1)
    return capped(`A stored run (${list[0].key}) could not be read and was set aside: ${list[0].why}.`);
  return summarise(
    list.map((p) => `${p.key} (${p.why})`),
    (n) => `${n.toLocaleString('en')} stored entries could not be read and were set aside`,
  );
}

const shownKey = (key: IDBValidKey) => capped(typeof key === 'string' ? key : (JSON.stringify(key) ?? '?'), 40);

/** A checkpoint's weights must be base64 of whole float32 values, its momenta as long as its values. */
function checkCheckpoint(rec: RunRecord): void {
  const c = rec.checkpoint;
  if (!c) return;
  if (c.instance >= rec.config.instances)
    throw new Error(`its checkpoint is of instance ${c.instance + 1}, but the run has ${rec.config.instances}`);
  const floats = (s: string) => {
    if (s.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(s)) return -1;
    const bytes = (s.length / 4) * 3 - (s.endsWith('==') ? 2 : s.endsWith('=') ? 1 : 0);
    return bytes % 4 === 0 ? bytes / 4 : -1;
  };
  for (const [k, w] of Object.entries(c.weights)) {
    const n = floats(w.value);
    if (n < 0 || (w.momentum !== undefined && floats(w.momentum) !== n))
      throw new Error(`its checkpoint's weights ${capped(k, 40)} are damaged`);
  }
}

/**
 * Checks one stored entry: the record schema, its configHash against its own config, and the key it is stored under
 * (a run's key is its config hash; 'interrupted' also has its checkpoint checked). Throws a short reason.
 */
export function verifyStored(key: IDBValidKey, raw: unknown): RunRecord {
  const rec = validateRecord(raw);
  const own = configHash(rec.config);
  if (rec.configHash !== own)
    throw new Error(`its configHash ${capped(rec.configHash, 20)} is not the hash of its config (${own})`);
  if (key === INTERRUPTED) checkCheckpoint(rec);
  else if (key !== own) throw new Error(`it is the run of config ${own}, stored under another config's key`);
  return rec;
}

/** Moves bad entries to quarantine in one transaction (and trims it); they are reported once. */
async function setAside(db: IDBDatabase, bad: { key: IDBValidKey; value: unknown; why: string }[]): Promise<void> {
  if (!bad.length) return;
  for (const b of bad) {
    storageProblems.push({ key: shownKey(b.key), why: capped(b.why, 160) });
    console.warn(`stored entry ${shownKey(b.key)} set aside: ${b.why}`);
  }
  try {
    await transact(
      [STORE, QUARANTINE],
      'readwrite',
      (t) => {
        const runs = t.objectStore(STORE);
        const q = t.objectStore(QUARANTINE);
        for (const b of bad) runs.delete(b.key);
        // At most MAX_QUARANTINE are kept; the rest are deleted (500 junk entries must not fill the disk twice).
        for (const b of bad.slice(-MAX_QUARANTINE)) q.put(b.value, b.key);
        const keys = q.getAllKeys();
        keys.onsuccess = () => {
          const extra = keys.result.length - MAX_QUARANTINE;
          for (const k of keys.result.slice(0, Math.max(0, extra))) q.delete(k);
        };
        return () => undefined;
      },
      db,
    );
  } catch (e) {
    // Storage read-only or full: they stay, and are skipped (and reported) again next time.
    console.warn('could not set stored entries aside:', technical(e));
  }
}

async function readChecked(db: IDBDatabase, key: IDBValidKey): Promise<RunRecord | undefined> {
  const raw = await transact([STORE], 'readonly', (t) => request(t.objectStore(STORE).get(key)), db);
  if (raw === undefined) return undefined;
  try {
    return verifyStored(key, raw);
  } catch (e) {
    await setAside(db, [{ key, value: raw, why: (e as Error).message }]);
    return undefined;
  }
}

async function withDb<T>(f: (db: IDBDatabase) => Promise<T>): Promise<T> {
  const db = await open();
  try {
    return await f(db);
  } finally {
    db.close();
  }
}

/** The run and 'last' in one transaction: both stored, or neither. */
export async function saveRun(rec: RunRecord): Promise<void> {
  const value = { ...rec, checkpoint: undefined };
  await transact([STORE], 'readwrite', (t) => {
    t.objectStore(STORE).put(value, rec.configHash);
    t.objectStore(STORE).put(rec.configHash, LAST);
    return () => undefined;
  });
}

export const loadRun = (hash: string) => withDb((db) => readChecked(db, hash));

export function loadLastRun(): Promise<RunRecord | undefined> {
  return withDb(async (db) => {
    const h = await transact([STORE], 'readonly', (t) => request(t.objectStore(STORE).get(LAST)), db);
    return typeof h === 'string' && h !== LAST && h !== INTERRUPTED ? readChecked(db, h) : undefined;
  });
}

/** Every stored run that passes the checks, one entry in memory at a time; the rest set aside at once. */
export function allRuns(): Promise<RunRecord[]> {
  return withDb(async (db) => {
    const keys = await transact([STORE], 'readonly', (t) => request(t.objectStore(STORE).getAllKeys()), db);
    const out: RunRecord[] = [];
    const bad: { key: IDBValidKey; value: unknown; why: string }[] = [];
    for (const k of keys) {
      if (k === LAST || k === INTERRUPTED) continue;
      const raw = await transact([STORE], 'readonly', (t) => request(t.objectStore(STORE).get(k)), db);
      try {
        out.push(verifyStored(k, raw));
      } catch (e) {
        bad.push({ key: k, value: raw, why: (e as Error).message });
      }
    }
    await setAside(db, bad);
    return out;
  });
}

/** The run in progress (partial record + its last checkpoint), for resuming after a reload: one put, atomic. */
export const saveInterrupted = (rec: RunRecord) =>
  transact([STORE], 'readwrite', (t) => request(t.objectStore(STORE).put(rec, INTERRUPTED)));
export const loadInterrupted = () => withDb((db) => readChecked(db, INTERRUPTED));
export const clearInterrupted = () =>
  transact([STORE], 'readwrite', (t) => request(t.objectStore(STORE).delete(INTERRUPTED)));

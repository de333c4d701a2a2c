// Everything about an experiment lives in the address: the full config in the hash
// (#v=2&c=<base64url JSON>&h=<checksum>), or, for the common settings, a readable query
// (?preset=interference&order=shuffle-period&instances=5). A damaged link is refused, never read as
// another config; so is one without its checksum (it could be damaged); a malformed or newer one gets one clear
// message and no config. Presets and page flags name registry entries: own entries only.
import {
  CONFIG_SCHEMA_VERSION,
  hashHex,
  parseConfig,
  stableStringify,
  type ExperimentConfig,
} from '../../engine/schema/config';
import { findingById, FINDINGS } from '../../engine/findings/registry';
import { CONFIG_LIMITS, parseJsonLimited } from '../../engine/core/jsonLimits';
import { preset, SCALE_IDS, SCALES } from '../../engine/schema/scales';
import { capped, projectMessage, technical } from '../worker/userError';
import { getAt, setAt, SETTINGS } from './table';

export const LINK_VERSION = 2;
/**
 * Longer hashes are refused unread. A config is < 2 kB as the page writes it, but an intact link may be longer
 * (spaces, long number forms, escaped text) and is read as long as its data stays within the schema's limits.
 */
export const MAX_LINK = 100_000;

const toB64url = (s: string) => {
  const bytes = new TextEncoder().encode(s);
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
};
const fromB64url = (s: string) => {
  if (!/^[A-Za-z0-9_-]*={0,2}$/.test(s)) throw new Error('not base64url');
  const bin = atob(s.replace(/-/g, '+').replace(/_/g, '/'));
  return new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(bin, (c) => c.charCodeAt(0)));
};
/** 8 hex digits over the encoded config: one changed character is caught. */
const checksum = (c: string) => hashHex(c).slice(0, 8);

export function encodeLink(cfg: ExperimentConfig): string {
  const c = toB64url(stableStringify(cfg));
  return `#v=${LINK_VERSION}&c=${c}&h=${checksum(c)}`;
}

export type LinkResult =
  | { kind: 'none' }
  /**
   * `ignored`: settings of a readable link that were not valid and were left at the preset's (one message), and
   * `ignoredSettings` each of them ("seed=-1 (…)").
   */
  | { kind: 'ok'; config: ExperimentConfig; ignored?: string; ignoredSettings?: string[] }
  | { kind: 'error'; message: string };
const fallback = 'The default experiment is shown instead.';
const refuse = (message: string): LinkResult => ({ kind: 'error', message: `${message} ${fallback}` });
/** A value from the address as a message may quote it: printable, short. */
const quoted = (s: string, max = 40) => JSON.stringify(capped(s, max));

/**
 * A full-config link → its config, none, or one clear message. Every link must carry its checksum, whatever its
 * version label says: the check is over the data, so a changed label cannot skip it. Links made before version 2
 * carried none; they cannot be told from a damaged one and are refused as unverifiable.
 */
export function decodeLink(hash: string): LinkResult {
  try {
    return decodeChecked(hash);
  } catch (e) {
    // Unreachable by design; a raw error must still not reach the page.
    console.error('decodeLink:', technical(e));
    return refuse('This link could not be read.');
  }
}

function decodeChecked(hash: string): LinkResult {
  const h = hash.replace(/^#/, '');
  if (!h) return { kind: 'none' };
  if (h.length > MAX_LINK)
    return refuse(
      `This link is ${h.length.toLocaleString('en')} characters long, more than the ` +
        `${MAX_LINK.toLocaleString('en')} any experiment needs: it was not read.`,
    );
  const params = new URLSearchParams(h);
  const v = params.get('v');
  const c = params.get('c');
  const sum = params.get('h');
  if (v === null || c === null)
    return refuse('This link is not a Supernet Playground experiment link (it lacks v= or c=).');
  if (!/^[1-9]\d{0,5}$/.test(v)) return refuse(`This link has an unreadable version ${quoted(v, 20)}.`);
  if (Number(v) > LINK_VERSION)
    return refuse(
      `This link was made by a newer version of Supernet Playground (link v${v}, this page reads ` +
        `v${LINK_VERSION}). Reload to get the newest page.`,
    );
  if (sum === null)
    return refuse(
      'This link carries no checksum (links made before version 2 did not), so a damaged copy cannot be told ' +
        'from the original: it was not read. Open the experiment where the link was made and copy a new link.',
    );
  if (sum !== checksum(c))
    return refuse(
      'This link is damaged: its checksum does not match (a character was changed or lost when it was copied).',
    );
  let text: string;
  try {
    text = fromB64url(c);
  } catch {
    return refuse('This link was not read: its checksum matches but its experiment data is not base64url text.');
  }
  let raw: unknown;
  try {
    raw = parseJsonLimited(text, MAX_LINK, CONFIG_LIMITS, 'the link');
  } catch (e) {
    // The parser's own words ("Unexpected token…") stay in the console; a limit passed is the project's message.
    const own = projectMessage(e);
    console.warn('link not read:', technical(e, true));
    return refuse(
      `This link was not read: ${own && !/not valid JSON/.test(own) ? own : 'its experiment data is not valid JSON'}.`,
    );
  }
  const s = (raw as { schemaVersion?: unknown } | null)?.schemaVersion;
  if (typeof s === 'number' && s > CONFIG_SCHEMA_VERSION)
    return refuse(
      `This link's experiment was made by a newer version of Supernet Playground (config schema v${s}, this ` +
        `page reads v${CONFIG_SCHEMA_VERSION}). Reload to get the newest page.`,
    );
  try {
    return { kind: 'ok', config: parseConfig(raw) };
  } catch (e) {
    return refuse(`This link's experiment is not valid: ${projectMessage(e) ?? 'its settings could not be read'}.`);
  }
}

/** The readable link parameters, in query order: preset=, then the settings table's (table.ts). */
export const readableParams = (): string[] => ['preset', ...SETTINGS.flatMap((s) => (s.param ? [s.param] : []))];

/** The ids a readable link or a page flag may name: the gallery's findings and the scale presets. */
export const presetIds = (): string[] => [...FINDINGS.map((g) => g.id), ...SCALE_IDS];

/** Whether `id` names a preset: own entries only ('__proto__', 'toString' and the like are not presets). */
export function isPresetId(id: string | null | undefined): id is string {
  if (typeof id !== 'string') return false;
  return FINDINGS.some((g) => g.id === id) || Object.hasOwn(SCALES, id);
}

function basePreset(id: string): ExperimentConfig | undefined {
  if (!isPresetId(id)) return undefined;
  const g = findingById(id);
  return g ? structuredClone(g.config) : preset(id);
}

function applyReadable(base: ExperimentConfig, q: URLSearchParams): ExperimentConfig {
  const c = structuredClone(base);
  for (const s of SETTINGS) {
    if (!s.param || !q.has(s.param)) continue;
    const text = q.get(s.param)!;
    try {
      setAt(c, s.path, s.read(text, s.param));
    } catch (e) {
      throw new Error(projectMessage(e) ?? `${s.param}=${capped(text, 40)} is not a value this setting takes`, {
        cause: e,
      });
    }
  }
  // The schema checks the bounds.
  return parseConfig(c);
}

/** ?preset=…&order=… → a config, none (no preset= in the query), or an error message. */
export function decodeReadable(search: string): LinkResult {
  const q = new URLSearchParams(search);
  const id = q.get('preset');
  if (id === null) {
    // Settings without a preset to apply them to are not silently dropped.
    const given = SETTINGS.filter((s) => s.param && q.has(s.param)).map((s) => `${s.param}=`);
    return given.length
      ? refuse(`This link's ${given.join(', ')} name no preset to change (add ?preset=…, e.g. ?preset=best-varies).`)
      : { kind: 'none' };
  }
  const base = basePreset(id);
  if (!base) return refuse(`This link names an unknown preset ${quoted(id)} (known: ${presetIds().join(', ')}).`);
  try {
    return { kind: 'ok', config: applyReadable(base, q) };
  } catch {
    // Keep the preset the link names, and each setting that is valid on its own; say which were left out.
    const { config, ignored } = applyEachValid(base, q);
    return {
      kind: 'ok',
      config,
      ignoredSettings: ignored,
      ignored:
        `This link's ${ignored.length === 1 ? 'setting' : 'settings'} ${ignored.join('; ')}: left at the ` +
        `preset's ${ignored.length === 1 ? 'value' : 'values'}, the rest of ${quoted(id)} is shown.`,
    };
  }
}

/** The readable settings applied one at a time, each kept only if the config is still valid with it. */
function applyEachValid(base: ExperimentConfig, q: URLSearchParams): { config: ExperimentConfig; ignored: string[] } {
  let c = structuredClone(base);
  const ignored: string[] = [];
  for (const s of SETTINGS) {
    if (!s.param || !q.has(s.param)) continue;
    const text = q.get(s.param)!;
    const next = structuredClone(c);
    try {
      setAt(next, s.path, s.read(text, s.param));
      c = parseConfig(next);
    } catch (e) {
      const why = projectMessage(e);
      ignored.push(
        why?.includes(`${s.param}=`) ? why : `${s.param}=${quoted(text)} (${why ?? 'not a value it takes'})`,
      );
    }
  }
  return { config: c, ignored };
}

/** A readable query for cfg when it is a preset plus common settings only; otherwise undefined. */
export function encodeReadable(cfg: ExperimentConfig, presetId: string): string | undefined {
  const base = basePreset(presetId);
  if (!base) return undefined;
  const q = new URLSearchParams({ preset: presetId });
  for (const s of SETTINGS) {
    if (!s.param) continue;
    const text = s.write(getAt(cfg, s.path));
    if (text !== s.write(getAt(base, s.path))) q.set(s.param, text);
  }
  try {
    const back = applyReadable(base, q);
    return stableStringify({ ...back, name: cfg.name }) === stableStringify(cfg) ? `?${q.toString()}` : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Page flags in the query (not part of the experiment): classroom mode, the finding shown, hidden parts, forced
 * backend.
 */
export interface PageFlags {
  classroom: boolean;
  finding?: string;
  hide: Set<string>;
  backend?: string;
  /** wasm threads to try (?threads=N). */
  threads?: number;
  /** Training workers, this one included (?workers=N; default one per core). */
  workers?: number;
  /** ?faults=1: show the fault buttons (tests of recovery). */
  faults: boolean;
  /** ?timeAll=1: time software GPU adapters against wasm too, instead of refusing them. */
  timeAll: boolean;
  /** Flag values that were not understood (and ignored), for one notice. */
  problems: string[];
}

export const HIDEABLE = ['controls', 'article', 'device', 'gallery', 'exports', 'notes'] as const;
/** The backends ?backend= may force (the worker's order: backend.ts). */
export const BACKENDS = ['webgpu', 'webgl', 'wasm', 'cpu'] as const;

/** A whole number from 1 to `max` (larger ones are capped), undefined when absent; a problem when not a number. */
function count(q: URLSearchParams, key: string, max: number, problems: string[]): number | undefined {
  const text = q.get(key);
  if (text === null) return undefined;
  if (!/^\d{1,6}$/.test(text) || Number(text) < 1) {
    problems.push(`?${key}=${capped(text, 20)} is not a whole number from 1`);
    return undefined;
  }
  return Math.min(Number(text), max);
}

/** The page flags of a query; values it does not know are ignored and named in `problems`. */
export function pageFlags(search: string): PageFlags {
  const q = new URLSearchParams(search);
  const problems: string[] = [];
  const parts = (q.get('hide') ?? '').split(',').filter((x) => x !== '');
  const hide = new Set(parts.filter((x) => (HIDEABLE as readonly string[]).includes(x)));
  const unknownParts = parts.filter((x) => !hide.has(x));
  if (unknownParts.length)
    problems.push(
      `?hide= names no part ${unknownParts
        .slice(0, 3)
        .map((x) => JSON.stringify(capped(x, 20)))
        .join(', ')} ` + `(parts: ${HIDEABLE.join(', ')})`,
    );
  const mode = q.get('mode');
  if (mode !== null && mode !== 'class') problems.push(`?mode=${capped(mode, 20)} is unknown (the mode is class)`);
  const classroom = mode === 'class';
  if (classroom && !q.has('hide')) for (const h of ['controls', 'device', 'exports', 'notes']) hide.add(h);
  const findingText = q.get('finding');
  if (findingText !== null && !isPresetId(findingText))
    problems.push(`?finding=${capped(findingText, 40)} is no finding (known: ${presetIds().join(', ')})`);
  // An unknown ?preset= is reported by the readable link (decodeReadable), once.
  const finding = [findingText, q.get('preset')].find(isPresetId);
  const backendText = q.get('backend');
  const backend = (BACKENDS as readonly string[]).includes(backendText ?? '') ? backendText! : undefined;
  if (backendText !== null && !backend)
    problems.push(`?backend=${capped(backendText, 20)} is unknown (backends: ${BACKENDS.join(', ')})`);
  return {
    classroom,
    finding,
    hide,
    backend,
    faults: q.get('faults') === '1',
    timeAll: q.get('timeAll') === '1',
    threads: count(q, 'threads', 16, problems),
    workers: count(q, 'workers', 4, problems),
    problems,
  };
}

/** The query with the experiment part replaced (page flags kept). */
export function withExperimentQuery(search: string, readable: string | undefined): string {
  const q = new URLSearchParams(search);
  for (const k of readableParams()) q.delete(k);
  if (readable) for (const [k, val] of new URLSearchParams(readable)) q.set(k, val);
  const s = q.toString();
  return s ? `?${s}` : '';
}

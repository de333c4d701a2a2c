// Everything about an experiment lives in the address: the full config in the hash
// (#v=2&c=<base64url JSON>&h=<checksum>), or, for the common settings, a readable query
// (?preset=interference&order=shuffle-period&instances=5). A damaged link is refused, never read as
// another config; a malformed or newer one gets a clear message and no config.
import {
  CONFIG_SCHEMA_VERSION,
  hashHex,
  parseConfig,
  stableStringify,
  type ExperimentConfig,
} from '../../engine/schema/config';
import { findingById } from '../../engine/findings/registry';
import { CONFIG_LIMITS, parseJsonLimited } from '../../engine/core/jsonLimits';
import { preset, SCALE_IDS } from '../../engine/schema/scales';
import { getAt, setAt, SETTINGS } from './table';

export const LINK_VERSION = 2;
/** Longer hashes are refused unread (a config is < 2 kB). */
export const MAX_LINK = 20_000;

const toB64url = (s: string) => {
  const bytes = new TextEncoder().encode(s);
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
};
const fromB64url = (s: string) => {
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
  { kind: 'none' } | { kind: 'ok'; config: ExperimentConfig } | { kind: 'error'; message: string };
const fallback = 'The default experiment is shown instead.';

export function decodeLink(hash: string): LinkResult {
  const h = hash.replace(/^#/, '');
  if (!h) return { kind: 'none' };
  if (h.length > MAX_LINK)
    return {
      kind: 'error',
      message:
        `This link is ${h.length.toLocaleString('en')} characters long, far more than any experiment ` +
        `needs: it was not read. ${fallback}`,
    };
  const params = new URLSearchParams(h);
  const v = params.get('v');
  const c = params.get('c');
  if (v === null || c === null)
    return {
      kind: 'error',
      message: `This link is not a Supernet Playground experiment link (it lacks v= or c=). ${fallback}`,
    };
  if (!/^\d+$/.test(v))
    return { kind: 'error', message: `This link has an unreadable version "${v.slice(0, 20)}". ${fallback}` };
  if (Number(v) > LINK_VERSION)
    return {
      kind: 'error',
      message:
        `This link was made by a newer version of Supernet Playground (link v${v}, this page reads ` +
        `v${LINK_VERSION}). Reload to get the newest page; ${fallback.toLowerCase()}`,
    };
  // Version 1 links carried no checksum; they are still read (and migrated).
  if (Number(v) >= 2 && params.get('h') !== checksum(c))
    return {
      kind: 'error',
      message:
        `This link is damaged: its checksum does not match (a character was changed or lost when it was ` +
        `copied). ${fallback}`,
    };
  let raw: unknown;
  try {
    raw = parseJsonLimited(fromB64url(c), MAX_LINK, CONFIG_LIMITS, 'the link');
  } catch (e) {
    const m = (e as Error).message;
    return {
      kind: 'error',
      message:
        /not valid JSON|atob|decode|character/i.test(m) || e instanceof DOMException
          ? `This link is damaged (its experiment data cannot be decoded) — perhaps it was cut off when copied. ` +
            `${fallback}`
          : `This link was not read: ${m}. ${fallback}`,
    };
  }
  try {
    const s = (raw as { schemaVersion?: unknown })?.schemaVersion;
    if (typeof s === 'number' && s > CONFIG_SCHEMA_VERSION)
      throw new Error(`config schema v${s} is newer than this page's v${CONFIG_SCHEMA_VERSION}`);
    return { kind: 'ok', config: parseConfig(raw) };
  } catch (e) {
    return { kind: 'error', message: `This link's experiment is not valid: ${(e as Error).message}. ${fallback}` };
  }
}

/** The readable link parameters, in query order: preset=, then the settings table's (table.ts). */
export const readableParams = (): string[] => ['preset', ...SETTINGS.flatMap((s) => (s.param ? [s.param] : []))];

function basePreset(id: string): ExperimentConfig | undefined {
  const g = findingById(id);
  if (g) return structuredClone(g.config);
  return (SCALE_IDS as string[]).includes(id) ? preset(id) : undefined;
}

function applyReadable(base: ExperimentConfig, q: URLSearchParams): ExperimentConfig {
  const c = structuredClone(base);
  for (const s of SETTINGS) if (s.param && q.has(s.param)) setAt(c, s.path, s.read(q.get(s.param)!, s.param));
  // The schema checks the bounds.
  return parseConfig(c);
}

/** ?preset=…&order=… → a config, none (no preset= in the query), or an error message. */
export function decodeReadable(search: string): LinkResult {
  const q = new URLSearchParams(search);
  const id = q.get('preset');
  if (id === null) return { kind: 'none' };
  const base = basePreset(id);
  if (!base) return { kind: 'error', message: `This link names an unknown preset "${id.slice(0, 40)}". ${fallback}` };
  try {
    return { kind: 'ok', config: applyReadable(base, q) };
  } catch (e) {
    return { kind: 'error', message: `This link's settings are not valid: ${(e as Error).message}. ${fallback}` };
  }
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
}

export const HIDEABLE = ['controls', 'article', 'device', 'gallery', 'exports', 'notes'] as const;

export function pageFlags(search: string): PageFlags {
  const q = new URLSearchParams(search);
  const hide = new Set((q.get('hide') ?? '').split(',').filter((x) => (HIDEABLE as readonly string[]).includes(x)));
  const classroom = q.get('mode') === 'class';
  if (classroom && !q.has('hide')) for (const h of ['controls', 'device', 'exports', 'notes']) hide.add(h);
  const threads = Number(q.get('threads'));
  const workers = Number(q.get('workers'));
  return {
    classroom,
    finding: q.get('finding') ?? q.get('preset') ?? undefined,
    hide,
    backend: q.get('backend') ?? undefined,
    faults: q.get('faults') === '1',
    threads: Number.isInteger(threads) && threads > 0 ? Math.min(threads, 16) : undefined,
    workers: Number.isInteger(workers) && workers > 0 ? Math.min(workers, 4) : undefined,
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

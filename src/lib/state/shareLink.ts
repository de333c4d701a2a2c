// The whole experiment config in the URL hash: #v=1&c=<base64url(JSON)>. Versioned; a malformed or
// newer link yields a clear message and no config (the caller keeps what it has).
import { CONFIG_SCHEMA_VERSION, validateConfig, type ExperimentConfig } from '../../engine/config';

export const LINK_VERSION = 1;

const toB64url = (s: string) => btoa(String.fromCharCode(...new TextEncoder().encode(s))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
const fromB64url = (s: string) => {
  const bin = atob(s.replace(/-/g, '+').replace(/_/g, '/'));
  return new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(bin, (c) => c.charCodeAt(0)));
};

export function encodeLink(cfg: ExperimentConfig): string {
  return `#v=${LINK_VERSION}&c=${toB64url(JSON.stringify(cfg))}`;
}

export type LinkResult = { kind: 'none' } | { kind: 'ok'; config: ExperimentConfig } | { kind: 'error'; message: string };

export function decodeLink(hash: string): LinkResult {
  const h = hash.replace(/^#/, '');
  if (!h) return { kind: 'none' };
  const params = new URLSearchParams(h);
  const v = params.get('v');
  const c = params.get('c');
  if (v === null || c === null) return { kind: 'error', message: 'This link is not a Supernet Playground experiment link (it lacks v= or c=). The default experiment is shown instead.' };
  if (!/^\d+$/.test(v)) return { kind: 'error', message: `This link has an unreadable version "${v}". The default experiment is shown instead.` };
  if (Number(v) > LINK_VERSION) return { kind: 'error', message: `This link was made by a newer version of Supernet Playground (link v${v}, this page reads v${LINK_VERSION}). Reload to get the newest page; the default experiment is shown meanwhile.` };
  let cfg: ExperimentConfig;
  try {
    cfg = JSON.parse(fromB64url(c));
  } catch {
    return { kind: 'error', message: 'This link is damaged (its experiment data cannot be decoded) — perhaps it was cut off when copied. The default experiment is shown instead.' };
  }
  try {
    if (cfg?.schemaVersion > CONFIG_SCHEMA_VERSION) throw new Error(`config schema v${cfg.schemaVersion} is newer than this page's v${CONFIG_SCHEMA_VERSION}`);
    return { kind: 'ok', config: validateConfig(cfg) };
  } catch (e) {
    return { kind: 'error', message: `This link's experiment is not valid: ${(e as Error).message}. The default experiment is shown instead.` };
  }
}

// The runs of a visit: every run shown, recorded or live, kept so that a what-if is drawn beside the run before it.
// Pure functions of configs and records; the session holds the list and which runs are compared.
import { FINDINGS } from '../../engine/findings/registry';
import { experimentHash, type ExperimentConfig } from '../../engine/schema/config';
import type { RunRecord } from '../../engine/schema/record';
import { policyLabel, type SharingPolicy } from '../../engine/space/sharing';
import { getAt, SETTINGS } from '../settings/table';
import { encodeReadable } from '../settings/links';

/** Runs kept per visit (a record can be megabytes; the oldest goes first). */
export const MAX_VISIT_RUNS = 12;

/** One key per run: a recording by what its experiment is, a live run by its experiment and when it was made. */
export const visitKey = (r: RunRecord): string =>
  r.source === 'run' ? `run:${experimentHash(r.config)}:${r.createdAt}` : `${r.source}:${experimentHash(r.config)}`;

/** The list with `r` added (or moved to the end), at most MAX_VISIT_RUNS long. */
export function withRun(list: RunRecord[], r: RunRecord): RunRecord[] {
  if (r.status !== 'complete') return list;
  const k = visitKey(r);
  return [...list.filter((x) => visitKey(x) !== k), r].slice(-MAX_VISIT_RUNS);
}

/**
 * What `run` changes against `base`, in the settings' own words ("order: shuffled every period · seed: 3");
 * "the same settings" when nothing in the settings differs.
 */
export function differences(run: ExperimentConfig, base: ExperimentConfig): string {
  const out: string[] = [];
  for (const s of SETTINGS) {
    const name = s.field?.label.toLowerCase() ?? s.param;
    // The name is not what an experiment is (recordings keep their preset's name).
    if (!name || s.path === 'name') continue;
    const a = getAt(run, s.path);
    if (s.write(a) === s.write(getAt(base, s.path))) continue;
    // The sharing policy in the card's words ("groups m=4 (similarity)"), not its link text ("groups:4:similarity").
    const shown =
      s.path === 'sharing'
        ? policyLabel(a as SharingPolicy)
        : s.field?.optionLabel
          ? (s.field.optionLabel as (v: unknown) => string)(a)
          : s.write(a);
    out.push(`${name}: ${shown}`);
  }
  return out.length ? out.join(' · ') : 'the same settings';
}

/** The finding a config belongs to, by its name (a preset, its contrasts and what-ifs are named `<id>-…`). */
const findingOf = (c: ExperimentConfig) => FINDINGS.find((g) => c.name === g.id || c.name.startsWith(`${g.id}-`));

/**
 * A compared run's label: what differs from the experiment on screen, and whether it was recorded or run here;
 * a run of another finding's tab says which ("The best child varies: seed: 3 · … (recorded)").
 */
export function runLabel(r: RunRecord, current: ExperimentConfig): string {
  const from = findingOf(r.config);
  const tab = from && from !== findingOf(current) ? `${from.title}: ` : '';
  return `${tab}${differences(r.config, current)} (${r.source === 'run' ? 'run here' : 'recorded'})`;
}

/** A compared run that is the preset itself (no readable settings differ): `compare=preset`, not an empty value. */
const PRESET_ITSELF = 'preset';

/**
 * The compared runs as address parameters: each its readable settings against the preset on screen, without the
 * preset itself (`compare=order%3Dshuffle-period`). A run that is no preset plus readable settings is left out.
 */
export function compareParams(runs: RunRecord[], presetId: string): string[] {
  const out: string[] = [];
  for (const r of runs) {
    const q = encodeReadable(r.config, presetId);
    if (!q) continue;
    const p = new URLSearchParams(q.slice(1));
    p.delete('preset');
    out.push(p.toString() || PRESET_ITSELF);
  }
  return out;
}

/** The readable queries of the compared runs named in an address, for the preset on screen. */
export function comparedQueries(search: string, presetId: string): string[] {
  return new URLSearchParams(search)
    .getAll('compare')
    .slice(0, MAX_VISIT_RUNS)
    .map((c) => `?preset=${encodeURIComponent(presetId)}${c && c !== PRESET_ITSELF ? `&${c}` : ''}`);
}

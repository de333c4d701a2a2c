// The findings report over several instances, as data the page can show beside a single run: a finding card then
// says what this run shows and what the report's N instances show, so one atypical recording cannot mislead.
// Written by `findings --json`; each result names the config hashes it was made from, so a stale summary (a
// gallery config changed since) is not shown.
import * as v from 'valibot';
import type { FindingResult } from './verdicts';
import { int, list, text } from '../core/schemaKit';

const rowSchema = v.object({
  statistic: text(300),
  ours: text(300),
  holds: v.optional(v.boolean()),
  undecided: v.optional(v.boolean()),
  reference: v.optional(v.boolean()),
});

export const findingsSummarySchema = v.object({
  kind: v.literal('findings'),
  createdAt: text(40),
  instances: int(1, 1000),
  data: text(300),
  results: list(
    v.object({
      /** The registry id of the finding ('ground-truth' for the truth's own quality). */
      id: text(60),
      configHashes: list(text(32), 20),
      rows: list(rowSchema, 20),
      verdict: text(2000),
    }),
    10,
  ),
});
export type FindingsSummary = v.InferOutput<typeof findingsSummarySchema>;
export type SummaryResult = FindingsSummary['results'][number];
export type CardSummary = SummaryResult & { instances: number };

export function findingsSummary(
  results: { result: FindingResult; configHashes: string[] }[],
  o: { instances: number; data: string; createdAt?: string },
): FindingsSummary {
  return {
    kind: 'findings',
    createdAt: o.createdAt ?? new Date().toISOString(),
    instances: o.instances,
    data: o.data,
    results: results.map(({ result, configHashes }) => ({
      id: result.id,
      configHashes,
      rows: result.rows.map((r) => ({
        statistic: r.statistic,
        ours: r.ours,
        holds: r.holds,
        undecided: r.undecided,
        reference: r.reference,
      })),
      verdict: result.verdict,
    })),
  };
}

/** A summary read back, or undefined when it is not one (a shipped file is still checked, not trusted). */
export function parseFindingsSummary(raw: unknown): FindingsSummary | undefined {
  const r = v.safeParse(findingsSummarySchema, raw);
  return r.success ? r.output : undefined;
}

/** The summary's result for a finding (with the instances it covers), if it was made from exactly this config. */
export function summaryFor(s: FindingsSummary | undefined, id: string, configHash: string): CardSummary | undefined {
  const r = s?.results.find((x) => x.id === id && x.configHashes.includes(configHash));
  return r && s ? { ...r, instances: s.instances } : undefined;
}

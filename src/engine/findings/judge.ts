// Every registered finding judged from its runs, and the results as the report's markdown: the CLI's `findings`
// fills the runs (training what is missing), this turns them into statistics, verdicts and text.
import { configHash, type ExperimentConfig } from '../schema/config';
import type { GroundTruth, RunRecord } from '../schema/record';
import type { FindingDef, LabelledRun } from './findingDef';
import { configsOf, FINDINGS, findingNumber } from './registry';
import { holdsText, type FindingResult } from './verdicts';

export interface JudgedResult {
  result: FindingResult;
  /** The configs the result was made from (the page shows a summary only beside the same config). */
  configHashes: string[];
}

/** Each finding's results from the record of its config and of each contrast, in registry order. */
export async function judgeFindings(
  recordOf: (c: ExperimentConfig) => Promise<RunRecord>,
  context: { paperGroundTruth?: GroundTruth },
  hashOf: (c: ExperimentConfig) => string = configHash,
  findings: FindingDef[] = FINDINGS,
): Promise<JudgedResult[]> {
  const out: JudgedResult[] = [];
  for (const g of findings) {
    const main = await recordOf(g.config);
    const contrasts: LabelledRun[] = [];
    for (const c of g.contrasts) contrasts.push({ label: c.label, rec: await recordOf(c.config) });
    const configHashes = configsOf(g).map(hashOf);
    for (const result of g.judge(main, contrasts, context)) out.push({ result, configHashes });
  }
  return out;
}

/** The results as markdown sections: a heading, the table of rows, the verdict. */
export function findingsMarkdown(results: FindingResult[]): string[] {
  const lines: string[] = [];
  for (const r of results) {
    const n = findingNumber(r.id);
    lines.push(
      `## ${n ? `Finding ${n}: ` : ''}${r.title}`,
      '',
      '| statistic | paper | ours | target | holds |',
      '| --- | --- | --- | --- | --- |',
    );
    for (const row of r.rows)
      lines.push(
        `| ${row.statistic} | ${row.paper} | ${row.ours} | ${row.target} | ` +
          `${row.holds === false ? `**${holdsText(row)}**` : holdsText(row)} |`,
      );
    lines.push('', r.verdict, '');
  }
  return lines;
}

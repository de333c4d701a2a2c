// One finding of the paper, as one entry: the experiment that shows it and the contrasts it needs, what the page
// says about it, the charts it is about, and how its statistics and verdict come from the runs. The card, the CLI's
// report, the gallery and the article all read the registry (registry.ts); adding a finding is adding one entry.
import type { ExperimentConfig } from '../schema/config';
import type { GroundTruth, RunRecord } from '../schema/record';
import type { FindingResult } from './verdicts';

/** The same experiment with one thing changed, recorded beside it (e.g. the reshuffled order). */
export interface Contrast {
  label: string;
  config: ExperimentConfig;
}

/** A run of a contrast, under the contrast's label. */
export interface LabelledRun {
  label: string;
  rec: RunRecord;
}

export interface FindingDef {
  /** URL and file id: `?preset=<id>`, public/runs/, the findings summary. */
  id: string;
  title: string;
  /** The paper's claim, one sentence (the card). */
  claim: string;
  /** What to look at in the charts (the card). */
  lookAt: string;
  /** The finding in the article under the tool: what the paper found. `[[term]]` marks a glossary term. */
  article: string;
  /** The chart ids this finding is about, its key chart first (the page's chart registry). */
  charts: string[];
  config: ExperimentConfig;
  contrasts: Contrast[];
  /**
   * The statistics and verdicts from a run of `config` and the runs of its contrasts (by label; a contrast may be
   * missing). The result whose id is this finding's is the card's; others (the ground truth's quality) go in the
   * report beside it.
   */
  judge(main: RunRecord, contrasts: LabelledRun[], context: { paperGroundTruth?: GroundTruth }): FindingResult[];
}

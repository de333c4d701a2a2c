// The findings, in the order the page's tabs and the report list them. One entry per finding (findingDef.ts); the
// card, the CLI's report, the gallery and the article read this list, so a finding added here appears in all.
import type { ExperimentConfig } from '../schema/config';
import { BEST_VARIES } from './bestVaries';
import type { FindingDef } from './findingDef';
import { INTERFERENCE } from './interference';
import { LESS_SHARING } from './lessSharing';
import { SIGNAL } from './signal';

export const FINDINGS: FindingDef[] = [BEST_VARIES, SIGNAL, INTERFERENCE, LESS_SHARING];

export const findingById = (id: string): FindingDef | undefined => FINDINGS.find((g) => g.id === id);

/** The finding's number as the page and the report show it (1-based), or 0 for a result that is no finding. */
export const findingNumber = (id: string): number => FINDINGS.findIndex((g) => g.id === id) + 1;

/** A finding's own config and its contrasts' configs. */
export const configsOf = (g: FindingDef): ExperimentConfig[] => [g.config, ...g.contrasts.map((c) => c.config)];

/** Every config the gallery ships a recording for. */
export const galleryConfigs = (): ExperimentConfig[] => FINDINGS.flatMap(configsOf);

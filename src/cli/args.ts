// The CLI's options and usage, listed from the engine's registries, and the config they build.
import { readTextBounded } from '../node/files';
import { parseConfig, stripControl, type ExperimentConfig } from '../engine/schema/config';
import { checkJsonLimits, CONFIG_LIMITS, parseJsonLimited } from '../engine/core/jsonLimits';
import { MAX_RECORD_BYTES, RECORD_LIMITS } from '../engine/schema/record';
import { DATASET_IDS } from '../engine/data/sources';
import { SCALE_IDS, preset } from '../engine/schema/scales';
import { isOrderMode, ORDER_IDS, ORDER_MODES } from '../engine/space/orders';
import { SHARING, parseSharing, sharingKinds } from '../engine/space/sharing';
import type { Shard } from '../engine/train/groundTruth';

export const OPTIONS = {
  preset: { type: 'string' },
  config: { type: 'string' },
  backend: { type: 'string', default: 'wasm' },
  seeds: { type: 'string' },
  sharing: { type: 'string' },
  order: { type: 'string' },
  epochs: { type: 'string' },
  finetune: { type: 'string' },
  data: { type: 'string' },
  out: { type: 'string' },
  json: { type: 'string' },
  policies: { type: 'string' },
  shard: { type: 'string' },
  instances: { type: 'string' },
  only: { type: 'string' },
  workers: { type: 'string' },
  resume: { type: 'string' },
  child: { type: 'string' },
  steps: { type: 'string' },
  'compute-gt': { type: 'boolean', default: false },
  'what-ifs': { type: 'boolean', default: false },
  yes: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h' },
  debug: { type: 'boolean', default: false },
} as const;

export type Values = {
  -readonly [K in keyof typeof OPTIONS]?: (typeof OPTIONS)[K]['type'] extends 'boolean' ? boolean : string;
};

/** The usage text, listed from the registries as they are now. */
export const usage = () => `usage: npm run cli -- <command> [options]

commands:
  run          train supernet instances and evaluate every child (writes a run record)
  groundtruth  train each child alone (no sharing); with --shard i/n only every n-th run (a job array)
  merge        join ground-truth shards: merge <shard files or folders> --out <file>
  sweep        run a grid of sharing policies (one record per policy)
  findings     run the gallery presets and write the findings report (docs/findings.md)
  gallery      record every gallery preset and its contrasts for the page (public/runs/<config hash>.json)
  probe        interference, directly: train one child a few steps from a supernet checkpoint, see who moves

options:
  --preset <${SCALE_IDS.join('|')}>   start from a preset (default tiny)
  --config <file.json>           start from a config file instead (an experiment config, or a run record)
  --backend <wasm|cpu|webgpu>    tfjs backend (default wasm; webgpu runs through Dawn, npm 'webgpu')
  --seeds <n | a,b,c>            number of instances, or consecutive base seeds
  --sharing <policy>             ${sharingKinds()
    .map((k) => SHARING[k].format(SHARING[k].defaults as never))
    .join(' | ')}
${sharingKinds()
  .map(
    (k) =>
      `                                   ${SHARING[k].format(SHARING[k].defaults as never).padEnd(22)} ` +
      `${SHARING[k].help}`,
  )
  .join('\n')}
  --order <mode>                 ${ORDER_IDS.join(' | ')}
${ORDER_IDS.map((o) => `                                   ${o.padEnd(22)} ${ORDER_MODES[o].help}`).join('\n')}
  --epochs <n>  --finetune <n>   override epochs; fine-tune steps per child after training
  --data <path>                  CIFAR-10 folder or cifar-10-binary.tar.gz (default data/cifar10)
                                 (the config's data.source: ${DATASET_IDS.join(', ')})
  --out <file>                   run record (run) / ground truth or shard (groundtruth) / folder (sweep, gallery)
                                 / report (findings)
  --resume <partial.json>        run: continue a partial record (Ctrl-C) to the same result as an uninterrupted run;
                                 probe: start from its checkpoint (default: train one instance here first)
  --child <name>  --steps <n>    probe: the child to train (e.g. 243) and its steps (default 8)
  --shard <i/n>                  groundtruth: this shard of n (also from SLURM_ARRAY_TASK_ID/COUNT,
                                 or JOB_COMPLETION_INDEX + SHARD_COUNT)
  --policies <p1,p2,...>         sweep: the sharing policies
                                 (default full,groups:4:similarity,groups:16:random,prefix:0)
  --instances <n>                findings: instances per preset (default 5)
  --json <file>                  findings: also write the report as data for the page's finding cards
                                 (public/findings.json)
  --only <ids>                   findings: run only these presets' (or configs') experiments, e.g. less-sharing or
                                 less-sharing-sim8, without the report
  --workers <n>                  run/findings/gallery: train up to n instances side by side, one thread each
                                 (default 1; the numbers are the same)
  --compute-gt                   run/sweep: compute missing ground truth first (children × seeds trained alone)
  --what-ifs                     gallery: also record each card's what-ifs (other orders, sharing degrees, seeds 1-4)
  --yes                          start even if the cost estimate is over the limit (2 h or 3 GB)
  --debug                        on an unexpected error, print where it happened (also SUPERNET_DEBUG=1)
  -h, --help                     print this
`;

/** A whole number written in decimal digits: '0x10', '1e3', '' and ' 4' are refused, not read as numbers. */
export const wholeNumber = (s: string, what: string): number => {
  const n = Number(s);
  if (!/^\d{1,15}$/.test(s) || !Number.isSafeInteger(n))
    throw new Error(`${what} must be a whole number, got '${stripControl(s).slice(0, 40)}'`);
  return n;
};
const int = wholeNumber;

/** The experiment config an invocation names: a preset or --config file, then the overrides. Checked once, here. */
export function buildConfig(v: Values): ExperimentConfig {
  let raw: unknown;
  if (typeof v.config === 'string') {
    // A config, or a run record whose config is taken: records are larger, so their limits first.
    const what = `--config ${stripControl(v.config).slice(0, 120)}`;
    const text = readTextBounded(v.config, MAX_RECORD_BYTES, '--config');
    if (text.trim() === '') throw new Error(`${what} is empty: give an experiment config (JSON)`);
    const parsed = parseJsonLimited(text, MAX_RECORD_BYTES, RECORD_LIMITS, what);
    raw =
      parsed && typeof parsed === 'object' && (parsed as { kind?: unknown }).kind === 'supernet-playground/run'
        ? (parsed as { config: unknown }).config
        : parsed;
    checkJsonLimits(raw, CONFIG_LIMITS, what);
  } else raw = preset(v.preset ?? 'tiny');
  if (raw && typeof raw === 'object' && !Array.isArray(raw) && Object.keys(raw).length === 0)
    throw new Error('invalid config: the file holds an empty object {}');
  const cfg = parseConfig(raw);
  if (v.seeds !== undefined) {
    const list = v.seeds.split(',').map((s) => int(s, '--seeds'));
    if (list.length === 1) cfg.instances = list[0];
    else {
      if (list.some((s, i) => s !== list[0] + i))
        throw new Error('--seeds a,b,c must be consecutive (instance i uses base seed + i)');
      cfg.seed = list[0];
      cfg.instances = list.length;
    }
  }
  if (v.sharing !== undefined) cfg.sharing = parseSharing(v.sharing);
  if (v.order !== undefined) {
    if (!isOrderMode(v.order)) throw new Error(`--order must be one of ${ORDER_IDS.join(', ')}`);
    cfg.train.order = v.order;
  }
  if (v.epochs !== undefined) cfg.train.epochs = int(v.epochs, '--epochs');
  if (v.finetune !== undefined) cfg.finetune.steps = int(v.finetune, '--finetune');
  return parseConfig(cfg);
}

/** --shard i/n, else a scheduler's job-array variables (Slurm, Kubernetes Indexed Jobs), else undefined. */
export function shardFrom(v: Values, env: NodeJS.ProcessEnv = process.env): Shard | undefined {
  if (v.shard !== undefined) {
    const m = /^(\d+)\/(\d+)$/.exec(v.shard.trim());
    if (!m) throw new Error(`--shard must look like i/n (e.g. 0/4), got '${stripControl(v.shard).slice(0, 40)}'`);
    return checkShard({ index: +m[1], count: +m[2] }, '--shard');
  }
  if (env.SLURM_ARRAY_TASK_ID !== undefined) {
    const id = int(env.SLURM_ARRAY_TASK_ID, 'SLURM_ARRAY_TASK_ID');
    const min = env.SLURM_ARRAY_TASK_MIN ? int(env.SLURM_ARRAY_TASK_MIN, 'SLURM_ARRAY_TASK_MIN') : 0;
    if (!env.SLURM_ARRAY_TASK_COUNT)
      throw new Error('SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_COUNT is not (Slurm ≥ 17.11 sets it)');
    return checkShard(
      { index: id - min, count: int(env.SLURM_ARRAY_TASK_COUNT, 'SLURM_ARRAY_TASK_COUNT') },
      'Slurm array',
    );
  }
  if (env.JOB_COMPLETION_INDEX !== undefined) {
    if (!env.SHARD_COUNT)
      throw new Error(
        'JOB_COMPLETION_INDEX is set (a Kubernetes Indexed Job) but SHARD_COUNT is not: set it to the Job’s ' +
          'completions',
      );
    return checkShard(
      { index: int(env.JOB_COMPLETION_INDEX, 'JOB_COMPLETION_INDEX'), count: int(env.SHARD_COUNT, 'SHARD_COUNT') },
      'Indexed Job',
    );
  }
  return undefined;
}

function checkShard(s: Shard, from: string): Shard {
  if (s.count < 1 || s.index >= s.count)
    throw new Error(`${from}: shard ${s.index} of ${s.count} is out of range (index 0..count-1)`);
  return s;
}

// The page's one session: the worker and its state machine, the experiment on screen (config,
// record, recording, contrasts), persistence, ground-truth lookup and the address bar. Components
// read its state and call its methods; App.svelte only lays them out.
import { configHash, groundTruthKey, parseConfig, type ExperimentConfig } from '../../engine/schema/config';
import type { Cost } from '../../engine/train/cost';
import { findingById } from '../../engine/findings/registry';
import { parseRecordText, validateRecord } from '../../engine/schema/readRecord';
import { type GroundTruth, type RunRecord } from '../../engine/schema/record';
import {
  parseFindingsSummary,
  summaryFor,
  type FindingsSummary,
  type CardSummary,
} from '../../engine/findings/summary';
import { preset, SCALE_IDS } from '../../engine/schema/scales';
import {
  decodeLink,
  decodeReadable,
  encodeLink,
  encodeReadable,
  withExperimentQuery,
  type PageFlags,
} from '../settings/links';
import type { DatasetSource, DeviceReport, FromWorker, ProgressInfo } from '../worker/protocol';
import { compareRuns, type Comparison } from '../findings/compare';
import {
  allRuns,
  clearInterrupted,
  loadInterrupted,
  loadLastRun,
  loadRun,
  saveInterrupted,
  saveRun,
  storageProblems,
} from './persist';
import { TrainerClient } from './trainerClient';

export type Status = 'starting' | 'idle' | 'running' | 'paused' | 'done';
export interface Notice {
  kind: 'error' | 'info';
  text: string;
  /** Where the message belongs: next to the run controls, the settings, or the page as a whole. */
  where: 'run' | 'settings' | 'page';
}

/** Runs estimated above this ask before they start. */
export const ASK_ABOVE_SECONDS = 300;

const base = () => (import.meta.env?.BASE_URL ?? './').replace(/\/?$/, '/');

async function fetchJson(path: string): Promise<unknown | undefined> {
  try {
    const res = await fetch(`${base()}${path}`);
    if (!res.ok) return undefined;
    return JSON.parse(await res.text());
  } catch {
    return undefined;
  }
}

/** Shipped ground truth (public/groundtruth/*.json, made by the CLI) whose key matches the config. */
async function shippedGroundTruth(c: ExperimentConfig): Promise<GroundTruth | undefined> {
  const key = configHash(groundTruthKey(c));
  for (const name of ['tiny', 'paper', c.name]) {
    const gt = (await fetchJson(`groundtruth/${encodeURIComponent(name)}.json`)) as GroundTruth | undefined;
    if (gt?.keyHash === key) return gt;
  }
  return undefined;
}

/** A recording shipped for exactly this config (public/runs/<config hash>.json, made by the CLI). */
async function shippedRecording(c: ExperimentConfig): Promise<RunRecord | undefined> {
  const raw = await fetchJson(`runs/${configHash(c)}.json`);
  if (!raw) return undefined;
  try {
    return validateRecord(raw);
  } catch {
    return undefined;
  }
}

export class Session {
  config = $state<ExperimentConfig>(preset('tiny'));
  /** The preset the config started from (a gallery id or a scale id): names the readable link. */
  presetId = $state<string>('tiny');
  /** What the charts show: a live run, a recording, an opened record or the last stored run. */
  record = $state.raw<RunRecord | undefined>();
  recording = $state.raw<RunRecord | undefined>();
  contrasts = $state.raw<{ label: string; record: RunRecord }[]>([]);
  published = $state.raw<RunRecord | undefined>();
  /** The findings report over several instances (public/findings.json), shown beside a run on the cards. */
  findingsSummary = $state.raw<FindingsSummary | undefined>();
  /** The report's result for the finding on screen, if it was made from exactly the config on screen. */
  get findingSummary(): CardSummary | undefined {
    const g = findingById(this.presetId);
    return g ? summaryFor(this.findingsSummary, g.id, configHash(this.config)) : undefined;
  }
  comparison = $state.raw<Comparison | undefined>();
  runs = $state.raw<RunRecord[]>([]);
  groundTruth = $state.raw<GroundTruth | undefined>();
  gtChecked = $state(false);
  device = $state<DeviceReport | undefined>();
  progress = $state<ProgressInfo | undefined>();
  status = $state<Status>('starting');
  notice = $state<Notice | undefined>();
  cost = $state<Cost | undefined>();
  costError = $state<string | undefined>();
  interrupted = $state.raw<RunRecord | undefined>();
  dataset = $state<DatasetSource>({ kind: 'built-in' });
  datasetLabel = $state('');
  delayMs = $state(0);
  private client!: TrainerClient;
  private pending: RunRecord | undefined;
  private estimateId = 0;
  private estimateTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(readonly flags: PageFlags) {}

  // ---- the worker ----
  startWorker(): void {
    this.client?.terminate();
    this.status = 'starting';
    this.client = new TrainerClient(
      (m) => this.onMessage(m),
      (text) => this.fail(text, true),
    );
    this.client.send({
      type: 'init',
      backend: this.flags.backend,
      threads: this.flags.threads,
      workers: this.flags.workers,
    });
  }

  private fail(text: string, fatal: boolean) {
    this.notice = { kind: 'error', text, where: 'run' };
    if (fatal)
      this.startWorker(); // a broken backend (out of memory, lost device) gets a fresh worker
    else this.status = this.device ? 'idle' : 'starting';
  }

  private onMessage(m: FromWorker) {
    switch (m.type) {
      case 'ready':
        this.device = m.device;
        this.status = 'idle';
        this.requestEstimate();
        break;
      case 'progress':
        this.progress = m.progress;
        break;
      case 'evaluation':
        this.showLater(m.record);
        break;
      case 'checkpoint':
        void saveInterrupted(m.record).catch(() => undefined);
        break;
      case 'paused':
        this.status = m.paused ? 'paused' : 'running';
        break;
      case 'result':
        this.pending = undefined;
        this.record = m.record;
        this.status = 'done';
        this.comparison = this.recording ? compareRuns(m.record, this.recording) : undefined;
        void clearInterrupted().catch(() => undefined);
        void this.persist(m.record);
        break;
      case 'estimate':
        if (m.id !== this.estimateId) break;
        this.cost = m.cost;
        this.costError = m.message;
        break;
      case 'error':
        if (m.record) this.record = m.record;
        this.pending = undefined;
        void clearInterrupted().catch(() => undefined);
        this.fail(m.message, !!m.fatal);
        break;
    }
  }

  /** Evaluations can arrive every few milliseconds (dense window): redraw at most once per frame. */
  private showLater(r: RunRecord) {
    if (!this.pending)
      requestAnimationFrame(() => {
        if (this.pending) this.record = this.pending;
        this.pending = undefined;
      });
    this.pending = r;
  }

  private async persist(r: RunRecord) {
    try {
      await saveRun(r);
      this.runs = await allRuns();
    } catch (e) {
      this.notice = {
        kind: 'error',
        text: `could not keep the run in this browser's storage: ${(e as Error).message}`,
        where: 'page',
      };
    }
  }

  // ---- the experiment on screen ----
  /** Replace the experiment: controls, address bar, charts, recording and ground truth all follow. */
  async setConfig(c: ExperimentConfig, presetId = this.presetId, opts: { keepRecord?: RunRecord } = {}): Promise<void> {
    this.config = structuredClone($state.snapshot(c)) as ExperimentConfig;
    this.presetId = presetId;
    this.comparison = undefined;
    this.record = opts.keepRecord;
    this.recording = undefined;
    this.contrasts = [];
    this.syncUrl();
    this.requestEstimate();
    const hash = configHash(c);
    const [gt, rec] = await Promise.all([shippedGroundTruth(c), shippedRecording(c)]);
    if (configHash(this.config) !== hash) return; // changed meanwhile
    this.groundTruth = gt;
    this.gtChecked = true;
    this.recording = rec;
    if (!this.record && rec) this.record = rec;
    const g = findingById(presetId);
    if (g && configHash(g.config) === hash) {
      const found = await Promise.all(
        g.contrasts.map(async (x) => ({ label: x.label, record: await shippedRecording(x.config) })),
      );
      this.contrasts = found.filter((x): x is { label: string; record: RunRecord } => !!x.record);
    }
  }

  /** A settings change: the charts of the previous experiment are cleared (they no longer describe it). */
  async edit(c: ExperimentConfig): Promise<void> {
    let parsed: ExperimentConfig;
    try {
      // The parsed config, not the edited one: parsing normalises (an unticked "Fixed stem" is the learned
      // default, one hash), so recordings and ground truth are found by the same hash as everywhere else.
      parsed = parseConfig(c);
    } catch (e) {
      this.notice = { kind: 'error', text: (e as Error).message, where: 'settings' };
      return;
    }
    if (this.notice?.where === 'settings') this.notice = undefined;
    await this.setConfig(parsed, this.presetId);
  }

  async loadPreset(id: string): Promise<void> {
    const g = findingById(id);
    await this.setConfig(g ? g.config : preset(id), id);
  }

  syncUrl(): void {
    if (typeof history === 'undefined') return;
    const readable = encodeReadable(this.config, this.presetId);
    const query = withExperimentQuery(location.search, readable);
    history.replaceState(null, '', `${location.pathname}${query}${readable ? '' : encodeLink(this.config)}`);
  }

  get shareLink(): string {
    return encodeLink(this.config);
  }

  requestEstimate(): void {
    clearTimeout(this.estimateTimer);
    if (!this.device || this.status === 'running' || this.status === 'paused') return;
    this.estimateTimer = setTimeout(
      () => this.client.send({ type: 'estimate', config: $state.snapshot(this.config), id: ++this.estimateId }),
      250,
    );
  }

  // ---- running ----
  async start(opts: { resume?: RunRecord; confirmed?: boolean } = {}): Promise<void> {
    const c = opts.resume?.config ?? ($state.snapshot(this.config) as ExperimentConfig);
    if (!opts.confirmed && this.cost && this.cost.seconds > ASK_ABOVE_SECONDS && typeof confirm === 'function') {
      if (
        !confirm(
          `This run will take about ${Math.round(this.cost.seconds / 60)} minutes on ${this.device?.backend}. ` +
            `Start it?`,
        )
      )
        return;
    }
    if (this.notice?.where !== 'page') this.notice = undefined;
    const gt = this.groundTruth ?? (await shippedGroundTruth(c));
    this.record = opts.resume;
    this.comparison = undefined;
    this.progress = undefined;
    this.status = 'running';
    this.interrupted = undefined;
    this.client.send({ type: 'speed', delayMs: this.delayMs });
    this.client.send({
      type: 'start',
      config: c,
      groundTruth: gt,
      dataset: $state.snapshot(this.dataset) as DatasetSource,
      resume: opts.resume,
    });
  }

  /** ?faults=1 only: make the worker fail for real (an impossible allocation), to see the page recover. */
  fault = () => this.client.send({ type: 'fault', kind: 'allocation' });
  pause = () => this.client.send({ type: 'pause' });
  resume = () => this.client.send({ type: 'resume' });
  step = () => this.client.send({ type: 'step' });
  cancel = () => this.client.send({ type: 'cancel' });
  setSpeed(ms: number) {
    this.delayMs = ms;
    this.client?.send({ type: 'speed', delayMs: ms });
  }

  async discardInterrupted(): Promise<void> {
    this.interrupted = undefined;
    await clearInterrupted().catch(() => undefined);
  }

  // ---- files ----
  async useCifarFiles(files: FileList | null): Promise<void> {
    if (!files?.length) return;
    const list = await Promise.all(
      [...files].map(async (f) => ({ name: f.name, bytes: new Uint8Array(await f.arrayBuffer()) })),
    );
    this.dataset = { kind: 'cifar10-files', files: list };
    this.datasetLabel = `CIFAR-10 from ${list.map((f) => f.name).join(', ')}`;
    const c = structuredClone($state.snapshot(this.config) as ExperimentConfig);
    c.data.source = 'cifar10';
    c.data.trainSize = Math.min(c.data.trainSize, 50_000);
    c.data.valSize = Math.min(c.data.valSize, 10_000);
    c.eval.valSize = Math.min(c.eval.valSize, c.data.valSize);
    await this.setConfig(c);
  }

  /** Opens a record file: its config becomes the experiment (controls and address bar follow). */
  async openRecord(file: File): Promise<void> {
    try {
      if (file.size > 50_000_000)
        throw new Error(`${(file.size / 1e6).toFixed(0)} MB is more than the 50 MB a record may have`);
      const rec = await parseInWorkerlessTask(file);
      // A record of no gallery finding is "your experiment": no finding card or paper trace from the last tab.
      await this.setConfig(rec.config, presetOf(rec.config) ?? 'tiny', { keepRecord: rec });
      this.status = this.device ? 'done' : this.status;
    } catch (e) {
      this.notice = { kind: 'error', text: `${file.name}: ${(e as Error).message}`, where: 'page' };
    }
  }

  // ---- start-up ----
  async boot(): Promise<void> {
    const link = decodeLink(location.hash);
    const readable = link.kind === 'none' ? decodeReadable(location.search) : link;
    if (readable.kind === 'error') this.notice = { kind: 'error', text: readable.message, where: 'page' };
    const fromLink = link.kind === 'ok' ? link.config : readable.kind === 'ok' ? readable.config : undefined;
    const presetId =
      // eslint-disable-next-line svelte/prefer-svelte-reactivity -- read once, not state
      new URLSearchParams(location.search).get('preset') ??
      (fromLink ? presetOf(fromLink) : undefined) ??
      this.flags.finding ??
      'tiny';
    void fetchJson('findings.json').then((r) => (this.findingsSummary = parseFindingsSummary(r)));
    void fetchJson('runs/paper-trace.json').then((r) => {
      try {
        this.published = r ? validateRecord(r) : undefined;
      } catch {
        this.published = undefined;
      }
    });
    let saved: RunRecord | undefined;
    try {
      this.runs = await allRuns();
      this.interrupted = await loadInterrupted();
      saved = fromLink ? await loadRun(configHash(fromLink)) : await loadLastRun();
    } catch {
      /* storage unavailable (private mode): runs are simply not kept */
    }
    if (storageProblems.length) this.notice = { kind: 'info', text: storageProblems.join(' '), where: 'page' };
    if (fromLink) await this.setConfig(fromLink, presetId, { keepRecord: saved });
    else if (this.flags.finding && findingById(this.flags.finding)) await this.loadPreset(this.flags.finding);
    else if (saved) await this.setConfig(saved.config, presetOf(saved.config) ?? 'tiny', { keepRecord: saved });
    else await this.loadPreset(this.flags.finding ?? 'best-varies');
    // The worker (tfjs, wasm compilation, the backend self-test) starts once the recording is on screen, so on a
    // 2-core machine it does not compete with the first paint.
    this.startWorker();
  }

  dispose(): void {
    this.client?.terminate();
  }
}

/** The gallery or scale preset a config was made from, by its name (presets name their configs after themselves). */
export function presetOf(c: ExperimentConfig): string | undefined {
  if (findingById(c.name)) return c.name;
  return (SCALE_IDS as string[]).includes(c.name) ? c.name : undefined;
}

/**
 * Parses a record file; JSON.parse of tens of MB blocks for a moment, so it runs in a short-lived worker when it is
 * large.
 */
async function parseInWorkerlessTask(file: File): Promise<RunRecord> {
  const text = await file.text();
  if (text.length < 2_000_000 || typeof Worker === 'undefined') return parseRecordText(text, file.name);
  const w = new Worker(new URL('../worker/parse.worker.ts', import.meta.url), { type: 'module' });
  try {
    return await new Promise<RunRecord>((resolve, reject) => {
      w.onmessage = (ev: MessageEvent<{ ok: boolean; record?: RunRecord; message?: string }>) =>
        ev.data.ok ? resolve(ev.data.record!) : reject(new Error(ev.data.message));
      w.onerror = (ev) => reject(new Error(ev.message || 'the parser crashed'));
      w.postMessage({ text, name: file.name });
    });
  } finally {
    w.terminate();
  }
}

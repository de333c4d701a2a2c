// The page's one session: the worker and its state machine, the experiment on screen (config,
// record, recording, contrasts), persistence, ground-truth lookup and the address bar. Components
// read its state and call its methods; App.svelte only lays them out.
import { compareParams, comparedQueries, differences, runLabel, visitKey, withRun } from './visitRuns';
import {
  configHash,
  experimentHash,
  groundTruthKey,
  parseConfig,
  type ExperimentConfig,
} from '../../engine/schema/config';
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
  isPresetId,
  presetIds,
  withExperimentQuery,
  type PageFlags,
} from '../settings/links';
import type { DatasetSource, DeviceReport, FromWorker, ProbeAnswer, ProgressInfo } from '../worker/protocol';
import { capped, CONSOLE, projectMessage, summarise, technical } from '../worker/userError';
import { compareRuns, type Comparison } from '../findings/compare';
import {
  allRuns,
  clearInterrupted,
  loadInterrupted,
  loadLastRun,
  loadRun,
  saveInterrupted,
  saveRun,
  takeStorageNotice,
} from './persist';
import { RestartPolicy } from './restarts';
import { TrainerClient } from './trainerClient';

/** 'failed': the training worker could not be started after a few tries (restarts.ts); a reload tries again. */
export type Status = 'starting' | 'idle' | 'running' | 'paused' | 'done' | 'failed';
export interface Notice {
  kind: 'error' | 'info';
  text: string;
  /** Where the message belongs: next to the run controls, the settings, or the page as a whole. */
  where: 'run' | 'settings' | 'page';
}

/** Runs estimated above this ask before they start. */
export const ASK_ABOVE_SECONDS = 300;
/** The experiment shown when the address names none, or names one that cannot be read. */
export const DEFAULT_PRESET = 'best-varies';

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

/**
 * A recording shipped for this experiment (public/runs/<experiment hash>.json, made by the CLI), checked. It is found
 * by what the experiment is, not by its name: the recording may carry the name of the preset it was made for.
 */
async function shippedRecording(c: ExperimentConfig): Promise<RunRecord | undefined> {
  const hash = experimentHash(c);
  const raw = await fetchJson(`runs/${hash}.json`);
  if (!raw) return undefined;
  try {
    const rec = validateRecord(raw);
    // A file under this hash that is the recording of another experiment (or whose hash lies) is not this run's.
    if (experimentHash(rec.config) !== hash || rec.configHash !== configHash(rec.config))
      throw new Error('recorded for another experiment');
    return rec;
  } catch (e) {
    console.warn(`shipped recording runs/${hash}.json not used: ${technical(e)}`);
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
  /** Every complete run of this visit, recorded or live (visitRuns.ts), and the keys of those compared. */
  visit = $state.raw<RunRecord[]>([]);
  compared = $state.raw<string[]>([]);
  /** The compared runs other than the one on screen, each labelled by what it changes: drawn over the charts. */
  get overlays(): { label: string; record: RunRecord }[] {
    const here = this.record && visitKey(this.record);
    return this.visit
      .filter((r) => this.compared.includes(visitKey(r)) && visitKey(r) !== here)
      .map((r) => ({ label: runLabel(r, this.config), record: r }));
  }
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
  /** The interference probe: its answer, or why there is none, and whether one is under way. */
  probeResult = $state.raw<ProbeAnswer | undefined>();
  probeMessage = $state<string | undefined>();
  probing = $state(false);
  /** A live run has checkpointed in this worker, so the probe has weights to start from. */
  probeReady = $state(false);
  private client: TrainerClient | undefined;
  private restarts = new RestartPolicy();
  private restartTimer: ReturnType<typeof setTimeout> | undefined;
  private pending: RunRecord | undefined;
  private estimateId = 0;
  private estimateTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(readonly flags: PageFlags) {}

  // ---- the worker ----
  startWorker(): void {
    clearTimeout(this.restartTimer);
    this.client?.terminate();
    this.status = 'starting';
    // A new worker holds no weights to probe.
    this.probeReady = false;
    this.probing = false;
    try {
      this.client = new TrainerClient(
        (m) => this.onMessage(m),
        (text) => this.workerFailed(text, 'the training worker stopped unexpectedly'),
      );
      this.client.send({
        type: 'init',
        backend: this.flags.backend,
        threads: this.flags.threads,
        workers: this.flags.workers,
        timeAll: this.flags.timeAll,
      });
    } catch (e) {
      // new Worker itself refused (a Content-Security-Policy, an unsupported browser).
      this.workerFailed(technical(e), 'the training worker could not be created');
    }
  }

  /**
   * The worker is gone or broken: a new one starts after a pause that doubles (1 s, 2 s, 4 s), and after that many
   * failures in a row none does; the notice says what to do. The last evaluations stay on screen.
   */
  private workerFailed(detail: string, message: string) {
    console.error(`training worker: ${detail}`);
    this.client?.terminate();
    this.client = undefined;
    this.pending = undefined;
    const delay = this.restarts.failed();
    if (delay === undefined) {
      this.status = 'failed';
      this.notice = {
        kind: 'error',
        where: 'run',
        text:
          `The training worker could not be started (${this.restarts.tries} tries; ${CONSOLE}). Reload the page ` +
          `to try again; if it fails again, something blocks this site's scripts (an extension, a filter, or a ` +
          `site being updated). Recordings and charts still work without it.`,
      };
      return;
    }
    this.status = 'starting';
    this.notice = {
      kind: 'error',
      where: 'run',
      text: `${capped(message)}; a new training worker starts in ${delay / 1000} s — finished evaluations are kept`,
    };
    this.restartTimer = setTimeout(() => this.startWorker(), delay);
  }

  private onMessage(m: FromWorker) {
    try {
      this.handle(m);
    } catch (e) {
      this.unexpected(e, "Showing the training worker's message", 'run');
    }
  }

  private handle(m: FromWorker) {
    switch (m.type) {
      case 'ready':
        this.restarts.ready();
        this.device = m.device;
        this.status = 'idle';
        if (this.notice?.where === 'run' && /training worker starts in/.test(this.notice.text)) this.notice = undefined;
        this.requestEstimate();
        break;
      case 'progress':
        this.progress = m.progress;
        break;
      case 'evaluation':
        this.showLater(m.record);
        break;
      case 'checkpoint':
        this.probeReady = true;
        void saveInterrupted(m.record).catch((e) => console.warn('checkpoint not stored:', technical(e)));
        break;
      case 'paused':
        this.status = m.paused ? 'paused' : 'running';
        break;
      case 'result':
        this.pending = undefined;
        this.record = m.record;
        this.visit = withRun(this.visit, m.record);
        this.status = 'done';
        this.comparison = this.recording ? compareRuns(m.record, this.recording) : undefined;
        if (m.record.status === 'partial') this.drawRecordingBeside();
        void clearInterrupted().catch(() => undefined);
        void this.persist(m.record);
        break;
      case 'probe':
        this.probing = false;
        this.probeResult = m.result;
        this.probeMessage = m.message === undefined ? undefined : capped(m.message);
        break;
      case 'estimate':
        if (m.id !== this.estimateId) break;
        this.cost = m.cost;
        this.costError = m.message === undefined ? undefined : capped(m.message);
        break;
      case 'error':
        if (m.record) this.record = m.record;
        this.pending = undefined;
        void clearInterrupted().catch(() => undefined);
        if (m.fatal) this.workerFailed(m.detail ?? m.message, m.message);
        else {
          if (m.detail) console.error(`training worker: ${m.detail}`);
          this.notice = { kind: 'error', text: capped(m.message), where: 'run' };
          this.status = this.device ? 'idle' : 'starting';
        }
        break;
    }
  }

  /**
   * The session's error boundary: an error nobody expected becomes one notice — what failed and what to do — and
   * its technical text goes to the console. The project's own messages (projectMessage) are shown as they are.
   */
  unexpected(e: unknown, what: string, where: Notice['where'] = 'page'): void {
    console.error(`${what}:`, technical(e));
    this.notice = {
      kind: 'error',
      where,
      text: projectMessage(e) ?? `${what} failed unexpectedly (${CONSOLE}); reload the page to try again.`,
    };
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
      console.error('storing the run:', technical(e));
      const full = (e as { name?: string })?.name === 'QuotaExceededError';
      this.notice = {
        kind: 'error',
        text:
          `This run could not be kept in this browser's storage (${full ? 'the storage is full' : CONSOLE}); ` +
          `it stays on screen until you leave — export it (JSON) to keep it.`,
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
    // A record is shown as this experiment's only if it is of exactly this config.
    const keep = opts.keepRecord;
    this.record = keep && configHash(keep.config) === configHash(c) ? keep : undefined;
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
    if (this.record) this.visit = withRun(this.visit, this.record);
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
      console.warn('settings:', technical(e));
      this.notice = {
        kind: 'error',
        text: projectMessage(e) ?? 'These settings could not be read; change the last one back.',
        where: 'settings',
      };
      return;
    }
    if (this.notice?.where === 'settings') this.notice = undefined;
    // A what-if: the run on screen stays, compared, beside the one the new settings bring.
    const before = this.record;
    if (before?.status === 'complete') {
      this.visit = withRun(this.visit, before);
      if (!this.compared.includes(visitKey(before))) this.compared = [...this.compared, visitKey(before)];
    }
    await this.setConfig(parsed, this.presetId);
  }

  /** The experiment on screen is its preset's own (no setting changed). */
  get atPreset(): boolean {
    const g = findingById(this.presetId);
    const base = g ? g.config : (SCALE_IDS as string[]).includes(this.presetId) ? preset(this.presetId) : undefined;
    return !!base && experimentHash(base) === experimentHash(this.config);
  }

  /** A run stopped (cancelled): the recording of these settings, if the visit has it, is drawn beside it. */
  private drawRecordingBeside(): void {
    const key = this.recording && visitKey(this.recording);
    if (key && this.visit.some((r) => visitKey(r) === key)) this.compare(key, true);
  }

  /** Draws a run of the visit over the charts, or stops drawing it. */
  compare(key: string, on: boolean): void {
    const others = this.compared.filter((k) => k !== key);
    this.compared = on ? [...others, key] : others;
    this.syncUrl();
  }

  /** Back to the preset's own experiment, nothing compared (the visit's runs stay listed). */
  async reset(): Promise<void> {
    this.compared = [];
    await this.loadPreset(this.presetId);
  }

  /** A finding or a scale by id; an id that names none gets a notice and the default experiment. */
  async loadPreset(id: string): Promise<void> {
    if (!isPresetId(id)) {
      this.notice = {
        kind: 'error',
        where: 'page',
        text:
          `There is no preset ${JSON.stringify(capped(id, 40))} (known: ${presetIds().join(', ')}); the default ` +
          `experiment is shown instead.`,
      };
      id = DEFAULT_PRESET;
    }
    const g = findingById(id);
    // Another preset is another lesson: nothing of the last one stays compared.
    if (id !== this.presetId) this.compared = [];
    await this.setConfig(g ? g.config : preset(id), id);
  }

  syncUrl(): void {
    if (typeof history === 'undefined') return;
    const readable = encodeReadable(this.config, this.presetId);
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a scratch copy of the address, not state
    const q = new URLSearchParams(withExperimentQuery(location.search, readable));
    q.delete('compare');
    // The compared runs travel in the address too, so a link reproduces the comparison.
    if (readable)
      for (const c of compareParams(
        this.overlays.map((o) => o.record),
        this.presetId,
      ))
        q.append('compare', c);
    const query = q.toString() ? `?${q.toString()}` : '';
    history.replaceState(null, '', `${location.pathname}${query}${readable ? '' : encodeLink(this.config)}`);
  }

  get shareLink(): string {
    return encodeLink(this.config);
  }

  requestEstimate(): void {
    clearTimeout(this.estimateTimer);
    if (!this.device || this.status === 'running' || this.status === 'paused') return;
    this.estimateTimer = setTimeout(
      () => this.client?.send({ type: 'estimate', config: $state.snapshot(this.config), id: ++this.estimateId }),
      250,
    );
  }

  // ---- running ----
  async start(opts: { resume?: RunRecord; confirmed?: boolean } = {}): Promise<void> {
    // The worker forgets the last run's checkpoint when a run starts.
    this.probeReady = false;
    this.probeResult = undefined;
    try {
      await this.startRun(opts);
    } catch (e) {
      this.unexpected(e, 'Starting the run', 'run');
      this.status = this.device ? 'idle' : 'starting';
    }
  }

  private async startRun(opts: { resume?: RunRecord; confirmed?: boolean }): Promise<void> {
    const client = this.client;
    if (!client || (this.status !== 'idle' && this.status !== 'done')) return;
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
    client.send({ type: 'speed', delayMs: this.delayMs });
    client.send({
      type: 'start',
      config: c,
      groundTruth: gt,
      dataset: $state.snapshot(this.dataset) as DatasetSource,
      resume: opts.resume,
    });
  }

  /** ?faults=1 only: make the worker fail for real (an impossible allocation), to see the page recover. */
  fault = () => this.client?.send({ type: 'fault', kind: 'allocation' });
  pause = () => this.client?.send({ type: 'pause' });
  resume = () => this.client?.send({ type: 'resume' });
  step = () => this.client?.send({ type: 'step' });
  cancel = () => this.client?.send({ type: 'cancel' });
  /** Interference, directly: train one child for a few steps from the live run's latest checkpoint. */
  probe(child: number, steps: number): void {
    if (!this.client || this.probing) return;
    this.probing = true;
    this.probeMessage = undefined;
    this.client.send({ type: 'probe', child, steps });
  }

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
    let list: { name: string; bytes: Uint8Array }[];
    try {
      list = await Promise.all(
        [...files].map(async (f) => ({ name: f.name, bytes: new Uint8Array(await f.arrayBuffer()) })),
      );
    } catch (e) {
      console.error('reading the CIFAR-10 files:', technical(e));
      this.notice = {
        kind: 'error',
        text: `The files could not be read (${CONSOLE}); choose them again.`,
        where: 'page',
      };
      return;
    }
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
      console.warn(`opening ${file.name}:`, technical(e));
      const own = projectMessage(e);
      // JSON.parse's own words ("Unexpected token…") stay in the console.
      const why = !own
        ? `it could not be read (${CONSOLE})`
        : /is not valid JSON/.test(own)
          ? 'it is not valid JSON (perhaps cut off, or not a run record)'
          : own;
      this.notice = { kind: 'error', text: `${capped(file.name, 80)}: ${why}`, where: 'page' };
    }
  }

  // ---- start-up ----
  /**
   * Opens the experiment the address names (or the last run, or the default) and then starts the worker — always,
   * whatever failed before it. Every problem found on the way (a refused link, unknown page flags, stored entries set
   * aside) ends up in one notice.
   */
  async boot(): Promise<void> {
    try {
      const notes = await this.openFromAddress();
      if (notes.length)
        this.notice = {
          kind: notes.some((n) => n.kind === 'error') ? 'error' : 'info',
          text: capped(notes.map((n) => n.text).join(' '), 1200),
          where: 'page',
        };
    } catch (e) {
      this.unexpected(e, 'Opening the experiment');
      await this.loadPreset(DEFAULT_PRESET).catch((e2) => console.error('the default experiment:', technical(e2)));
    } finally {
      // The worker (tfjs, wasm compilation, the backend self-test) starts once the recording is on screen, so on a
      // 2-core machine it does not compete with the first paint.
      this.startWorker();
    }
  }

  private async openFromAddress(): Promise<{ kind: Notice['kind']; text: string }[]> {
    const notes: { kind: Notice['kind']; text: string }[] = [];
    // Read before the experiment opens: opening it rewrites the address.
    const search = location.search;
    const link = decodeLink(location.hash);
    const readable = link.kind === 'none' ? decodeReadable(location.search) : link;
    if (readable.kind === 'error') notes.push({ kind: 'error', text: readable.message });
    if (readable.kind === 'ok' && readable.ignored) notes.push({ kind: 'error', text: readable.ignored });
    const flagged = this.flags.problems;
    if (flagged.length)
      notes.push({
        kind: 'error',
        text:
          flagged.length === 1
            ? `A page flag was ignored: ${flagged[0]}.`
            : summarise(flagged, (n) => `${n} page flags were ignored`),
      });
    const fromLink = readable.kind === 'ok' ? readable.config : undefined;
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- read once, not state
    const named = new URLSearchParams(location.search).get('preset');
    const presetId =
      (isPresetId(named) ? named : undefined) ??
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
    } catch (e) {
      // Storage unavailable (private mode): runs are simply not kept.
      console.warn('stored runs not read:', technical(e));
    }
    const stored = takeStorageNotice();
    if (stored) notes.push({ kind: 'info', text: stored });
    if (fromLink) await this.setConfig(fromLink, presetId, { keepRecord: saved });
    else if (readable.kind === 'error') await this.loadPreset(DEFAULT_PRESET);
    else if (this.flags.finding) await this.loadPreset(this.flags.finding);
    else if (saved) await this.setConfig(saved.config, presetOf(saved.config) ?? 'tiny', { keepRecord: saved });
    else await this.loadPreset(DEFAULT_PRESET);
    notes.push(...(await this.openCompared(search)));
    return notes;
  }

  /** The runs an address names as compared (`compare=`): their recordings, or a note that they must be run. */
  private async openCompared(search: string): Promise<{ kind: Notice['kind']; text: string }[]> {
    const notes: { kind: Notice['kind']; text: string }[] = [];
    for (const query of comparedQueries(search, this.presetId)) {
      const link = decodeReadable(query);
      if (link.kind !== 'ok' || link.ignoredSettings) {
        const why =
          link.kind === 'error'
            ? link.message
            : link.kind === 'ok'
              ? `${link.ignoredSettings?.join('; ')}; it is not drawn.`
              : 'it names no settings';
        notes.push({ kind: 'error', text: `A compared run in this link was not understood: ${why}` });
        continue;
      }
      const rec = await shippedRecording(link.config);
      if (!rec) {
        const what = differences(link.config, this.config);
        notes.push({ kind: 'info', text: `The compared run (${what}) is not recorded: set it and press ▶ Run.` });
        continue;
      }
      this.visit = withRun(this.visit, rec);
      this.compared = [...this.compared.filter((k) => k !== visitKey(rec)), visitKey(rec)];
    }
    this.syncUrl();
    return notes;
  }

  dispose(): void {
    clearTimeout(this.restartTimer);
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
      w.onerror = (ev) => {
        console.error('record parser:', ev.message);
        reject(new Error(`it could not be parsed: the parser stopped (${CONSOLE})`));
      };
      w.postMessage({ text, name: file.name });
    });
  } finally {
    w.terminate();
  }
}

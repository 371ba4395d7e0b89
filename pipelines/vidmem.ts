/**
 * The application: one store and the models that read and write it, behind plain functions and
 * Observables. Every front end (the command line, the library, later the HTTP and MCP servers) is
 * a thin adapter over this object; the policy lives here: which model a store uses, how a question
 * is answered, what a failed file does to the rest.
 */
import { createRequire } from 'node:module';
import type { Observable, OperatorFunction } from 'rxjs';
import { checkRange, DEFAULTS, LIMITS, readConfig, type Config, type IngestSettings } from '../src/core/config.js';
import { MediaError, NotFoundError, UserError } from '../src/core/errors.js';
import { quote } from '../src/core/quote.js';
import { checkZones, type Zone } from '../src/core/zones.js';
import { formatTimestamp } from '../src/core/time-format.js';
import type { ClipRef, StoredClip } from '../src/core/clips.js';
import { weightedMean } from '../src/core/vector-math.js';
import type { AlertEventRecord, AlertRule } from '../src/core/alerts.js';
import type { NewAlert } from './alert-conditions.js';
import type { ModelIdentity } from '../src/core/model-identity.js';
import type { Moment, TimeWindow } from '../src/core/moments.js';
import type { Decoder } from '../src/core/ports/decoder.js';
import type { Distiller } from '../src/core/ports/distiller.js';
import type { NewEventsOptions } from '../src/alerts/new-events.js';
import type { RgbFrame } from '../src/detection/resize-frame.js';
import { queryTerms } from '../src/selection/query-terms.js';
import { questionParts } from '../src/selection/question-parts.js';
import { rankMoments } from '../src/selection/rank-moments.js';
import { DEFAULT_SELECT, type SelectOptions } from '../src/selection/select-options.js';
import { timePhrase } from '../src/selection/time-phrases.js';
import { MemoryStore, type SourceGap, type SourceSummary, type ChatSessionRecord, type ChatTurnRecord, type NewChatTurn, type SchemaUpgrade, type VideoRecord, type VideoStatus, type VideoSummary } from '../storage/memory-store.js';
import type { AnswerEvent } from './answer-question.js';
import type { ChatEvent } from './chat-turn.js';
import type { DecoderChoice } from './choose-decoder.js';
import type { IngestEvent } from './ingest-file.js';
import type { ReindexEvent } from './reindex-text.js';
import type { SpeechChoice } from './speech-channel.js';
import type { SubtitleChoice } from './subtitle-texts.js';
import type { LiveSource } from './live-source.js';
import type { WatchEvent } from './watch-source.js';
import type { AlertRaised, SeenClip } from './standing-queries.js';
import type { ModelChoice, ModelEvents } from './model-choice.js';
import { ModelsInUse } from './models-in-use.js';
import { watchRetention, type SourceRetention } from './watch-retention.js';

export type { AlertCondition, AlertEventRecord, AlertRule } from '../src/core/alerts.js';
export type { NewAlert } from './alert-conditions.js';
export type { AlertRaised } from './standing-queries.js';
export type { SourceRetention } from './watch-retention.js';
export type { ChatSessionRecord, ChatTurnRecord, NewChatTurn, SourceGap, SourceSummary, VideoRecord } from '../storage/memory-store.js';

const require = createRequire(import.meta.url);

/**
 * RxJS, loaded when a flow is first asked for, as are the flows themselves: its CommonJS index is
 * over 200 files, a quarter of a search's start-up, and a search needs none of it.
 */
const rx = (): typeof import('rxjs') => require('rxjs') as typeof import('rxjs');

/** A question of 16 parts of 77 tokens is a page of text; past that, it is a document, not a question. */
const MAX_QUESTION_PARTS = 16;

export type Access = 'read' | 'write' | 'write-if-possible';

export interface VidmemOptions extends ModelEvents {
  /** Default: read from the environment. */
  readonly config?: Config;
  /**
   * 'read' never writes and creates nothing (search, listings); 'write' (default) may;
   * 'write-if-possible' writes unless the store cannot be written here, and then only reads (chat).
   */
  readonly access?: Access;
  /** Make the store when it does not exist yet (default: when writing). */
  readonly create?: boolean;
  /** --model, --dtype, --device, --threads, --offline. */
  readonly model?: ModelChoice;
  /** --llm and --no-images; or a decoder of one's own. */
  readonly decoder?: DecoderChoice | Decoder;
  /** Told before a store written by an older vidmem is upgraded. */
  readonly onUpgrade?: (upgrade: SchemaUpgrade & { readonly dir: string }) => void;
}

export interface IngestOptions {
  /** The settings asked for; the others are the video's own when it resumes, else the defaults. */
  readonly settings?: Partial<IngestSettings>;
  /** Frames per encoder call. */
  readonly batch?: number;
  /** Carry each clip's memory into the next (default); false only for ablations. */
  readonly propagate?: boolean;
  /** A distiller of one's own instead of the default token merge. */
  readonly distiller?: Distiller;
  /** A named set of the options below for one kind of video; explicit options override it. */
  readonly preset?: string;
  /** Read the text on frames where the picture changed (slides, signs) into the clips' memory (default: the preset's). */
  readonly ocr?: boolean;
  /** Subtitles: found beside the video or inside it, a file of one's own, or none (default: the preset's). */
  readonly subtitles?: SubtitleChoice;
  /** Speech recognition (Whisper, with Silero VAD finding the speech); off when absent. */
  readonly speech?: SpeechChoice;
  /**
   * Find people, vehicles and the other COCO objects where the picture moved (the built-in
   * CenterNet). Default: the preset's (on for surveillance), and then a detector that cannot be
   * had (offline, before it was ever fetched) is told in one line and the ingest goes on without.
   */
  readonly detect?: boolean;
  /** Named polygons of the picture (see src/core/zones.ts); each detection is told which it stands in. */
  readonly zones?: readonly Zone[];
  /** Frames a second the detector looks at, at most (default: one frame a clip, the first that moved). */
  readonly detectFps?: number;
  /** POST each alert raised by the store's standing questions here as JSON, retried with backoff. */
  readonly webhook?: string;
}

export interface WatchOptions {
  /** Sampling and clipping (default: the surveillance preset's). */
  readonly settings?: Partial<Omit<IngestSettings, 'sampling'>>;
  readonly batch?: number;
  /** Seconds without a frame before a source counts as stalled (default 20). */
  readonly stallTimeoutSec?: number;
  /**
   * Find people, vehicles and the other COCO objects where the picture moved, in the full-size
   * frame from the recording. true fetches the detector if need be (about 145 MB, once) and fails
   * without it; false never looks. Default: the detector is used when it was fetched before (a
   * camera's watch never waits minutes for a download), else one line says how to turn it on.
   */
  readonly detect?: boolean;
  /** As IngestOptions.zones, for every source of the watch. */
  readonly zones?: readonly Zone[];
  /** As IngestOptions.detectFps, for each source. */
  readonly detectFps?: number;
  /** The longest wait between two tries of a lost source (default 30 s). */
  readonly maxBackoffMs?: number;
  /** Keep the stream itself, copied into a file a minute, so that every moment cited can be played (default true). */
  readonly record?: boolean;
  /**
   * Retention of every source: recordings by age (retainSeconds) and by the size of all sources'
   * recordings together (maxRecordingBytes), memories by age (see watch-retention.ts).
   */
  readonly retainSeconds?: number;
  readonly maxRecordingBytes?: number;
  readonly retainMemoriesSeconds?: number;
  /** By source name: ages that replace those above for that source, and a size its recordings stay under within the total. */
  readonly perSource?: Readonly<Record<string, SourceRetention>>;
  /** Emitting or completing ends the watch: the open clips are committed and ffmpeg is stopped. */
  readonly stop$: Observable<unknown>;
  /** As IngestOptions.webhook; a webhook never slows the watch. */
  readonly webhook?: string;
}

export interface AskOptions {
  readonly videoId?: number;
  /** Only live sources' memories of this wall-clock window; otherwise a phrase such as "in the last 5 minutes" in the question sets one. */
  readonly within?: TimeWindow;
  /** Memory tokens the answer may draw on. */
  readonly budget?: number;
  /** Selection tuning, for experiments. */
  readonly select?: Partial<SelectOptions>;
}

export interface SearchOptions {
  readonly videoId?: number;
  /** As AskOptions.within. */
  readonly within?: TimeWindow;
  readonly top?: number;
}

/** A video as listings show it: how far an unfinished one got too. */
export interface VideoListing {
  readonly id: number;
  readonly path: string;
  readonly durationSec: number;
  readonly clips: number;
  readonly status: VideoStatus;
  /** End of the last stored clip, seconds. */
  readonly storedUntil: number;
  /** For a live source's segment: UTC seconds of its first frame, and the source's name; null for a file. */
  readonly startedAt: number | null;
  readonly source: string | null;
}

/** The sampling, clipping and batch settings asked for, each within its range (the others come from the video or the defaults). */
function checkSettings(settings: Partial<IngestSettings>, batch: number | undefined): void {
  for (const key of ['fps', 'clipSeconds', 'repeatThreshold', 'tokens'] as const) {
    const value = settings[key];
    if (value !== undefined) checkRange(key, value, LIMITS[key]);
  }
  checkRange('batch', batch ?? DEFAULTS.batch, LIMITS.batch);
}

/** `--detect-fps` as the seconds between two frames the detector looks at. */
function detectIntervalOf(fps: number | undefined): { detectInterval?: number } {
  if (fps === undefined) return {};
  checkRange('detectFps', fps, LIMITS.detectFps);
  return { detectInterval: 1 / fps };
}

function isDecoder(value: DecoderChoice | Decoder | undefined): value is Decoder {
  return typeof (value as Decoder | undefined)?.answer === 'function';
}

export class Vidmem {
  private decoder: Promise<Decoder> | undefined;
  private readonly models: ModelsInUse;

  private constructor(
    private readonly store: MemoryStore,
    readonly config: Config,
    private readonly options: VidmemOptions,
  ) {
    this.models = new ModelsInUse(store, config, options);
  }

  /** Opens (or, for writing, creates) the store in `dir`; models are loaded when first needed. */
  static open(dir: string, options: VidmemOptions = {}): Vidmem {
    const config = options.config ?? readConfig();
    if (dir.trim() === '') throw new UserError('the store folder is an empty string; give a folder, e.g. --store ./memories', 2);
    const store = MemoryStore.open(dir, {
      readonly: options.access === 'write-if-possible' ? 'when-unwritable' : options.access === 'read',
      create: options.access !== 'read' && (options.create ?? true),
      onUpgrade: (upgrade) => options.onUpgrade?.({ ...upgrade, dir }),
      onNotice: (message) => options.onNotice?.(`vidmem: ${message}`),
    });
    return new Vidmem(store, config, options);
  }

  get storeDir(): string {
    return this.store.dir;
  }

  /** Whether chat sessions and stored work are saved: false on a store this process cannot write. */
  get saves(): boolean {
    return this.store.writable;
  }

  /** The model whose vectors the store holds; null before its first clip. */
  model(): ModelIdentity | null {
    return this.store.model();
  }

  videos(): VideoListing[] {
    return this.store.videos.list().map((v) => this.listing(v));
  }

  /** One video as `videos()` lists it; undefined when the store has none by that id. */
  videoListing(id: number): VideoListing | undefined {
    const summary = this.store.videos.summary(id);
    return summary && this.listing(summary);
  }

  videoCount(): number {
    return this.store.videos.count();
  }

  video(id: number): VideoRecord | undefined {
    return this.store.videos.get(id);
  }

  /** The name of the live source a video is a segment of; null for a file. One lookup, unlike `videos()`, which counts every video's clips. */
  sourceOf(videoId: number): string | null {
    return this.store.videos.sourceOf(videoId);
  }

  /**
   * The clip of a video at `time` (seconds into it; the nearest clip where none covers it), with
   * its keyframe's path: the picture an agent or a page shows for a moment.
   */
  keyframe(videoId: number, time: number): StoredClip & { readonly thumbnail: string } {
    this.checkVideo(videoId);
    const covering = this.store.videos.clipsOverlapping(videoId, time, time + 1e-3)[0];
    const distance = (c: ClipRef) => Math.max(c.start - time, time - c.end, 0);
    const clip = covering ?? this.store.videos.clipsOf(videoId).reduce<ClipRef | undefined>((best, c) => (!best || distance(c) < distance(best) ? c : best), undefined);
    const stored = clip && this.store.videos.clipMemories([clip.clipId]).get(clip.clipId);
    if (!stored) throw new NotFoundError(`video ${videoId} has no clips yet`);
    const { indicator: _indicator, tokens: _tokens, ...shown } = stored;
    if (shown.thumbnail === null) throw new NotFoundError(`the clip of video ${videoId} at ${formatTimestamp(time)} has no keyframe stored`);
    return { ...shown, thumbnail: shown.thumbnail };
  }

  /**
   * Removes a stored video (a file's, or one segment of a live source) with its clips, memories,
   * texts, keyframes and chat sessions; its place in the index too, for every process using the
   * store. Returns the video and how many clips it had. A kill part-way leaves it there or gone, never half.
   */
  deleteVideo(id: number): { readonly video: VideoRecord; readonly clips: number } {
    this.assertRemovable();
    const video = this.store.videos.get(id);
    const clips = video ? this.store.videos.remove(id) : null;
    if (!video || clips === null) throw this.noVideo(id);
    return { video, clips };
  }

  /**
   * Removes a live source with everything of it: its segments, clips, memories, keyframes, gaps
   * and recordings. A watch of it must be stopped first (a process watching it goes on writing).
   */
  deleteSource(name: string): { readonly name: string; readonly clips: number } {
    this.assertRemovable();
    const source = this.store.sources.byName(name);
    const clips = source ? this.store.sources.remove(source) : null;
    if (clips === null) throw this.noSource(name);
    return { name, clips };
  }

  /**
   * Removes the keyframes of clips older than `olderThanSec`: a live source's by their wall-clock
   * end, a file's by when it was ingested. Their memories and texts stay, so search, ask and the
   * page still find those moments, shown without a picture. Crash-safe like `deleteVideo`.
   * Returns how many keyframes went, and the UTC time (seconds) of the cut.
   */
  pruneKeyframes(olderThanSec: number): { readonly keyframes: number; readonly before: number } {
    this.assertRemovable();
    checkRange('olderThanSec', olderThanSec, LIMITS.keyframeAgeSec);
    const before = Date.now() / 1000 - olderThanSec;
    return { keyframes: this.store.videos.pruneKeyframes(before), before };
  }

  private assertRemovable(): void {
    if (!this.saves) throw new UserError(`store ${this.storeDir} is open read-only: nothing can be removed from it`);
  }

  /**
   * One file into the store: progress after every stored clip, a summary at the end. A file
   * already in the store is not read again; one whose ingest was interrupted resumes.
   */
  ingest(path: string, options: IngestOptions = {}): Observable<IngestEvent> {
    const { defer, switchMap } = rx();
    const parts = async () => {
      const { preset } = await import('./presets.js');
      const chosen = preset(options.preset);
      return Promise.all([
        chosen,
        this.models.vision(),
        import('./ingest-file.js'),
        import('../src/memory/token-merge-distiller.js'),
        this.models.tools(),
        (options.ocr ?? chosen.ocr) ? this.models.textReader() : undefined,
        options.speech ? this.models.speechReader(options.speech) : undefined,
        (options.detect ?? chosen.detect) ? this.models.detector().catch((err: unknown) => this.models.withoutDetector(err, options.detect)) : undefined,
        this.standingQueries(),
      ]);
    };
    if (options.webhook !== undefined) this.checkWebhookUrl(options.webhook);
    const zones = checkZones(options.zones ?? []);
    const detectInterval = detectIntervalOf(options.detectFps);
    const ingested = defer(parts).pipe(
      switchMap(([chosen, encoder, { ingestFile }, { TokenMergeDistiller }, tools, reader, speech, detector, alerts]) => {
        // Only the settings asked for (a preset's count as asked for): a resumed video fills in the rest from what it was ingested with.
        const settings: Partial<IngestSettings> = { ...chosen.settings, ...options.settings };
        checkSettings(settings, options.batch);
        const distiller = (used: IngestSettings) => options.distiller ?? new TokenMergeDistiller({ tokens: used.tokens, propagate: options.propagate ?? true });
        const detect = detector && ((frame: RgbFrame) => detector.detect(frame));
        const text = { ...(reader ? { reader } : {}), ...(speech ? { speech } : {}), ...(detect ? { detect } : {}), zones, ...detectInterval, subtitles: options.subtitles ?? chosen.subtitles, onNotice: (message: string) => this.options.onNotice?.(`vidmem: ${message}`) };
        const context = { store: this.store, encoder, distiller, batchSize: options.batch ?? DEFAULTS.batch, tools, text, alerts };
        return ingestFile(path, context, settings);
      }),
    );
    return this.withWebhook(ingested, options.webhook);
  }

  /**
   * Watches live sources into the store until `stop$` emits or completes: each source's clips are
   * committed as they close, with the UTC time of their segment's start; a source that drops,
   * stalls or ends is recorded as a gap and tried again for ever. Settings are the surveillance
   * preset's unless given.
   */
  watch(sources: readonly LiveSource[], options: WatchOptions): Observable<WatchEvent> {
    const { defer, merge, switchMap } = rx();
    const parts = () =>
      Promise.all([
        import('./presets.js'), this.models.vision(), import('./watch-source.js'), import('../src/memory/token-merge-distiller.js'), this.models.tools(),
        options.detect === false ? undefined : this.models.detector(options.detect === true).catch((err: unknown) => this.models.withoutDetector(err, options.detect, 'watching')),
        this.standingQueries(),
      ]);
    if (options.webhook !== undefined) this.checkWebhookUrl(options.webhook);
    const zones = checkZones(options.zones ?? []);
    const detectInterval = detectIntervalOf(options.detectFps);
    const { perSource, retainSeconds, maxRecordingBytes, retainMemoriesSeconds } = options;
    const { recordings, memories } = watchRetention(sources.map((s) => s.name), { retainSeconds, maxRecordingBytes, retainMemoriesSeconds }, perSource);
    const watched = defer(parts).pipe(
      switchMap(([{ preset }, encoder, { watchSource }, { TokenMergeDistiller }, tools, detector, alerts]) => {
        const settings: IngestSettings = { ...DEFAULTS.ingest, ...preset('surveillance').settings, ...options.settings, sampling: 'fps' };
        checkSettings(settings, options.batch);
        const stallTimeoutSec = options.stallTimeoutSec ?? DEFAULTS.stallTimeoutSec;
        checkRange('stallTimeoutSec', stallTimeoutSec, LIMITS.stallTimeoutSec);
        const names = new Set(sources.map((s) => s.name));
        if (names.size !== sources.length) throw new UserError('two sources have the same name; give each --source its own NAME=URL', 2);
        this.store.bindModel(encoder.identity);
        const context = {
          store: this.store, encoder, settings, batchSize: options.batch ?? DEFAULTS.batch, tools, stallTimeoutMs: stallTimeoutSec * 1000, stop$: options.stop$,
          record: options.record ?? true,
          ...(detector ? { detect: (frame: RgbFrame) => detector.detect(frame) } : {}),
          zones,
          ...detectInterval,
          alerts,
          ...(recordings ? { retention: recordings } : {}),
          ...(options.maxBackoffMs ? { maxBackoffMs: options.maxBackoffMs } : {}),
        };
        return merge(...sources.map((source) => {
          const kept = memories.get(source.name);
          return watchSource(source, { ...context, ...(kept !== undefined ? { retainMemoriesSeconds: kept } : {}), distiller: new TokenMergeDistiller({ tokens: settings.tokens, propagate: true }) });
        }));
      }),
    );
    const kept = options.record === false ? watched : this.withSnippets(watched);
    return this.withWebhook(kept, options.webhook);
  }

  /**
   * Adds a standing question, checked on every clip that `watch` and `ingest` store from now on
   * (a watch already running applies it from its next clip). A text rule's words must be known
   * to the store's model, once it has one; an object rule's word must name something the
   * detector finds.
   */
  async addAlertRule(spec: NewAlert): Promise<AlertRule> {
    if (!this.saves) throw new UserError(`store ${this.storeDir} is open read-only: no alert rule can be added to it`);
    const { alertCondition, ruleName } = await import('./alert-conditions.js');
    const condition = await alertCondition(spec, {
      model: this.store.model()?.name ?? null,
      encodeText: (text) => this.encodeQuery(text, false),
      encodePictures: (paths) => this.encodePictures(paths),
    });
    const cooldownSec = spec.cooldownSec ?? DEFAULTS.alerts.cooldownSec;
    checkRange('cooldown', cooldownSec, LIMITS.cooldownSec);
    const source = spec.source?.trim() || null;
    const taken = new Set(this.store.alerts.rules().map((r) => r.name));
    let name = spec.name?.trim();
    if (name === '') throw new UserError('--name is empty; give the rule a name, or leave --name out', 2);
    if (name !== undefined && taken.has(name)) throw new UserError(`store ${this.storeDir} already has an alert rule named ${quote(name)}`, 2);
    return this.store.alerts.addRule({ name: name ?? ruleName(condition, taken), source, cooldownSec, condition });
  }

  alertRules(): AlertRule[] {
    return this.store.alerts.rules();
  }

  /** Removes a rule; the events it raised stay, with its name. */
  removeAlertRule(id: number): AlertRule {
    this.assertRemovable();
    const rule = this.store.alerts.rule(id);
    if (!rule || !this.store.alerts.removeRule(id)) throw this.noRule(id);
    return rule;
  }

  /** The events raised, the latest first: every rule's, or one rule's. */
  alertEvents(options: { readonly ruleId?: number; readonly limit?: number } = {}): AlertEventRecord[] {
    this.checkRuleOfEvents(options.ruleId);
    return this.store.alerts.events(options);
  }

  /**
   * The events raised from now on (or since event `afterId`), as they are stored by any process
   * writing this store, every rule's or one rule's; never completes.
   */
  followAlertEvents(options: { readonly ruleId?: number; readonly afterId?: number } & NewEventsOptions = {}): Observable<AlertEventRecord> {
    const { ruleId, afterId, ...polling } = options;
    this.checkRuleOfEvents(ruleId);
    const after = afterId ?? this.store.alerts.lastEventId();
    const { defer, switchMap } = rx();
    return defer(() => import('../src/alerts/new-events.js')).pipe(
      switchMap(({ newEvents }) => newEvents((last) => this.store.alerts.eventsAfter(last, ruleId), after, polling)),
    );
  }

  private listing(v: VideoSummary): VideoListing {
    return {
      id: v.id, path: v.path, durationSec: v.durationSec, clips: v.clips, status: v.status, startedAt: v.startedAt, source: v.source,
      storedUntil: v.status === 'complete' ? v.durationSec : (this.store.videos.lastClip(v.id)?.end ?? 0),
    };
  }

  /** A rule to list the events of: one there is, or one removed that raised some. */
  private checkRuleOfEvents(ruleId: number | undefined): void {
    if (ruleId !== undefined && !this.store.alerts.rule(ruleId) && this.store.alerts.events({ ruleId, limit: 1 }).length === 0) throw this.noRule(ruleId);
  }

  private noRule(id: number): NotFoundError {
    return new NotFoundError(`store ${this.storeDir} has no alert rule ${id} (\`vidmem alerts list\` lists them)`);
  }

  /** Pictures as the store's model sees its frames (see readPicture); one that cannot be read fails in one line. */
  private async encodePictures(paths: readonly string[]): Promise<Float32Array[]> {
    const [encoder, tools, { readPicture }] = await Promise.all([this.models.vision(), this.models.tools(), import('../src/sources/grab-frame.js')]);
    const pictures = await Promise.all(paths.map((path) => readPicture(path, encoder.input, tools.ffmpeg).catch((err: unknown) => {
      throw err instanceof MediaError ? new UserError(`--image ${err.message}`, 2) : err;
    })));
    return encoder.encodeImages(pictures);
  }

  /** The standing questions' step: the store's rules on each stored clip, text rules encoded as questions are. */
  private async standingQueries(): Promise<OperatorFunction<SeenClip, AlertRaised>> {
    const { raiseAlerts } = await import('./standing-queries.js');
    return raiseAlerts({ store: this.store, encodeText: (text) => this.encodeQuery(text, false) });
  }

  private checkWebhookUrl(url: string): void {
    let parsed: URL | undefined;
    try {
      parsed = new URL(url);
    } catch {
      parsed = undefined;
    }
    if (parsed?.protocol !== 'http:' && parsed?.protocol !== 'https:') throw new UserError(`--webhook ${url}: give an http:// or https:// URL`, 2);
  }

  /** Each alert of the flow POSTed to the webhook, beside it (see alert-delivery.ts). */
  private withWebhook<E extends { readonly type: string }>(events: Observable<E>, url: string | undefined): Observable<E> {
    if (url === undefined) return events;
    const { defer, switchMap } = rx();
    return defer(() => import('./alert-delivery.js')).pipe(
      switchMap(({ deliverAlerts }) => events.pipe(deliverAlerts<E>({ url, onNotice: (line) => this.options.onNotice?.(`vidmem: ${line}`) }))),
    );
  }

  /** Each alert on a recorded source keeps a snippet of its recording (see event-snippets.ts). */
  private withSnippets<E extends { readonly type: string }>(events: Observable<E>): Observable<E> {
    const { defer, switchMap } = rx();
    return defer(() => Promise.all([import('./event-snippets.js'), this.models.tools()])).pipe(
      switchMap(([{ keepSnippets }, tools]) => events.pipe(keepSnippets<E>({ store: this.store, ffmpeg: tools.ffmpeg, onNotice: (line) => this.options.onNotice?.(`vidmem: ${line}`) }))),
    );
  }

  /**
   * A playable snippet of what a live source sent: `seconds` from `at` (UTC seconds), copied out of
   * its recordings into `output` (MP4). Returns the recorded files it was cut from.
   */
  async cutRecording(sourceName: string, at: number, seconds: number, output: string): Promise<number> {
    const source = this.store.sources.byName(sourceName);
    if (!source) throw this.noSource(sourceName);
    const files = this.store.sources.recordings(source, at, at + seconds);
    if (files.length === 0) throw new NotFoundError(`no recording of ${sourceName} covers that time; it is recorded only while watched, and not with --no-record`);
    const [{ cutRecording }, tools] = await Promise.all([import('../src/sources/cut-recording.js'), this.models.tools()]);
    await cutRecording(files, at, seconds, output, tools.ffmpeg);
    return files.length;
  }

  /** Live sources and their timelines: segments, clips, the time they cover, and their gaps. */
  sources(): Array<SourceSummary & { readonly gaps: readonly SourceGap[] }> {
    return this.store.sources.list().map((source) => ({ ...source, gaps: this.store.sources.gaps(source) }));
  }

  /** One live source as `sources()` lists it. */
  source(name: string): (SourceSummary & { readonly gaps: readonly SourceGap[] }) | undefined {
    const source = this.store.sources.list().find((s) => s.name === name);
    return source && { ...source, gaps: this.store.sources.gaps(source) };
  }

  /**
   * Adds the text channels a stored video lacks (slides read by OCR, subtitles), read from its
   * file; progress after every clip, resumable, a summary at the end. Its memories stay as they are.
   */
  reindexText(videoId: number): Observable<ReindexEvent> {
    const { defer, switchMap } = rx();
    return defer(() => Promise.all([import('./reindex-text.js'), this.models.tools()])).pipe(
      switchMap(([{ reindexText }, tools]) => {
        this.checkVideo(videoId);
        const video = this.store.videos.get(videoId)!;
        return reindexText(video, { store: this.store, tools, reader: () => this.models.textReader(), onNotice: (message) => this.options.onNotice?.(`vidmem: ${message}`) });
      }),
    );
  }

  /**
   * Loads the model for ingesting (its vision side) or for questions (its text side) now, rather
   * than with the first file or question, so that a model that cannot be had is one failure.
   */
  async loadModel(purpose: 'ingest' | 'questions'): Promise<ModelIdentity> {
    return (await (purpose === 'ingest' ? this.models.vision() : this.models.text())).identity;
  }

  /** The moments that match a query, best first. */
  async search(query: string, options: SearchOptions = {}): Promise<Moment[]> {
    this.checkVideo(options.videoId);
    checkRange('top', options.top ?? DEFAULTS.top, LIMITS.top);
    const { question: text, within } = this.timeScope(query, options.within);
    const vector = await this.encodeQuery(text, true);
    return rankMoments(this.store.videos, { text, vector }, options.top ?? DEFAULTS.top, { ...DEFAULT_SELECT, videoId: options.videoId, ...(within ? { within } : {}) });
  }

  /** A question answered from the memories selected for it: the selection, then the streamed answer. */
  ask(question: string, options: AskOptions = {}): Observable<AnswerEvent> {
    const { defer, switchMap } = rx();
    return defer(async () => {
      this.checkVideo(options.videoId);
      const [flow, { selectMemories }, { questionKind }] = await Promise.all([
        import('./answer-question.js'),
        import('../src/selection/select-memories.js'),
        import('../src/selection/question-kind.js'),
      ]);
      const { question: text, within } = this.timeScope(question, options.within);
      // A summary needs no word the model knows: its memories are spread over the timeline.
      const vector = await this.encodeQuery(text, questionKind(text) === 'moment');
      const selection = selectMemories(this.store.videos, { text, vector }, this.selectOptions({ ...options, ...(within ? { within } : {}) }));
      return { selection, decoder: await this.answerer(), flow };
    }).pipe(switchMap(({ selection, decoder, flow }) => flow.answerFrom(question, selection, this.store.videos, decoder)));
  }

  chatSession(id: number): ChatSessionRecord | undefined {
    return this.store.chats.session(id);
  }

  /** The sessions, most recently used first. */
  chatSessions(): ChatSessionRecord[] {
    return this.store.chats.sessions();
  }

  /** A session's turns, oldest first: all of them, or the latest `last`. */
  chatTurns(sessionId: number, last?: number): ChatTurnRecord[] {
    return this.store.chats.turns(sessionId, last);
  }

  /**
   * One turn of a session, answered as `ask` answers and recorded once complete. A new session
   * (`{ videoId }`: about one video, or every video when null) is created with its first turn,
   * whose record carries its id. On a store that cannot be written (`saves` false) nothing is
   * recorded: the turn comes back `unsaved`, and the caller passes the conversation's unsaved
   * turns to the next, so that follow-ups still build on them.
   */
  chatTurn(session: number | { readonly videoId: number | null }, question: string, unsaved: readonly NewChatTurn[] = []): Observable<ChatEvent> {
    const { defer, switchMap } = rx();
    return defer(async () => {
      const videoId = typeof session === 'number' ? this.existingSession(session).videoId : session.videoId;
      if (videoId !== null) this.checkVideo(videoId);
      return { videoId, decoder: await this.answerer(), flow: await import('./chat-turn.js') };
    }).pipe(
      switchMap(({ videoId, decoder, flow }) =>
        flow.chatTurn(
          { store: this.store, decoder, session, unsaved, select: this.selectOptions({ videoId: videoId ?? undefined }), encode: (text, needsWords) => this.encodeQuery(text, needsWords) },
          question,
        ),
      ),
    );
  }

  private existingSession(id: number): ChatSessionRecord {
    const session = this.store.chats.session(id);
    if (!session) throw new NotFoundError(`store ${this.storeDir} has no chat session ${id}`);
    return session;
  }

  /** The decoder answers are given by (loaded on first use). */
  answerer(): Promise<Decoder> {
    const choice = this.options.decoder;
    this.decoder ??= isDecoder(choice) ? Promise.resolve(choice) : import('./choose-decoder.js').then((m) => m.chooseDecoder(choice ?? {}, this.config.llm));
    return this.decoder;
  }

  /** Releases the encoders and closes the store, saving its index. */
  async close(): Promise<void> {
    try {
      await this.models.dispose();
    } finally {
      this.store.close();
    }
  }

  private selectOptions(options: AskOptions): SelectOptions {
    const budget = options.budget ?? options.select?.budget ?? DEFAULT_SELECT.budget;
    checkRange('budget', budget, LIMITS.budget);
    // As many candidates as the budget holds at 8 tokens a clip: a larger budget must be able to list more.
    const candidates = Math.max(options.select?.candidates ?? DEFAULT_SELECT.candidates, Math.ceil(budget / 8));
    return { ...DEFAULT_SELECT, ...options.select, videoId: options.videoId, ...(options.within ? { within: options.within } : {}), budget, candidates };
  }

  /** The time window a question is limited to: given, or named in it ("in the last 10 minutes"); and the question to encode. */
  private timeScope(question: string, within: TimeWindow | undefined): { question: string; within?: TimeWindow } {
    const live = this.store.sources.list().length > 0;
    if (within) {
      if (!(within.from < within.to)) throw new UserError('the time window ends before it begins; give --from earlier than --to', 2);
      if (!live) throw new UserError(`store ${this.storeDir} has no live sources: only their clips have wall-clock times to limit a question to`, 2);
      return { question, within };
    }
    // In a store of files, "the last 5 minutes" are a video's, which its words find as they are.
    const named = live ? timePhrase(question, Date.now() / 1000) : { question };
    // A question that is only a time ("today?") keeps its words.
    return named.question === '' ? { question } : named;
  }

  private checkVideo(videoId: number | undefined): void {
    if (videoId !== undefined && !this.store.videos.get(videoId)) throw this.noVideo(videoId);
  }

  private noSource(name: string): NotFoundError {
    const names = this.store.sources.list().map((s) => s.name);
    return new NotFoundError(`store ${this.storeDir} has no source '${name}'${names.length ? ` (its sources: ${names.join(', ')})` : ''}`, 2);
  }

  private noVideo(videoId: number): NotFoundError {
    return new NotFoundError(`store ${this.storeDir} has no video ${videoId} (\`vidmem videos\` lists them)`);
  }

  /**
   * A text's vector. A text longer than the model's context is read in parts that fit, whose
   * vectors are averaged (see question-parts); only what needs more parts than a question may
   * have is left out, and then the user is told. A text the model knows no word of is all zero:
   * it matches nothing, so where it is to find a moment (`needsWords`) it is refused, unless
   * stored text (a slide, a subtitle) holds some of its words: then the text channels answer.
   */
  private async encodeQuery(text: string, needsWords: boolean): Promise<Float32Array> {
    const encoder = await this.models.text();
    const count = (part: string): number => encoder.countTokens(part);
    const { parts, wordsLeftOut } = questionParts(text, { count, limit: encoder.maxTokens, maxParts: MAX_QUESTION_PARTS });
    if (wordsLeftOut > 0) {
      this.options.onNotice?.(
        `vidmem: the question is longer than ${MAX_QUESTION_PARTS} parts of the model's ${encoder.maxTokens}-token context; its last ${wordsLeftOut} words were left out`,
      );
    }
    const vectors = await encoder.encodeTexts(parts);
    const known = vectors.filter((v) => v.some((x) => x !== 0));
    if (needsWords && known.length === 0 && this.store.videos.textMatches(queryTerms(text), { top: 1 }).length === 0) {
      throw new UserError(`model '${encoder.identity.name}' knows none of the words in ${quote(text)}`);
    }
    return known.length > 1 ? weightedMean(known, known.map(() => 1)) : (known[0] ?? vectors[0]!);
  }
}

/** Opens the application over the store in `dir` (see Vidmem.open). */
export function openVidmem(dir: string, options: VidmemOptions = {}): Vidmem {
  return Vidmem.open(dir, options);
}

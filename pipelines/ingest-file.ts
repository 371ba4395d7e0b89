import { concat, concatMap, connect, defer, from, identity, map, merge, Observable, of, pipe, switchMap, tap, type OperatorFunction } from 'rxjs';
import type { ClipText, TextChannel } from '../src/core/clip-text.js';
import type { DistilledClip, MemoryToken } from '../src/core/clips.js';
import { DEFAULTS, type IngestSettings } from '../src/core/config.js';
import { MediaError, UserError } from '../src/core/errors.js';
import type { Distiller } from '../src/core/ports/distiller.js';
import type { FrameTextReader } from '../src/core/ports/frame-text-reader.js';
import type { VisionEncoder } from '../src/core/ports/encoders.js';
import { clipWindows } from '../src/clipping/clip-windows.js';
import { encodeFrames } from '../src/encoders/encode-frames.js';
import { encodeJpeg } from '../src/frames/encode-jpeg.js';
import { FrameBudget } from '../src/frames/frame-budget.js';
import { markRepeats } from '../src/frames/mark-repeats.js';
import { propagateMemory } from '../src/memory/propagate-memory.js';
import { fileIdentity } from '../src/sources/content-hash.js';
import { decodeFrames, type Sampling } from '../src/sources/decode-frames.js';
import type { MediaTools } from '../src/sources/ffmpeg-binaries.js';
import { grabFrame } from '../src/sources/grab-frame.js';
import { keyframeInterval, probeVideo, type VideoInfo } from '../src/sources/probe.js';
import { attachTexts } from '../src/text/attach-texts.js';
import { readSlides } from '../src/text/read-slides.js';
import { detectObjects, type ObjectsSeen } from '../src/detection/detect-objects.js';
import type { Detection } from '../src/core/detections.js';
import type { Zone } from '../src/core/zones.js';
import type { RgbFrame } from '../src/detection/resize-frame.js';
import type { MemoryStore, VideoRecord } from '../storage/memory-store.js';
import type { ReadSpeech } from './speech-channel.js';
import type { AlertRaised, SeenClip } from './standing-queries.js';
import { subtitleTexts, type SubtitleChoice } from './subtitle-texts.js';

export interface IngestContext {
  readonly store: MemoryStore;
  readonly encoder: VisionEncoder;
  /** The distiller for the settings the video is ingested with (a resume keeps the stored ones). */
  readonly distiller: (settings: IngestSettings) => Distiller;
  readonly batchSize: number;
  readonly tools: MediaTools;
  readonly text?: TextChannels;
  /** Standing questions checked on each clip once it is stored (see standing-queries.ts). */
  readonly alerts?: OperatorFunction<SeenClip, AlertRaised>;
}

/** What besides the picture goes into a clip's memory. */
export interface TextChannels {
  /** Reads the text of frames where the picture changed (OCR); absent when that is off. */
  readonly reader?: FrameTextReader;
  readonly subtitles: SubtitleChoice;
  /** Reads what was said as timed text (VAD, then Whisper); absent when speech recognition is off. */
  readonly speech?: ReadSpeech;
  /** Finds people, vehicles and the other COCO objects in a full-size frame; absent when detection is off. */
  readonly detect?: (frame: RgbFrame) => Promise<Detection[]>;
  /** The video's zones, which each detection is told it stands in or not. */
  readonly zones?: readonly Zone[];
  /** Seconds between two frames the detector looks at; absent: one frame a clip. */
  readonly detectInterval?: number;
  /** Told what went wrong with a part that the ingest goes on without (unreadable subtitles). */
  readonly onNotice: (message: string) => void;
}

export interface IngestProgress {
  readonly type: 'progress';
  readonly path: string;
  readonly durationSec: number;
  /** Seconds of video done so far. */
  readonly position: number;
  readonly framesDecoded: number;
  readonly framesEncoded: number;
  readonly framesSkipped: number;
  readonly clips: number;
  readonly elapsedSec: number;
  /** Seconds of video per second of wall time, over this run. */
  readonly speed: number;
}

export interface IngestSummary {
  readonly type: 'done';
  readonly videoId: number;
  readonly path: string;
  readonly durationSec: number;
  readonly clips: number;
  readonly framesDecoded: number;
  readonly framesEncoded: number;
  readonly framesSkipped: number;
  /** Lines of text stored with the clips (slide lines, subtitle cues, pieces of speech). */
  readonly textLines: number;
  /** Frames read for their text, and the seconds that took. */
  readonly ocrFrames: number;
  readonly ocrSec: number;
  /** Pieces of speech recognized, and the seconds that took (audio decoding and VAD included). */
  readonly speechTexts: number;
  readonly speechSec: number;
  /** Frames the object detector looked at, and the seconds that took. */
  readonly detectFrames: number;
  readonly detectSec: number;
  readonly wallSec: number;
  readonly sampling: 'fps' | 'keyframes';
  /** Seconds into the video this run started at (non-zero when it resumed a killed ingest). */
  readonly resumedAt: number;
  readonly alreadyIngested: boolean;
}

export type IngestEvent = IngestProgress | IngestSummary | AlertRaised;

/** How frames are sampled, and the seconds between two sampled frames. */
async function chooseSampling(video: VideoInfo, settings: IngestSettings, context: IngestContext): Promise<{ sampling: Sampling; frameGap: number }> {
  const byRate = { sampling: { kind: 'fps', fps: settings.fps } as const, frameGap: 1 / settings.fps };
  if (settings.sampling === 'fps') return byRate;
  const interval = await keyframeInterval(video, context.tools.ffmpeg);
  if (settings.sampling === 'keyframes' || interval <= 1 / settings.fps + 1e-3) return { sampling: { kind: 'keyframes' }, frameGap: interval };
  return byRate;
}

/** The command-line name of a setting, for the one line that refuses a resume. */
const FLAGS: Record<keyof IngestSettings, string> = {
  fps: '--fps', sampling: '--sampling', clipSeconds: '--clip-seconds', sceneCuts: '--scene-cuts', repeatThreshold: '--repeat-threshold', tokens: '--tokens',
};

function describeSetting(key: keyof IngestSettings, value: unknown): string {
  if (typeof value === 'boolean') return value ? FLAGS[key] : `no ${FLAGS[key]}`;
  return `${FLAGS[key]} ${String(value)}`;
}

/**
 * The settings a resumed video goes on with: its own, which every clip so far was made with. A
 * setting this run leaves unsaid is taken from the video; one it asks for differently is refused,
 * since clips of two settings in one video would neither line up nor compare.
 */
function resumeSettings(video: VideoRecord, requested: Partial<IngestSettings>): IngestSettings {
  const stored = video.settings as Partial<IngestSettings>;
  for (const key of Object.keys(FLAGS) as Array<keyof IngestSettings>) {
    const asked = requested[key];
    if (asked === undefined || stored[key] === undefined || stored[key] === asked) continue;
    throw new UserError(
      `${video.path} (video ${video.id}) was ingested with ${describeSetting(key, stored[key])}; this run asks for ${describeSetting(key, asked)}: ` +
        `rerun with ${describeSetting(key, stored[key])} (or without ${FLAGS[key]}) to resume it, or ingest it into another --store`,
      2,
    );
  }
  return { ...DEFAULTS.ingest, ...requested, ...stored };
}

interface Plan {
  readonly video: VideoInfo;
  /** The video's row, if it has one yet. */
  readonly videoId: () => number | undefined;
  /** Creates the row with the first clip, so a file that yields nothing leaves no trace. */
  readonly register: () => number;
  readonly settings: IngestSettings;
  readonly distiller: Distiller;
  readonly sampling: Sampling;
  /** Seconds between two sampled frames (the keyframe interval when sampling keyframes). */
  readonly frameGap: number;
  readonly startAt: number;
  readonly firstIndex: number;
  readonly memory: readonly MemoryToken[];
  readonly clipsBefore: number;
  /** Subtitle cues and pieces of speech: known before the first frame, attached to the clips they overlap. */
  readonly timedTexts: readonly ClipText[];
  readonly speech: { readonly count: number; readonly seconds: number };
}

/**
 * Finds the video in the store: the same bytes, or a file that has grown from a stored one (a
 * recording that was still being written). A partly ingested or grown video resumes after its
 * last stored clip, with the settings it was ingested with.
 */
async function plan(path: string, context: IngestContext, requested: Partial<IngestSettings>): Promise<Plan | IngestSummary> {
  const video = await probeVideo(path, context.tools.ffmpeg);
  const { videos } = context.store;
  context.store.bindModel(context.encoder.identity);
  const identity = await fileIdentity(video.path, videos.sizesBelow(video.sizeBytes));
  const same = videos.findByHash(identity.hash);
  if (same?.status === 'complete') {
    const clips = videos.clipsOf(same.id).length;
    return {
      type: 'done', videoId: same.id, path: video.path, durationSec: same.durationSec, clips, framesDecoded: 0,
      framesEncoded: 0, framesSkipped: 0, textLines: 0, ocrFrames: 0, ocrSec: 0, speechTexts: 0, speechSec: 0, detectFrames: 0, detectSec: 0, wallSec: 0, sampling: 'fps', resumedAt: 0, alreadyIngested: true,
    };
  }
  const grownFrom = same ? undefined : videos.findGrownFrom(identity.prefixes);
  const known = same ?? grownFrom;
  const settings = known ? resumeSettings(known, requested) : { ...DEFAULTS.ingest, ...requested };
  const { sampling, frameGap } = await chooseSampling(video, settings, context);
  if (grownFrom) videos.grow(grownFrom, { path: video.path, contentHash: identity.hash, sizeBytes: identity.sizeBytes, durationSec: video.durationSec });
  let videoId = known?.id;
  const register = (): number =>
    (videoId ??= videos.begin({
      path: video.path, contentHash: identity.hash, sizeBytes: identity.sizeBytes, durationSec: video.durationSec, fps: video.fps, width: video.width, height: video.height,
      settings: { ...settings },
    }).id);
  const lastClip = known ? videos.lastClip(known.id) : undefined;
  const text = context.text;
  const subtitles = text ? await subtitleTexts(video.path, text.subtitles, context.tools.ffmpeg, text.onNotice) : [];
  const heard = performance.now();
  // What was said before the resume point belongs to clips already stored.
  const speech = text?.speech ? (await text.speech(video.path)).filter((t) => t.end > (lastClip?.end ?? 0)) : [];
  return {
    video,
    videoId: () => videoId,
    register,
    settings,
    distiller: context.distiller(settings),
    sampling,
    frameGap,
    startAt: lastClip?.end ?? 0,
    firstIndex: lastClip ? lastClip.index + 1 : 0,
    memory: lastClip?.tokens ?? [],
    clipsBefore: lastClip ? lastClip.index + 1 : 0,
    timedTexts: [...subtitles, ...speech],
    speech: { count: speech.length, seconds: text?.speech ? (performance.now() - heard) / 1000 : 0 },
  };
}

/**
 * File ingest as one pipeline: decode (with backpressure) → mark repeats → encode in batches →
 * clip windows → memory propagation (scan) → store, one committed clip at a time. Emits progress
 * after every stored clip and a summary at the end; unsubscribing kills ffmpeg.
 */
export function ingestFile(path: string, context: IngestContext, settings: Partial<IngestSettings>): Observable<IngestEvent> {
  return from(plan(path, context, settings)).pipe(switchMap((p) => ('type' in p ? of(p) : run(p, context))));
}

function run(p: Plan, context: IngestContext): Observable<IngestEvent> {
  return defer(() => {
    const started = performance.now();
    const budget = new FrameBudget(Math.max(64, context.batchSize * 4));
    const counts: Counts = { decoded: 0, encoded: 0, skipped: 0, clips: p.clipsBefore, position: p.startAt, lastFrame: undefined, textLines: 0, ocrFrames: 0, ocrMs: 0, detectFrames: 0, detectMs: 0 };
    const frameInterval = p.sampling.kind === 'fps' ? 1 / p.sampling.fps : p.settings.clipSeconds;
    const elapsed = (): number => (performance.now() - started) / 1000;
    const progress = (): IngestProgress => ({
      type: 'progress', path: p.video.path, durationSec: p.video.durationSec, position: counts.position,
      framesDecoded: counts.decoded, framesEncoded: counts.encoded, framesSkipped: counts.skipped,
      clips: counts.clips, elapsedSec: elapsed(), speed: (counts.position - p.startAt) / Math.max(elapsed(), 1e-6),
    });

    const reader = context.text?.reader;
    const channelsRead: TextChannel[] = [...(reader ? ['slide' as const] : []), ...(context.text && context.text.subtitles !== 'off' ? ['subtitle' as const] : []), ...(context.text?.speech ? ['speech' as const] : []), ...(context.text?.detect ? ['detector' as const] : [])];
    const detect = context.text?.detect;
    const onDetect = (ms: number): void => {
      counts.detectFrames += 1;
      counts.detectMs += ms;
    };
    const onRead = (ms: number): void => {
      counts.ocrFrames += 1;
      counts.ocrMs += ms;
    };

    const store = async (memory: DistilledClip & Partial<ObjectsSeen>): Promise<{ progress: IngestProgress; seen: SeenClip }> => {
      const { clip, keyframe } = memory;
      const thumbnail = keyframe.rgb ? await encodeJpeg(keyframe.rgb, keyframe.width, keyframe.height) : undefined;
      const videoId = p.register();
      const clipId = context.store.videos.appendClip(videoId, {
        index: clip.index, start: clip.start, end: clip.end, indicator: memory.indicator, tokens: memory.tokens,
        framesEncoded: clip.frames.length, framesRepeat: clip.repeatFrames, ...(thumbnail ? { thumbnailJpeg: thumbnail } : {}),
        ...(memory.texts ? { texts: memory.texts } : {}), channelsRead, detections: memory.detections ?? [],
      });
      counts.textLines += memory.texts?.length ?? 0;
      counts.clips += 1;
      counts.position = clip.end;
      const seen: SeenClip = {
        stream: `video:${videoId}`, source: null, videoId, path: p.video.path, clipId, start: clip.start, end: clip.end, startedAt: null, indicator: memory.indicator,
        detections: memory.detections ?? [], detectedIn: memory.detectedIn ?? [],
      };
      return { progress: progress(), seen };
    };

    const events$ = decodeFrames(p.video, {
      ffmpeg: context.tools.ffmpeg,
      sampling: p.sampling,
      width: context.encoder.input.width,
      height: context.encoder.input.height,
      scaleFilter: context.encoder.input.scaleFilter,
      startAt: p.startAt,
      budget,
    }).pipe(
      tap((frame) => {
        counts.decoded += 1;
        counts.lastFrame = frame.time;
      }),
      markRepeats(p.settings.repeatThreshold, budget),
      tap((frame) => {
        if (frame.repeat) counts.skipped += 1;
      }),
      encodeFrames(context.encoder, { batchSize: context.batchSize, budget, onEncoded: (n) => (counts.encoded += n) }),
      clipWindows({
        clipSeconds: p.settings.clipSeconds,
        frameInterval,
        videoEnd: p.video.durationSec,
        firstIndex: p.firstIndex,
        sceneCut: p.settings.sceneCuts ? { threshold: 0.8, minSeconds: 1 } : undefined,
      }),
      propagateMemory(p.distiller, p.memory),
      // The text channels, each a step of its own when it is on.
      pipe(
        p.timedTexts.length ? attachTexts(p.timedTexts) : identity,
        reader ? readSlides({ reader, grab: (time) => grabFrame(p.video, time, context.tools.ffmpeg), onRead }) : identity,
        detect ? detectObjects({ detect, grab: (time) => grabFrame(p.video, time, context.tools.ffmpeg), zones: context.text?.zones ?? [], onDetect, ...(context.text?.detectInterval !== undefined ? { interval: context.text.detectInterval } : {}) }) : identity,
      ),
      concatMap((memory) => from(store(memory))),
      // Each stored clip is told as progress and, beside it, checked against the standing questions.
      (stored$) => {
        const alerts = context.alerts;
        if (!alerts) return stored$.pipe(map((s): IngestEvent => s.progress));
        return stored$.pipe(connect((shared) => merge(shared.pipe(map((s): IngestEvent => s.progress)), shared.pipe(map((s) => s.seen), alerts))));
      },
    );

    return concat(events$, defer(() => of(finish(p, context, counts, elapsed()))));
  });
}

/**
 * Seconds of a video that may go missing at the end before the file is called truncated: two
 * sampled frames' worth (the last sample stands for up to one gap, and rounding of rates another),
 * a hundredth of the duration for containers whose duration is approximate (a longer audio
 * track), and half a second at least. It fits a 0.2-second clip as well as a 10-second one cut to
 * 6 seconds, which a tolerance of whole clips (8 s) let through as complete.
 */
function tolerance(p: Plan): number {
  return Math.max(MIN_TOLERANCE_SEC, 2 * p.frameGap, 0.01 * p.video.durationSec);
}

const MIN_TOLERANCE_SEC = 0.5;

interface Counts {
  decoded: number;
  encoded: number;
  skipped: number;
  clips: number;
  position: number;
  /** Time of the last frame decoded this run. */
  lastFrame: number | undefined;
  textLines: number;
  ocrFrames: number;
  ocrMs: number;
  detectFrames: number;
  detectMs: number;
}

function finish(p: Plan, context: IngestContext, counts: Counts, wallSec: number): IngestSummary {
  // What the frames decoded stand for; a resume that decoded none covers what was stored.
  const covered = Math.min(p.video.durationSec, counts.lastFrame === undefined ? p.startAt : counts.lastFrame + p.frameGap);
  const stats = { framesDecoded: counts.decoded, framesEncoded: counts.encoded, wallSec };
  const videoId = p.videoId();
  if (videoId === undefined) throw new MediaError(`${p.video.path}: no frame could be decoded (corrupt file?)`);
  if (p.video.durationSec - covered > tolerance(p)) {
    context.store.videos.finish(videoId, 'incomplete', stats);
    const where = `decoding stopped at ${covered.toFixed(1)} s of ${p.video.durationSec.toFixed(1)} s`;
    throw new MediaError(`${p.video.path}: file is truncated or corrupt (${where}; the ${counts.clips} clips before that are stored)`);
  }
  context.store.videos.finish(videoId, 'complete', stats);
  return {
    type: 'done', videoId, path: p.video.path, durationSec: p.video.durationSec, clips: counts.clips,
    framesDecoded: counts.decoded, framesEncoded: counts.encoded, framesSkipped: counts.skipped,
    textLines: counts.textLines, ocrFrames: counts.ocrFrames, ocrSec: counts.ocrMs / 1000, speechTexts: p.speech.count, speechSec: p.speech.seconds, detectFrames: counts.detectFrames, detectSec: counts.detectMs / 1000, wallSec, sampling: p.sampling.kind, resumedAt: p.startAt, alreadyIngested: false,
  };
}

import { concat, concatMap, defer, from, identity, Observable, of, switchMap, tap } from 'rxjs';
import type { ClipText, TextChannel } from '../src/core/clip-text.js';
import type { DistilledClip, MemoryToken } from '../src/core/clips.js';
import type { IngestSettings } from '../src/core/config.js';
import { MediaError } from '../src/core/errors.js';
import type { Distiller } from '../src/core/ports/distiller.js';
import type { FrameTextReader } from '../src/core/ports/frame-text-reader.js';
import type { VisionEncoder } from '../src/core/ports/encoders.js';
import { clipWindows } from '../src/clipping/clip-windows.js';
import { encodeFrames } from '../src/encoders/encode-frames.js';
import { encodeJpeg } from '../src/frames/encode-jpeg.js';
import { FrameBudget } from '../src/frames/frame-budget.js';
import { markRepeats } from '../src/frames/mark-repeats.js';
import { propagateMemory } from '../src/memory/propagate-memory.js';
import { contentHash } from '../src/sources/content-hash.js';
import { decodeFrames, type Sampling } from '../src/sources/decode-frames.js';
import type { MediaTools } from '../src/sources/ffmpeg-binaries.js';
import { grabFrame } from '../src/sources/grab-frame.js';
import { keyframeInterval, probeVideo, type VideoInfo } from '../src/sources/probe.js';
import { attachTexts } from '../src/text/attach-texts.js';
import { readSlides } from '../src/text/read-slides.js';
import type { MemoryStore } from '../storage/memory-store.js';
import { subtitleTexts, type SubtitleChoice } from './subtitle-texts.js';

export interface IngestContext {
  readonly store: MemoryStore;
  readonly encoder: VisionEncoder;
  readonly distiller: Distiller;
  readonly batchSize: number;
  readonly tools: MediaTools;
  readonly text?: TextChannels;
}

/** What besides the picture goes into a clip's memory. */
export interface TextChannels {
  /** Reads the text of frames where the picture changed (OCR); absent when that is off. */
  readonly reader?: FrameTextReader;
  readonly subtitles: SubtitleChoice;
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
  /** Lines of text stored with the clips (slide lines, subtitle cues). */
  readonly textLines: number;
  /** Frames read for their text, and the seconds that took. */
  readonly ocrFrames: number;
  readonly ocrSec: number;
  readonly wallSec: number;
  readonly sampling: 'fps' | 'keyframes';
  /** Seconds into the video this run started at (non-zero when it resumed a killed ingest). */
  readonly resumedAt: number;
  readonly alreadyIngested: boolean;
}

export type IngestEvent = IngestProgress | IngestSummary;

async function chooseSampling(video: VideoInfo, settings: IngestSettings, context: IngestContext): Promise<Sampling> {
  if (settings.sampling === 'fps') return { kind: 'fps', fps: settings.fps };
  if (settings.sampling === 'keyframes') return { kind: 'keyframes' };
  const interval = await keyframeInterval(video.path, context.tools.ffprobe);
  return interval <= 1 / settings.fps + 1e-3 ? { kind: 'keyframes' } : { kind: 'fps', fps: settings.fps };
}

interface Plan {
  readonly video: VideoInfo;
  /** The video's row, if it has one yet. */
  readonly videoId: () => number | undefined;
  /** Creates the row with the first clip, so a file that yields nothing leaves no trace. */
  readonly register: () => number;
  readonly settings: IngestSettings;
  readonly sampling: Sampling;
  readonly startAt: number;
  readonly firstIndex: number;
  readonly memory: readonly MemoryToken[];
  readonly clipsBefore: number;
  /** Subtitle cues, known before the first frame. */
  readonly subtitles: readonly ClipText[];
}

/** Finds the video in the store; a partly ingested one resumes after its last stored clip. */
async function plan(path: string, context: IngestContext, requested: IngestSettings): Promise<Plan | IngestSummary> {
  const video = await probeVideo(path, context.tools.ffprobe);
  const hash = await contentHash(path);
  const { videos } = context.store;
  context.store.bindModel(context.encoder.identity);
  const known = videos.findByHash(hash);
  if (known?.status === 'complete') {
    const clips = videos.clipsOf(known.id).length;
    return {
      type: 'done', videoId: known.id, path, durationSec: known.durationSec, clips, framesDecoded: 0,
      framesEncoded: 0, framesSkipped: 0, textLines: 0, ocrFrames: 0, ocrSec: 0, wallSec: 0, sampling: 'fps', resumedAt: 0, alreadyIngested: true,
    };
  }
  // A resumed ingest keeps the settings it started with, or its clips would not line up.
  const settings = known ? ({ ...requested, ...known.settings } as IngestSettings) : requested;
  const sampling = await chooseSampling(video, settings, context);
  let videoId = known?.id;
  const register = (): number =>
    (videoId ??= videos.begin({
      path, contentHash: hash, durationSec: video.durationSec, fps: video.fps, width: video.width, height: video.height,
      settings: { fps: settings.fps, sampling: settings.sampling, clipSeconds: settings.clipSeconds, sceneCuts: settings.sceneCuts, repeatThreshold: settings.repeatThreshold },
    }).id);
  const lastClip = known ? videos.lastClip(known.id) : undefined;
  const text = context.text;
  const subtitles = text ? await subtitleTexts(path, text.subtitles, context.tools.ffmpeg, text.onNotice) : [];
  return {
    video,
    videoId: () => videoId,
    register,
    settings,
    sampling,
    startAt: lastClip?.end ?? 0,
    firstIndex: lastClip ? lastClip.index + 1 : 0,
    memory: lastClip?.tokens ?? [],
    clipsBefore: lastClip ? lastClip.index + 1 : 0,
    subtitles,
  };
}

/**
 * File ingest as one pipeline: decode (with backpressure) → mark repeats → encode in batches →
 * clip windows → memory propagation (scan) → store, one committed clip at a time. Emits progress
 * after every stored clip and a summary at the end; unsubscribing kills ffmpeg.
 */
export function ingestFile(path: string, context: IngestContext, settings: IngestSettings): Observable<IngestEvent> {
  return from(plan(path, context, settings)).pipe(switchMap((p) => ('type' in p ? of(p) : run(p, context))));
}

function run(p: Plan, context: IngestContext): Observable<IngestEvent> {
  return defer(() => {
    const started = performance.now();
    const budget = new FrameBudget(Math.max(64, context.batchSize * 4));
    const counts: Counts = { decoded: 0, encoded: 0, skipped: 0, clips: p.clipsBefore, position: p.startAt, textLines: 0, ocrFrames: 0, ocrMs: 0 };
    const frameInterval = p.sampling.kind === 'fps' ? 1 / p.sampling.fps : p.settings.clipSeconds;
    const elapsed = (): number => (performance.now() - started) / 1000;
    const progress = (): IngestProgress => ({
      type: 'progress', path: p.video.path, durationSec: p.video.durationSec, position: counts.position,
      framesDecoded: counts.decoded, framesEncoded: counts.encoded, framesSkipped: counts.skipped,
      clips: counts.clips, elapsedSec: elapsed(), speed: (counts.position - p.startAt) / Math.max(elapsed(), 1e-6),
    });

    const reader = context.text?.reader;
    const channelsRead: TextChannel[] = [...(reader ? ['slide' as const] : []), ...(context.text && context.text.subtitles !== 'off' ? ['subtitle' as const] : [])];
    const onRead = (ms: number): void => {
      counts.ocrFrames += 1;
      counts.ocrMs += ms;
    };

    const store = async (memory: DistilledClip): Promise<IngestProgress> => {
      const { clip, keyframe } = memory;
      const thumbnail = keyframe.rgb ? await encodeJpeg(keyframe.rgb, keyframe.width, keyframe.height) : undefined;
      context.store.videos.appendClip(p.register(), {
        index: clip.index, start: clip.start, end: clip.end, indicator: memory.indicator, tokens: memory.tokens,
        framesEncoded: clip.frames.length, framesRepeat: clip.repeatFrames, ...(thumbnail ? { thumbnailJpeg: thumbnail } : {}),
        ...(memory.texts ? { texts: memory.texts } : {}), channelsRead,
      });
      counts.textLines += memory.texts?.length ?? 0;
      counts.clips += 1;
      counts.position = clip.end;
      return progress();
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
      tap(() => (counts.decoded += 1)),
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
      propagateMemory(context.distiller, p.memory),
      p.subtitles.length ? attachTexts(p.subtitles) : identity,
      reader ? readSlides({ reader, grab: (time) => grabFrame(p.video, time, context.tools.ffmpeg), onRead }) : identity,
      concatMap((memory) => from(store(memory))),
    );

    return concat(events$, defer(() => of(finish(p, context, counts, elapsed()))));
  });
}

/** Seconds of a video that may go missing at the end before we call the file truncated. */
function tolerance(p: Plan): number {
  return Math.max(2 * p.settings.clipSeconds, 0.05 * p.video.durationSec);
}

interface Counts {
  decoded: number;
  encoded: number;
  skipped: number;
  clips: number;
  position: number;
  textLines: number;
  ocrFrames: number;
  ocrMs: number;
}

function finish(p: Plan, context: IngestContext, counts: Counts, wallSec: number): IngestSummary {
  const covered = counts.position;
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
    textLines: counts.textLines, ocrFrames: counts.ocrFrames, ocrSec: counts.ocrMs / 1000, wallSec, sampling: p.sampling.kind, resumedAt: p.startAt, alreadyIngested: false,
  };
}

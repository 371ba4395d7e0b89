/**
 * `vidmem reindex --text`: the text channels of videos stored without them (before vidmem read
 * text, or ingested with OCR off) are read from the files and added to the stored clips, whose
 * memories stay as they are. Each clip's text commits with the mark of how far the video has been
 * read, so an interrupted reindex resumes after the last clip it finished.
 */
import { existsSync } from 'node:fs';
import { concat, concatMap, defer, filter, ignoreElements, map, Observable, of } from 'rxjs';
import type { ClipPosition } from '../src/core/clips.js';
import { DEFAULTS } from '../src/core/config.js';
import { MediaError } from '../src/core/errors.js';
import type { FrameTextReader } from '../src/core/ports/frame-text-reader.js';
import { intoKnownClips } from '../src/clipping/known-clips.js';
import { FrameBudget } from '../src/frames/frame-budget.js';
import { markRepeats } from '../src/frames/mark-repeats.js';
import { decodeFrames } from '../src/sources/decode-frames.js';
import type { MediaTools } from '../src/sources/ffmpeg-binaries.js';
import { grabFrame } from '../src/sources/grab-frame.js';
import { probeVideo } from '../src/sources/probe.js';
import { readSlides } from '../src/text/read-slides.js';
import type { MemoryStore } from '../storage/memory-store.js';
import type { VideoRecord } from '../storage/repositories/videos.js';
import { subtitleTexts } from './subtitle-texts.js';

export interface ReindexContext {
  readonly store: MemoryStore;
  readonly tools: MediaTools;
  /** Opened only when a video still has slides to read. */
  readonly reader: () => Promise<FrameTextReader>;
  readonly onNotice: (message: string) => void;
}

export interface ReindexProgress {
  readonly type: 'progress';
  readonly videoId: number;
  readonly path: string;
  readonly durationSec: number;
  /** Seconds of the video whose slides have been read. */
  readonly position: number;
}

export interface ReindexSummary {
  readonly type: 'done';
  readonly videoId: number;
  readonly path: string;
  /** Lines of text added to the video's clips. */
  readonly textLines: number;
  readonly ocrFrames: number;
  readonly ocrSec: number;
  readonly wallSec: number;
  /** Nothing was left to read. */
  readonly upToDate: boolean;
}

export type ReindexEvent = ReindexProgress | ReindexSummary;

/** Small frames for telling a new slide from the last one read, the size ingest compares them at. */
const CHANGE_TEST_SIZE = 224;

export function reindexText(video: VideoRecord, context: ReindexContext): Observable<ReindexEvent> {
  return defer(() => {
    const started = performance.now();
    const counts = { textLines: 0, ocrFrames: 0, ocrMs: 0 };
    const { videos } = context.store;
    if (video.status === 'ingesting') throw new MediaError(`video ${video.id} (${video.path}) is still being ingested; finish its ingest first`);
    if (!existsSync(video.path)) throw new MediaError(`video ${video.id}: ${video.path} is not there any more, so its text cannot be read`);
    const clips = videos.clipsOf(video.id);
    const read = videos.textReadUntil(video.id);
    const videoEnd = clips.at(-1)?.end ?? 0;
    const slideFrom = read.get('slide') ?? 0;
    const unreadSlides = clips.filter((clip) => clip.end > slideFrom + 1e-6);
    const upToDate = read.has('subtitle') && unreadSlides.length === 0;

    const subtitles$ = defer(async () => {
      if (read.has('subtitle')) return;
      const texts = await subtitleTexts(video.path, 'auto', context.tools.ffmpeg, context.onNotice);
      const found = clips
        .map((clip) => ({ index: clip.index, texts: texts.filter((text) => text.start < clip.end && text.end > clip.start) }))
        .filter((clip) => clip.texts.length > 0);
      videos.addTexts(video.id, 'subtitle', found, videoEnd);
      counts.textLines += found.reduce((n, clip) => n + clip.texts.length, 0);
    }).pipe(ignoreElements());

    const slides$ = unreadSlides.length ? readStoredSlides(video, unreadSlides, context, counts) : of<ReindexEvent>();
    const summary = (): ReindexSummary => ({
      type: 'done', videoId: video.id, path: video.path, textLines: counts.textLines, ocrFrames: counts.ocrFrames,
      ocrSec: counts.ocrMs / 1000, wallSec: (performance.now() - started) / 1000, upToDate,
    });
    return concat(subtitles$, slides$, defer(() => of(summary())));
  });
}

/** The stored clips' frames decoded again at the video's sampling rate, read where the picture changed. */
function readStoredSlides(video: VideoRecord, clips: readonly ClipPosition[], context: ReindexContext, counts: { textLines: number; ocrFrames: number; ocrMs: number }): Observable<ReindexEvent> {
  return defer(async () => ({ info: await probeVideo(video.path, context.tools.ffmpeg), reader: await context.reader() })).pipe(
    concatMap(({ info, reader }) => {
      const budget = new FrameBudget(64);
      const fps = typeof video.settings.fps === 'number' ? video.settings.fps : DEFAULTS.ingest.fps;
      const size = CHANGE_TEST_SIZE;
      return decodeFrames(info, {
        ffmpeg: context.tools.ffmpeg, sampling: { kind: 'fps', fps }, width: size, height: size,
        scaleFilter: `scale=${size}:${size}:flags=area`, startAt: clips[0]!.start, budget,
      }).pipe(
        // Unchanged frames cannot show a new slide; they give their budget unit back at once.
        markRepeats(0.1, budget),
        filter((frame) => !frame.repeat),
        intoKnownClips(clips, budget),
        readSlides({
          reader,
          grab: (time) => grabFrame(info, time, context.tools.ffmpeg),
          onRead: (ms) => {
            counts.ocrFrames += 1;
            counts.ocrMs += ms;
          },
        }),
        map((known): ReindexProgress => {
          const texts = known.texts ?? [];
          context.store.videos.addTexts(video.id, 'slide', texts.length ? [{ index: known.clip.index, texts }] : [], known.clip.end);
          counts.textLines += texts.length;
          budget.release(known.clip.frames.length);
          return { type: 'progress', videoId: video.id, path: video.path, durationSec: video.durationSec, position: known.clip.end };
        }),
      );
    }),
  );
}

/**
 * Watching a live source as one pipeline per connection: decode at the source's pace (frames the
 * encoder cannot take yet are dropped, never queued) → mark repeats → encode → clip windows →
 * memory propagation → objects detected → store, each clip committed as it closes. A source that fails, stalls or
 * ends is a gap in its timeline: the clips held are committed, the gap is recorded with its
 * reason, and the source is tried again with capped exponential backoff, for ever, until `stop$`.
 * The memory of the first clip after a gap carries on from the last one before it.
 */
import {
  asyncScheduler, catchError, concat, concatMap, defer, EMPTY, finalize, from, identity, merge, Observable, of, ReplaySubject, retry, Subject,
  take, takeUntil, tap, throwError, timeout, timer, type OperatorFunction, type SchedulerLike,
} from 'rxjs';
import type { ClipText, TextChannel } from '../src/core/clip-text.js';
import type { DistilledClip } from '../src/core/clips.js';
import type { IngestSettings } from '../src/core/config.js';
import { MediaError } from '../src/core/errors.js';
import type { Distiller } from '../src/core/ports/distiller.js';
import type { VisionEncoder } from '../src/core/ports/encoders.js';
import { clipWindows } from '../src/clipping/clip-windows.js';
import type { Detection } from '../src/core/detections.js';
import type { Zone } from '../src/core/zones.js';
import { detectObjects, type ObjectsSeen } from '../src/detection/detect-objects.js';
import type { RgbFrame } from '../src/detection/resize-frame.js';
import { encodeFrames } from '../src/encoders/encode-frames.js';
import { encodeJpeg } from '../src/frames/encode-jpeg.js';
import { FrameBudget } from '../src/frames/frame-budget.js';
import { markRepeats } from '../src/frames/mark-repeats.js';
import { propagateMemory } from '../src/memory/propagate-memory.js';
import { decodeFrames } from '../src/sources/decode-frames.js';
import type { MediaTools } from '../src/sources/ffmpeg-binaries.js';
import { grabFrame } from '../src/sources/grab-frame.js';
import type { MemoryStore, RecordingFile, RetentionBudget, SourceRecord } from '../storage/memory-store.js';
import type { LiveSource } from './live-source.js';
import type { AlertRaised, SeenClip } from './standing-queries.js';

export interface WatchContext {
  readonly store: MemoryStore;
  readonly encoder: VisionEncoder;
  readonly distiller: Distiller;
  readonly settings: IngestSettings;
  readonly batchSize: number;
  readonly tools: MediaTools;
  /** Keep the stream itself as segment files copied without re-encoding (see storage/recordings.ts). */
  readonly record: boolean;
  /** How much of every source's recordings to keep; checked after a clip once this source's recording has begun a new file. */
  readonly retention?: RetentionBudget;
  /** This source's memories (clips and keyframes) older than this many seconds are removed, checked after a clip at most once a minute. */
  readonly retainMemoriesSeconds?: number;
  /** Finds people, vehicles and the other COCO objects in a frame; absent when detection is off. */
  readonly detect?: (frame: RgbFrame) => Promise<Detection[]>;
  /** The sources' zones, which each detection is told it stands in or not. */
  readonly zones?: readonly Zone[];
  /** Seconds between two frames the detector looks at; absent: one frame a clip. */
  readonly detectInterval?: number;
  /** No frame for this long means the source stalled (default 20 s). */
  readonly stallTimeoutMs: number;
  /** The longest wait between two tries (default 30 s); the first is 1 s. */
  readonly maxBackoffMs?: number;
  /** Completing (or emitting on) it ends the watch: the open clip is committed, ffmpeg is gone. */
  readonly stop$: Observable<unknown>;
  /** Wall-clock time in ms and the timers of stalls and backoff; injectable for tests. */
  readonly scheduler?: SchedulerLike;
  /** Standing questions checked on each clip once it is committed, across reconnections (see standing-queries.ts). */
  readonly alerts?: OperatorFunction<SeenClip, AlertRaised>;
}

export type WatchEvent =
  | { readonly type: 'connected'; readonly source: string; readonly at: number; readonly width: number; readonly height: number }
  /** A clip stored, its times in UTC seconds; frames dropped and decoded so far on this connection. */
  | { readonly type: 'clip'; readonly source: string; readonly videoId: number; readonly start: number; readonly end: number; readonly framesDropped: number; readonly framesDecoded: number }
  | { readonly type: 'gap'; readonly source: string; readonly at: number; readonly reason: string; readonly retryInMs: number }
  | { readonly type: 'stopped'; readonly source: string }
  /** A standing question's event began (see standing-queries.ts). */
  | AlertRaised;

/** Why a connection ended, and from when it has been missing; raised after its clips are committed, so that `retry` tries again. */
class SourceLost extends Error {
  constructor(
    message: string,
    readonly since: number | undefined,
  ) {
    super(message);
  }
}

/** Seconds ffmpeg may read of a new stream to learn its format: its default of 5 s delays every (re)connection. */
const ANALYZE_MICROSECONDS = 1_000_000;
const OPEN_ALLOWANCE_MS = 5000;

const INPUT_ARGS = (source: LiveSource): string[] => {
  if (source.realtime) return ['-re'];
  const probe = ['-analyzeduration', String(ANALYZE_MICROSECONDS), '-probesize', '1000000'];
  if (source.url.startsWith('rtsp://')) return ['-rtsp_transport', 'tcp', ...probe];
  return probe;
};

/** Recording minutes of a stream cost a file each; cut at keyframes, so a file starts where it plays. */
const RECORDING_SEGMENT_SECONDS = 60;

/**
 * The same ffmpeg copies the stream, video and any audio, into a file per minute named by its UTC
 * second. Each packet is written through at once: ffmpeg is killed when the watch stops or the
 * source is lost, and what it still buffered would be lost with it.
 */
function recordArgs(pattern: string): string[] {
  return [
    // Also by the MPEG-TS muxer inside the segment muxer, which does not inherit the flag: a quiet
    // camera's whole minute fits in the 32 KiB it otherwise holds back.
    '-map', '0:v:0', '-map', '0:a:0?', '-c', 'copy', '-flush_packets', '1', '-segment_format_options', 'flush_packets=1',
    '-f', 'segment', '-segment_time', String(RECORDING_SEGMENT_SECONDS),
    '-reset_timestamps', '1', '-strftime', '1', pattern,
  ];
}

/**
 * The frame a source showed `time` seconds into its segment at full size, from its recording: the
 * frames decoded live are the encoder's size, where a person across the street is a few pixels.
 * Without a recording of that moment (--no-record, a file not yet flushed), the encoder's frame.
 * A connection's first file holds the stream from its first packet, the segment's start, but is
 * named by the second ffmpeg opened it, once it had read enough of the stream to know its format
 * (a second or two later): counted from its name, every frame looked at was that much too early.
 */
async function recordedFrame(context: WatchContext, record: SourceRecord, picture: { width: number; height: number }, segmentStart: number, time: number, encoded: RgbFrame): Promise<RgbFrame> {
  const at = segmentStart + time;
  const firstPacket = (file: RecordingFile) => (file.start >= Math.floor(segmentStart) && file.start < segmentStart + RECORDING_SEGMENT_SECONDS / 2 ? segmentStart : file.start);
  const files = context.record ? context.store.sources.recordings(record, at, at + RECORDING_SEGMENT_SECONDS) : [];
  const file = files.find((f) => firstPacket(f) <= at);
  if (!file || picture.width === 0) return encoded;
  const info = { path: file.path, input: file.path, sizeBytes: 0, durationSec: Infinity, startTime: 0, fps: 0, width: picture.width, height: picture.height, codec: '' };
  return grabFrame(info, Math.max(0, at - firstPacket(file)), context.tools.ffmpeg).catch(() => encoded);
}

/** The last line of ffmpeg's complaint, without the file name it starts with. */
function reasonOf(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return /decoding failed \((.*)\)$/.exec(message)?.[1] ?? message;
}

export function watchSource(source: LiveSource, context: WatchContext): Observable<WatchEvent> {
  const scheduler = context.scheduler ?? asyncScheduler;
  const now = () => scheduler.now() / 1000;
  const { store } = context;
  const maxBackoff = context.maxBackoffMs ?? 30_000;
  return defer(() => {
    const record: SourceRecord = store.sources.register(source.name, source.url);
    // Remembered, so that a stop that comes while no connection listens (a backoff) still counts.
    const stop$ = new ReplaySubject<void>(1);
    let stopped = false;
    const stopping = context.stop$.pipe(take(1)).subscribe({ next: () => stop$.next(), complete: () => stop$.next() });
    stop$.subscribe(() => (stopped = true));
    const gaps = new Subject<WatchEvent>();
    // Clips as committed, for the standing questions: one stream of them over every connection.
    const seen = new Subject<SeenClip>();
    let openGap: number | undefined;
    let failures = 0;
    let lastPrune = -Infinity;
    /** The name of the newest recorded file when recordings were last pruned; undefined before. */
    let lastRecording: string | null | undefined;

    const connection = (): Observable<WatchEvent> =>
      defer(() => {
        const events = new Subject<WatchEvent>();
        const budget = new FrameBudget(Math.max(8, context.batchSize * 2));
        const counts = { decoded: 0, dropped: 0 };
        let lost: string | undefined;
        let segment: { videoId: number; startedAt: number; end: number; gap?: number } | undefined;
        let picture = { width: 0, height: 0, fps: 0 };
        const carried = store.sources.lastClip(record);

        const frames$ = decodeFrames(
          { path: source.name, input: source.url, sizeBytes: 0, durationSec: Infinity, startTime: 0, fps: 0, width: 0, height: 0, codec: '' },
          {
            ffmpeg: context.tools.ffmpeg,
            sampling: { kind: 'fps', fps: context.settings.fps },
            width: context.encoder.input.width,
            height: context.encoder.input.height,
            scaleFilter: context.encoder.input.scaleFilter,
            budget,
            live: { inputArgs: INPUT_ARGS(source), outputArgs: context.record ? recordArgs(store.sources.recordingPattern(record)) : [], onDrop: () => (counts.dropped += 1), onOpen: (opened) => (picture = opened) },
          },
        ).pipe(
          // The first frame also waits for ffmpeg to open the stream and read enough of it to know its format.
          timeout({
            first: context.stallTimeoutMs + OPEN_ALLOWANCE_MS,
            each: context.stallTimeoutMs,
            scheduler,
            with: () => throwError(() => new MediaError(`no frame for ${Math.round(context.stallTimeoutMs / 1000)} s (stalled)`)),
          }),
          tap((frame) => {
            counts.decoded += 1;
            // A frame's wall-clock time is its arrival less its time in the stream. The first ones
            // come late, held while ffmpeg read enough to open the stream, and then in a burst: the
            // segment starts at the earliest time a frame before its first clip implies. Then it
            // stays, so that the times of the clips told and stored never move.
            const implied = now() - frame.time;
            if (segment) {
              if (segment.end === 0 && implied < segment.startedAt - 0.05) {
                segment.startedAt = implied;
                store.sources.moveSegmentStart(segment.videoId, implied, segment.gap);
              }
              return;
            }
            // The first frame of a connection opens its segment and closes the gap before it.
            failures = 0;
            const gap = openGap;
            openGap = undefined;
            const videoId = store.sources.beginSegment(record, { startedAt: implied, ...picture, settings: { ...context.settings } }, gap);
            segment = { videoId, startedAt: implied, end: 0, ...(gap !== undefined ? { gap } : {}) };
            events.next({ type: 'connected', source: source.name, at: implied, width: picture.width, height: picture.height });
          }),
          takeUntil(stop$),
          // A lost source ends the frames, not the pipeline: the clips it holds are still committed.
          catchError((err: unknown) => {
            lost = reasonOf(err);
            return EMPTY;
          }),
        );

        const channelsRead: TextChannel[] = context.detect ? ['detector'] : [];
        const storeClip = async (memory: DistilledClip & { readonly texts?: readonly ClipText[] } & Partial<ObjectsSeen>): Promise<WatchEvent> => {
          const { clip, keyframe } = memory;
          const thumbnail = keyframe.rgb ? await encodeJpeg(keyframe.rgb, keyframe.width, keyframe.height) : undefined;
          const { videoId } = segment!;
          const clipId = store.videos.appendClip(videoId, {
            index: clip.index, start: clip.start, end: clip.end, indicator: memory.indicator, tokens: memory.tokens,
            framesEncoded: clip.frames.length, framesRepeat: clip.repeatFrames, ...(thumbnail ? { thumbnailJpeg: thumbnail } : {}),
            ...(memory.texts ? { texts: memory.texts } : {}), channelsRead, detections: memory.detections ?? [],
          });
          store.sources.extendSegment(videoId, clip.end);
          const { retention, retainMemoriesSeconds } = context;
          // Recordings are pruned when this source's recording has begun a new file (a file a
          // minute): the one before is then whole and counted, so the budget is never exceeded by
          // more than the file each source is writing. A readdir of one folder tells, no stat.
          if (retention) {
            const newest = store.sources.newestRecording(record);
            if (newest !== lastRecording) {
              lastRecording = newest;
              store.sources.pruneRecordings(retention, now());
            }
          }
          if (retainMemoriesSeconds !== undefined && now() - lastPrune >= RECORDING_SEGMENT_SECONDS) {
            lastPrune = now();
            store.sources.pruneMemories(record, lastPrune - retainMemoriesSeconds);
          }
          segment!.end = clip.end;
          const at = segment!.startedAt;
          seen.next({ stream: `source:${source.name}`, source: source.name, videoId, path: source.name, clipId, start: clip.start, end: clip.end, startedAt: at, indicator: memory.indicator, detections: memory.detections ?? [], detectedIn: memory.detectedIn ?? [] });
          return { type: 'clip', source: source.name, videoId, start: at + clip.start, end: at + clip.end, framesDropped: counts.dropped, framesDecoded: counts.decoded };
        };

        const clips$ = frames$.pipe(
          markRepeats(context.settings.repeatThreshold, budget),
          encodeFrames(context.encoder, { batchSize: context.batchSize, budget, live: true }),
          clipWindows({
            clipSeconds: context.settings.clipSeconds,
            frameInterval: 1 / context.settings.fps,
            videoEnd: Infinity,
            idleClose: { afterMs: context.settings.clipSeconds * 1000, scheduler },
          }),
          // The memory carried over a gap is moved to the new segment's clock, where all of it lies
          // before the segment began: its spans close up at the segment's start (a store keeps no
          // time before 0), so that nothing carried points at a clip of the new segment.
          propagateMemory(context.distiller, () => {
            if (!carried || !segment) return [];
            const shift = carried.segmentStartedAt - segment.startedAt;
            return carried.tokens.map((token) => ({ ...token, start: Math.max(0, token.start + shift), end: Math.max(0, token.end + shift) }));
          }),
          context.detect
            ? detectObjects({ detect: context.detect, grab: (time, encoded) => recordedFrame(context, record, picture, segment!.startedAt, time, encoded), zones: context.zones ?? [], ...(context.detectInterval !== undefined ? { interval: context.detectInterval } : {}) })
            : identity,
          concatMap((memory) => from(storeClip(memory))),
        );

        const ended$ = defer(() => {
          if (segment) store.videos.finish(segment.videoId, 'complete', { framesDecoded: counts.decoded, framesDropped: counts.dropped });
          const since = segment ? segment.startedAt + segment.end : undefined;
          return stopped ? EMPTY : throwError(() => new SourceLost(lost ?? 'the stream ended', since));
        });
        return merge(events, concat(clips$, ended$).pipe(finalize(() => events.complete())));
      });

    const watched$ = connection().pipe(
      retry({
        delay: (err: unknown) => {
          if (!(err instanceof SourceLost)) return throwError(() => err);
          const retryInMs = Math.min(maxBackoff, 1000 * 2 ** failures);
          failures += 1;
          // The hole in the timeline begins where the last clip ends, or now for a source that never came.
          const at = err.since ?? now();
          openGap ??= store.sources.openGap(record, at, err.message);
          gaps.next({ type: 'gap', source: source.name, at, reason: err.message, retryInMs });
          // A stop during the wait completes the notifier, and with it the watch.
          return timer(retryInMs, scheduler).pipe(takeUntil(stop$));
        },
      }),
      finalize(() => {
        gaps.complete();
        seen.complete();
      }),
    );
    const alerts$ = context.alerts ? seen.pipe(context.alerts) : EMPTY;
    return concat(merge(gaps, alerts$, watched$), of<WatchEvent>({ type: 'stopped', source: source.name })).pipe(finalize(() => stopping.unsubscribe()));
  });
}

import { asyncScheduler, Observable, type OperatorFunction, type SchedulerLike, type Subscription } from 'rxjs';
import type { Clip, EncodedFrame } from '../core/clips.js';
import { cosine } from '../core/vector-math.js';

export interface ClipWindowOptions {
  /** Clip length; windows are aligned to multiples of it from the start of the video. */
  readonly clipSeconds: number;
  /** Seconds one sampled frame stands for; closes the last clip. */
  readonly frameInterval: number;
  /** The video's end; no clip reaches past it (Infinity for a live source). */
  readonly videoEnd: number;
  /** Index given to the first clip (non-zero when resuming). */
  readonly firstIndex?: number;
  /**
   * Also cut at a scene change, once a clip is this long: where consecutive embeddings disagree, or
   * where a picture that stood still changes (the next slide, which an encoder of colours cannot tell
   * from the last one).
   */
  readonly sceneCut?: { readonly threshold: number; readonly minSeconds: number };
  /**
   * For live sources: when no frame has arrived for `afterMs` of the scheduler's time, the clips
   * held back are closed and emitted, so a camera that stalls does not keep its last clip unsaved.
   * The scheduler is injectable so that tests run on RxJS's TestScheduler.
   */
  readonly idleClose?: { readonly afterMs: number; readonly scheduler?: SchedulerLike };
}

interface Window {
  start: number;
  slot: number;
  frames: EncodedFrame[];
  repeatFrames: number;
  lastEmbedding: Float32Array;
  lastRepeat: boolean;
  /** The window's first repeat frame: what a window of repeats alone is made of when nothing is held back to extend. */
  firstRepeat: EncodedFrame | null;
}

interface Pending {
  start: number;
  end: number;
  frames: EncodedFrame[];
  repeatFrames: number;
}

/**
 * Groups frames into clips. Windows are aligned to absolute time, so a resumed ingest cuts where
 * an uninterrupted one would. A window made only of repeat frames (a static camera) extends the
 * previous clip instead of storing a copy of it, which is why one clip is held back until the
 * next window shows something new. Frames held are let go on teardown.
 */
export function clipWindows(options: ClipWindowOptions): OperatorFunction<EncodedFrame, Clip> {
  const { clipSeconds, sceneCut, idleClose } = options;
  return (source) =>
    new Observable<Clip>((subscriber) => {
      let index = options.firstIndex ?? 0;
      let current: Window | null = null;
      let pending: Pending | null = null;
      let lastTime = 0;
      let idleTimer: Subscription | undefined;

      const emitPending = (): void => {
        if (!pending) return;
        const clip: Clip = { index: index++, ...pending };
        pending = null;
        subscriber.next(clip);
      };

      const close = (window: Window, end: number): void => {
        const clipEnd = Math.min(end, options.videoEnd);
        if (window.frames.length === 0 && pending) {
          pending.end = clipEnd;
          pending.repeatFrames += window.repeatFrames;
          return;
        }
        emitPending();
        // Nothing held back to extend (a quiet source's clips were let go): the still picture goes
        // on as a clip of its own, its first repeat standing for it, with no keyframe to show.
        const frames = window.frames.length > 0 ? window.frames : [window.firstRepeat!];
        pending = { start: window.start, end: clipEnd, frames, repeatFrames: window.repeatFrames - (window.frames.length > 0 ? 0 : 1) };
      };

      /** Everything held becomes clips now: the end of the input, or a source gone quiet. */
      const flush = (): void => {
        if (current) close(current, lastTime + options.frameInterval);
        current = null;
        emitPending();
      };

      const open = (frame: EncodedFrame): Window => ({
        start: frame.time,
        slot: Math.floor(frame.time / clipSeconds),
        frames: [],
        repeatFrames: 0,
        lastEmbedding: frame.embedding,
        lastRepeat: false,
        firstRepeat: null,
      });

      const armIdleClose = (): void => {
        if (!idleClose) return;
        idleTimer?.unsubscribe();
        idleTimer = (idleClose.scheduler ?? asyncScheduler).schedule(flush, idleClose.afterMs);
      };

      const subscription = source.subscribe({
        next(frame) {
          if (current) {
            const newSlot = Math.floor(frame.time / clipSeconds) !== current.slot;
            const cut =
              sceneCut !== undefined &&
              !frame.repeat &&
              frame.time - current.start >= sceneCut.minSeconds &&
              (current.lastRepeat || cosine(current.lastEmbedding, frame.embedding) < sceneCut.threshold);
            if (newSlot || cut) {
              close(current, frame.time);
              current = null;
            }
          }
          current ??= open(frame);
          if (frame.repeat) {
            current.repeatFrames++;
            current.firstRepeat ??= frame;
          } else current.frames.push(frame);
          current.lastEmbedding = frame.embedding;
          current.lastRepeat = frame.repeat;
          lastTime = frame.time;
          armIdleClose();
        },
        error: (err: unknown) => subscriber.error(err),
        complete() {
          idleTimer?.unsubscribe();
          flush();
          subscriber.complete();
        },
      });
      return () => {
        subscription.unsubscribe();
        idleTimer?.unsubscribe();
        current = null;
        pending = null;
      };
    });
}

import { Observable, type OperatorFunction } from 'rxjs';
import type { Clip, EncodedFrame } from '../types.js';
import { cosine } from '../vector-math.js';

export interface ClipWindowOptions {
  /** Clip length; windows are aligned to multiples of it from the start of the video. */
  readonly clipSeconds: number;
  /** Seconds one sampled frame stands for; closes the last clip. */
  readonly frameInterval: number;
  /** The video's end; no clip reaches past it. */
  readonly videoEnd: number;
  /** Index given to the first clip (non-zero when resuming). */
  readonly firstIndex?: number;
  /** Also cut where consecutive embeddings disagree (a scene change), once a clip is this long. */
  readonly sceneCut?: { readonly threshold: number; readonly minSeconds: number };
}

interface Window {
  start: number;
  slot: number;
  frames: EncodedFrame[];
  repeatFrames: number;
  lastEmbedding: Float32Array;
}

/**
 * Groups frames into clips. Windows are aligned to absolute time, so a resumed ingest cuts where
 * an uninterrupted one would. A window made only of repeat frames (a static camera) extends the
 * previous clip instead of storing a copy of it, which is why one clip is held back until the
 * next window shows something new.
 */
export function clipWindows(options: ClipWindowOptions): OperatorFunction<EncodedFrame, Clip> {
  const { clipSeconds, sceneCut } = options;
  return (source) =>
    new Observable<Clip>((subscriber) => {
      let index = options.firstIndex ?? 0;
      let current: Window | null = null;
      let lastTime = 0;
      let pending: { start: number; end: number; frames: EncodedFrame[]; repeatFrames: number } | null = null;

      const emitPending = (): void => {
        if (!pending) return;
        subscriber.next({ index: index++, ...pending });
        pending = null;
      };

      const close = (window: Window, end: number): void => {
        const clipEnd = Math.min(end, options.videoEnd);
        if (window.frames.length === 0 && pending) {
          pending.end = clipEnd;
          pending.repeatFrames += window.repeatFrames;
          return;
        }
        emitPending();
        pending = { start: window.start, end: clipEnd, frames: window.frames, repeatFrames: window.repeatFrames };
      };

      const open = (frame: EncodedFrame): Window => ({
        start: frame.time,
        slot: Math.floor(frame.time / clipSeconds),
        frames: [],
        repeatFrames: 0,
        lastEmbedding: frame.embedding,
      });

      return source.subscribe({
        next(frame) {
          if (current) {
            const newSlot = Math.floor(frame.time / clipSeconds) !== current.slot;
            const cut =
              sceneCut !== undefined &&
              !frame.repeat &&
              frame.time - current.start >= sceneCut.minSeconds &&
              cosine(current.lastEmbedding, frame.embedding) < sceneCut.threshold;
            if (newSlot || cut) {
              close(current, frame.time);
              current = null;
            }
          }
          current ??= open(frame);
          if (frame.repeat) current.repeatFrames++;
          else current.frames.push(frame);
          current.lastEmbedding = frame.embedding;
          lastTime = frame.time;
        },
        error: (err) => subscriber.error(err),
        complete() {
          if (current) close(current, lastTime + options.frameInterval);
          emitPending();
          subscriber.complete();
        },
      });
    });
}

import { Observable, type OperatorFunction } from 'rxjs';
import type { ClipPosition } from '../core/clips.js';
import type { Backpressure } from '../core/ports/backpressure.js';

/** A stored clip with the frames decoded again for its span. */
export interface KnownClip<F> {
  readonly clip: ClipPosition & { readonly frames: readonly F[] };
}

/**
 * Groups frames into clips whose spans are already known (stored clips, read again for their
 * text), in order, one emission per span, frames or not; frames in no span give their budget
 * unit back.
 */
export function intoKnownClips<F extends { readonly time: number }>(spans: readonly ClipPosition[], budget?: Backpressure): OperatorFunction<F, KnownClip<F>> {
  return (source) =>
    new Observable<KnownClip<F>>((subscriber) => {
      let next = 0;
      let frames: F[] = [];
      const closeUntil = (time: number): void => {
        while (next < spans.length && time >= spans[next]!.end) {
          subscriber.next({ clip: { ...spans[next]!, frames } });
          frames = [];
          next += 1;
        }
      };
      const subscription = source.subscribe({
        next(frame) {
          closeUntil(frame.time);
          if (next < spans.length && frame.time >= spans[next]!.start) frames.push(frame);
          else budget?.release();
        },
        error: (err: unknown) => subscriber.error(err),
        complete() {
          closeUntil(Infinity);
          subscriber.complete();
        },
      });
      return () => {
        subscription.unsubscribe();
        frames = [];
      };
    });
}

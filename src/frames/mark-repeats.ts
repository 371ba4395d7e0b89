import { Observable, type OperatorFunction } from 'rxjs';
import type { Frame, SampledFrame } from '../core/clips.js';
import type { Backpressure } from '../core/ports/backpressure.js';
import { changedPercent } from '../core/pixel-change.js';

const NO_PIXELS = new Uint8Array(0);

/**
 * Flags frames nearly identical to the last frame that went to the encoder (static camera), so
 * they skip the encoder and reuse its embedding. Comparing with the last *encoded* frame, not the
 * previous one, stops slow drift (lighting) from hiding behind many small steps. Repeats drop their
 * pixels at once and give their budget unit back; the reference frame is let go on teardown.
 */
export function markRepeats(thresholdPercent: number, budget?: Backpressure): OperatorFunction<Frame, SampledFrame> {
  return (source) =>
    new Observable<SampledFrame>((subscriber) => {
      let reference: Uint8Array | null = null;
      const subscription = source.subscribe({
        next(frame) {
          const repeat = thresholdPercent > 0 && reference !== null && changedPercent(reference, frame.rgb) < thresholdPercent;
          if (!repeat) {
            reference = frame.rgb;
            subscriber.next({ ...frame, repeat });
            return;
          }
          budget?.release();
          subscriber.next({ ...frame, rgb: NO_PIXELS, repeat });
        },
        error: (err: unknown) => subscriber.error(err),
        complete: () => subscriber.complete(),
      });
      return () => {
        subscription.unsubscribe();
        reference = null;
      };
    });
}

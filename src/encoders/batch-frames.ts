import { Observable, type OperatorFunction } from 'rxjs';
import type { SampledFrame } from '../core/clips.js';

/**
 * Groups frames, in order, into batches holding `size` frames for the encoder. Repeat frames ride
 * along in the batch of the encoded frame they repeat; a long static stretch is flushed after
 * `4 × size` frames so it never piles up. A batch not yet flushed is let go on teardown.
 */
export function batchFrames(size: number): OperatorFunction<SampledFrame, SampledFrame[]> {
  return (source) =>
    new Observable<SampledFrame[]>((subscriber) => {
      let batch: SampledFrame[] = [];
      let toEncode = 0;
      const flush = (): void => {
        if (batch.length === 0) return;
        const out = batch;
        batch = [];
        toEncode = 0;
        subscriber.next(out);
      };
      const subscription = source.subscribe({
        next(frame) {
          if (!frame.repeat && toEncode === size) flush();
          batch.push(frame);
          if (!frame.repeat) toEncode++;
          if (batch.length >= 4 * size) flush();
        },
        error: (err: unknown) => subscriber.error(err),
        complete() {
          flush();
          subscriber.complete();
        },
      });
      return () => {
        subscription.unsubscribe();
        batch = [];
      };
    });
}

import { Observable, type OperatorFunction } from 'rxjs';
import type { SampledFrame } from '../core/clips.js';

/**
 * Batches for a live source, whose frames come at its pace: a frame that finds the encoder free
 * is encoded at once, and the frames that arrive while it is busy go together as soon as it is
 * free again (up to `size` to encode, repeats riding along as in batchFrames). A frame waits for
 * one encoder call at most, never for a batch to fill: at 1 fps a batch of 16 would hold every
 * frame for 16 s, and a static camera's repeats for a minute. Runs `work` on one batch at a time,
 * in order; on teardown the frames waiting are let go and a call still running is not emitted.
 */
export function batchWhileBusy<R>(size: number, work: (batch: SampledFrame[]) => Promise<R>): OperatorFunction<SampledFrame, R> {
  return (source) =>
    new Observable<R>((subscriber) => {
      let waiting: SampledFrame[] = [];
      let busy = false;
      let ended = false;

      const take = (): SampledFrame[] => {
        let toEncode = 0;
        let n = 0;
        while (n < waiting.length && (waiting[n]!.repeat || toEncode < size)) {
          if (!waiting[n]!.repeat) toEncode++;
          n++;
        }
        const batch = waiting.slice(0, n);
        waiting = waiting.slice(n);
        return batch;
      };

      const next = (): void => {
        if (busy || subscriber.closed) return;
        if (waiting.length === 0) {
          if (ended) subscriber.complete();
          return;
        }
        busy = true;
        work(take()).then(
          (result) => {
            busy = false;
            if (subscriber.closed) return;
            subscriber.next(result);
            next();
          },
          (err: unknown) => subscriber.error(err),
        );
      };

      const subscription = source.subscribe({
        next(frame) {
          waiting.push(frame);
          next();
        },
        error: (err: unknown) => subscriber.error(err),
        complete() {
          ended = true;
          next();
        },
      });
      return () => {
        subscription.unsubscribe();
        waiting = [];
      };
    });
}

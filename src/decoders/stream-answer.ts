import { Observable, type OperatorFunction, concatMap } from 'rxjs';
import type { DecodeRequest, Decoder } from '../core/ports/decoder.js';

/** A decoder's streamed answer as an Observable of pieces; unsubscribing aborts the decoder. */
export function streamAnswer(decoder: Decoder): OperatorFunction<DecodeRequest, string> {
  return concatMap(
    (request) =>
      new Observable<string>((subscriber) => {
        const controller = new AbortController();
        (async () => {
          for await (const piece of decoder.answer(request, controller.signal)) {
            if (subscriber.closed) return;
            subscriber.next(piece);
          }
          subscriber.complete();
        })().catch((err: unknown) => {
          if (!controller.signal.aborted) subscriber.error(err);
        });
        return () => controller.abort();
      }),
  );
}

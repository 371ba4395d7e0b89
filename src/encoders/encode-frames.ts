import { concatMap, defer, finalize, from, mergeMap, type Observable, type OperatorFunction } from 'rxjs';
import type { EncodedFrame, SampledFrame } from '../core/clips.js';
import type { Backpressure } from '../core/ports/backpressure.js';
import type { VisionEncoder } from '../core/ports/encoders.js';
import { batchFrames } from './batch-frames.js';
import { batchWhileBusy } from './batch-while-busy.js';

export interface EncodeFramesOptions {
  readonly batchSize: number;
  readonly budget?: Backpressure;
  /**
   * Frames come at a live source's pace: encode what has arrived whenever the encoder is free,
   * instead of waiting for full batches (see batchWhileBusy).
   */
  readonly live?: boolean;
  /** Called after each encoder call with the number of frames it encoded. */
  readonly onEncoded?: (count: number) => void;
}

/**
 * Runs the vision encoder over batches, one batch at a time (concatMap), and gives each repeat
 * frame the embedding of the encoded frame before it.
 */
export function encodeFrames(encoder: VisionEncoder, options: EncodeFramesOptions): OperatorFunction<SampledFrame, EncodedFrame> {
  return (source) =>
    defer(() => {
      let previous: Float32Array | null = null;
      const encodeBatch = async (batch: SampledFrame[]): Promise<EncodedFrame[]> => {
        const fresh = batch.filter((f) => !f.repeat);
        const embeddings = fresh.length > 0 ? await encoder.encodeImages(fresh.map((f) => f.rgb)) : [];
        options.budget?.release(fresh.length);
        if (fresh.length > 0) options.onEncoded?.(fresh.length);
        let next = 0;
        return batch.map((frame) => {
          const embedding: Float32Array | null | undefined = frame.repeat ? previous : embeddings[next++];
          if (!embedding) throw new Error('a repeat frame arrived before any encoded frame');
          previous = embedding;
          return {
            index: frame.index,
            time: frame.time,
            embedding,
            repeat: frame.repeat,
            rgb: frame.repeat ? null : frame.rgb,
            width: frame.width,
            height: frame.height,
          };
        });
      };
      const encoded = options.live
        ? batchWhileBusy(options.batchSize, encodeBatch)
        : (frames: Observable<SampledFrame>) => frames.pipe(batchFrames(options.batchSize), concatMap((batch) => from(encodeBatch(batch))));
      return source.pipe(
        encoded,
        mergeMap((frames) => frames),
        finalize(() => (previous = null)),
      );
    });
}

import { scan, type OperatorFunction } from 'rxjs';
import type { Clip, DistilledClip, EncodedFrame, MemoryToken } from '../core/clips.js';
import type { Distiller } from '../core/ports/distiller.js';
import { dot } from '../core/vector-math.js';

/** The frame whose embedding is closest to the clip's indicator: the clip's most typical picture. */
function pickKeyframe(frames: readonly EncodedFrame[], indicator: Float32Array): EncodedFrame {
  let best = frames[0]!;
  let bestScore = -Infinity;
  for (const frame of frames) {
    const score = dot(frame.embedding, indicator);
    if (score > bestScore) {
      bestScore = score;
      best = frame;
    }
  }
  return best;
}

/**
 * Memory-propagated streaming encoding as a `scan`: each clip is distilled together with the
 * previous clip's memory. `initial` is the last stored memory when an ingest resumes, or a live
 * source reconnects; a function is asked for it when the first clip comes, once the new segment's
 * start, which its times are moved to, is known.
 */
export function propagateMemory(distiller: Distiller, initial: readonly MemoryToken[] | (() => readonly MemoryToken[]) = []): OperatorFunction<Clip, DistilledClip> {
  return scan<Clip, DistilledClip, null>((previous, clip) => {
    const { tokens, indicator } = distiller.distill(previous?.tokens ?? (typeof initial === 'function' ? initial() : initial), clip);
    return { clip, tokens, indicator, keyframe: pickKeyframe(clip.frames, indicator) };
  }, null);
}

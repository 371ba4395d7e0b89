import { map, type OperatorFunction } from 'rxjs';
import type { ClipText } from '../core/clip-text.js';
import type { DistilledClip } from '../core/clips.js';

/**
 * Gives each clip the pieces of text known in advance (subtitle cues, a transcript) that share
 * some time with it. A piece keeps its own times, so a cue that spans a cut belongs to both clips
 * and still says exactly when it was spoken.
 */
export function attachTexts(texts: readonly ClipText[]): OperatorFunction<DistilledClip, DistilledClip> {
  return map((memory) => {
    const { start, end } = memory.clip;
    const overlapping = texts.filter((text) => text.start < end && text.end > start);
    return overlapping.length ? { ...memory, texts: [...(memory.texts ?? []), ...overlapping] } : memory;
  });
}

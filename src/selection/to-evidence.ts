import type { ClipText } from '../core/clip-text.js';
import type { Evidence } from '../core/moments.js';
import type { Selection } from './selection.js';

/**
 * The selected moments as a decoder sees them, in time order, each with what its clip is known
 * to hold as text (`texts`, by clip id): the piece that matched the question first.
 */
export function toEvidence(selection: Selection, texts: ReadonlyMap<number, readonly ClipText[]>): Evidence[] {
  return selection.selected.map(({ clip, start, end, score }) => {
    const known = texts.get(clip.clipId) ?? [];
    const matched = clip.textMatch;
    return {
      videoId: clip.videoId,
      videoPath: clip.videoPath,
      startedAt: clip.startedAt,
      start,
      end,
      score,
      thumbnail: clip.thumbnail,
      text: matched ? [matched, ...known.filter((t) => t.text !== matched.text || t.start !== matched.start)] : [...known],
    };
  });
}

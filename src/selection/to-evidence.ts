import type { Evidence } from '../core/moments.js';
import type { Selection } from './selection.js';

/** The selected moments as a decoder sees them, in time order. */
export function toEvidence(selection: Selection): Evidence[] {
  return selection.selected.map(({ clip, start, end, score }) => ({
    videoId: clip.videoId,
    videoPath: clip.videoPath,
    start,
    end,
    score,
    thumbnail: clip.thumbnail,
    // Text channels (OCR, subtitles, speech) are not stored yet: nothing is known as text.
    text: [],
  }));
}

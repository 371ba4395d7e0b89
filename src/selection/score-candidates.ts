import type { ClipText } from '../core/clip-text.js';
import type { MemoryToken, RememberedClip, StoredClip } from '../core/clips.js';
import { dot } from '../core/vector-math.js';

/** A clip offered for a question, scored against both things the store keeps of it. */
export interface Candidate extends StoredClip {
  /** Cosine between the question and the clip's indicator: the clip as a whole. */
  readonly indicatorScore: number;
  /**
   * Best cosine between the question and one of the memory tokens that cover the clip's own time:
   * its parts, so a short event inside the clip is not averaged away. The indicator's score when
   * the clip has no such token.
   */
  readonly memoryScore: number;
  /** How well the clip's text matched the question, 0..1, its channel weighed in (0: no match). */
  readonly textScore: number;
  /** The piece of the clip's text that matched best. */
  readonly textMatch: ClipText | null;
  /** What selection ranks by: the better of indicator and memory, plus what the text adds. */
  readonly score: number;
  /** The part of the clip the match points at: all of it, or the span of its best tokens. */
  readonly focusStart: number;
  readonly focusEnd: number;
  /** The clip's memory, which is what a decoder gets when the clip is selected. */
  readonly tokens: readonly MemoryToken[];
  /** The clip (index, same video) whose memory of the past led to this one; null when the index found it. */
  readonly via: number | null;
}

export interface ScoringOptions {
  /** Score clips by their memory tokens too; false ranks by indicators alone. */
  readonly useMemory: boolean;
}

/** Tokens scoring at least this fraction of the best one make up the focus. */
export const FOCUS_RATIO = 0.9;

/**
 * What a text match adds to a clip's score at most: more than any difference of visual
 * similarity, so a question whose words are on a slide finds that slide with any model, yet
 * between two text matches the picture still decides.
 */
const TEXT_WEIGHT = 0.3;

/** A token covers the clip when it reaches into the clip's span; anything earlier is remembered. */
export function coversClip(token: MemoryToken, clip: { start: number; end: number }): boolean {
  return token.end > clip.start && token.start < clip.end;
}

/**
 * A clip's score is its best part: the indicator (the clip's mean) or, with memory, the best
 * token covering its time. Tokens from before the clip are what it remembers; they do not make
 * this clip relevant, they point at an earlier one (see memory-pointers). A question scores
 * dozens of these, so the loops below allocate nothing per token.
 */
export function scoreCandidate(
  clip: RememberedClip,
  indicatorScore: number,
  query: Float32Array,
  options: ScoringOptions,
  via: number | null = null,
  text: { readonly score: number; readonly piece: ClipText } | null = null,
): Candidate {
  const { tokens } = clip;
  const scores = tokens.map((t) => (coversClip(t, clip) ? dot(t.vector, query) : -Infinity));
  let memoryScore = Math.max(...scores);
  if (memoryScore === -Infinity) memoryScore = indicatorScore;
  const visual = options.useMemory ? Math.max(indicatorScore, memoryScore) : indicatorScore;
  const textScore = text?.score ?? 0;
  const score = Math.max(0, visual) + TEXT_WEIGHT * textScore;
  let focusStart = clip.start;
  let focusEnd = clip.end;
  if (options.useMemory && memoryScore > indicatorScore && memoryScore > 0) {
    // A token merged over a long scene reaches far past the clip; the clip is what was found.
    let first = Infinity;
    let last = -Infinity;
    tokens.forEach((t, i) => {
      if (scores[i]! < FOCUS_RATIO * memoryScore) return;
      first = Math.min(first, t.start);
      last = Math.max(last, t.end);
    });
    focusStart = Math.max(clip.start, first);
    focusEnd = Math.min(clip.end, last);
  }
  // Words said are said at their own time; a slide's words hold for the whole clip.
  if (text && text.piece.channel !== 'slide' && text.piece.end > clip.start && text.piece.start < clip.end) {
    focusStart = Math.max(clip.start, text.piece.start);
    focusEnd = Math.min(clip.end, text.piece.end);
  }
  return {
    clipId: clip.clipId, videoId: clip.videoId, videoPath: clip.videoPath, startedAt: clip.startedAt, index: clip.index, start: clip.start, end: clip.end,
    thumbnail: clip.thumbnail, indicatorScore, memoryScore, textScore, textMatch: text?.piece ?? null, score, focusStart, focusEnd, tokens, via,
  };
}

import type { MemoryToken } from '../types.js';
import { dot } from '../vector-math.js';
import type { SearchHit, StoredClip } from '../../storage/memory-store.js';

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
  /** What selection ranks by. */
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

/** A token covers the clip when it reaches into the clip's span; anything earlier is remembered. */
export function coversClip(token: MemoryToken, clip: { start: number; end: number }): boolean {
  return token.end > clip.start && token.start < clip.end;
}

/**
 * A clip's score is its best part: the indicator (the clip's mean) or, with memory, the best
 * token covering its time. Tokens from before the clip are what it remembers; they do not make
 * this clip relevant, they point at an earlier one (see memory-pointers).
 */
export function scoreCandidate(
  hit: SearchHit,
  tokens: readonly MemoryToken[],
  query: Float32Array,
  options: ScoringOptions,
  via: number | null = null,
): Candidate {
  const own = tokens.filter((t) => coversClip(t, hit));
  const scores = own.map((t) => dot(t.vector, query));
  const memoryScore = scores.length > 0 ? Math.max(...scores) : hit.score;
  const score = options.useMemory ? Math.max(hit.score, memoryScore) : hit.score;
  let focusStart = hit.start;
  let focusEnd = hit.end;
  if (options.useMemory && memoryScore > hit.score && memoryScore > 0) {
    const matching = own.filter((_, i) => scores[i] >= FOCUS_RATIO * memoryScore);
    // A token merged over a long scene reaches far past the clip; the clip is what was found.
    focusStart = Math.max(hit.start, Math.min(...matching.map((t) => t.start)));
    focusEnd = Math.min(hit.end, Math.max(...matching.map((t) => t.end)));
  }
  const { score: _indicator, ...clip } = hit;
  return { ...clip, indicatorScore: hit.score, memoryScore, score, focusStart, focusEnd, tokens, via };
}

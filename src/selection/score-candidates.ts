import type { MemoryToken } from '../types.js';
import { dot } from '../vector-math.js';
import type { SearchHit, StoredClip } from '../../storage/memory-store.js';

/** A clip the index offered for a question, scored against both things the store keeps of it. */
export interface Candidate extends StoredClip {
  /** Cosine between the question and the clip's indicator: what the clip itself shows. */
  readonly indicatorScore: number;
  /** Best cosine between the question and one of the clip's memory tokens: what it remembers, up to and including itself. */
  readonly memoryScore: number;
  /** What selection ranks by. */
  readonly score: number;
  /**
   * The part of the video the match points at: the clip itself, or the span of its best memory
   * tokens when they match better than the clip as a whole (a short event inside the clip, or an
   * earlier one the clip remembers).
   */
  readonly focusStart: number;
  readonly focusEnd: number;
  /** The clip's memory, which is what a decoder gets when the clip is selected. */
  readonly tokens: readonly MemoryToken[];
}

export interface ScoringOptions {
  /**
   * Share of the memory score in the combined score; 0 ranks by indicators alone. Half and half
   * lets memory rescue an event too short to dominate its clip's indicator, while the clip that
   * shows the event still outranks later clips that merely remember it.
   */
  readonly memoryWeight: number;
}

/** Tokens scoring at least this fraction of the best one make up the focus. */
const FOCUS_RATIO = 0.9;

export function scoreCandidate(hit: SearchHit, tokens: readonly MemoryToken[], query: Float32Array, options: ScoringOptions): Candidate {
  const scores = tokens.map((t) => dot(t.vector, query));
  const memoryScore = scores.length > 0 ? Math.max(...scores) : hit.score;
  const w = options.memoryWeight;
  const score = (1 - w) * hit.score + w * memoryScore;
  let focusStart = hit.start;
  let focusEnd = hit.end;
  if (w > 0 && memoryScore > hit.score && memoryScore > 0) {
    const matching = tokens.filter((_, i) => scores[i] >= FOCUS_RATIO * memoryScore);
    focusStart = Math.min(...matching.map((t) => t.start));
    focusEnd = Math.max(...matching.map((t) => t.end));
  }
  const { score: _indicator, ...clip } = hit;
  return { ...clip, indicatorScore: hit.score, memoryScore, score, focusStart, focusEnd, tokens };
}

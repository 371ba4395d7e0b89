import { dot } from '../core/vector-math.js';
import { coversClip, FOCUS_RATIO, type Candidate } from './score-candidates.js';

/** A stretch of video that some candidate's memory matches better than the candidate itself. */
export interface MemoryPointer {
  readonly videoId: number;
  readonly start: number;
  readonly end: number;
  readonly score: number;
  /** Index of the clip whose memory points here. */
  readonly from: number;
}

/**
 * What the candidates remember that bears on the question. A propagated memory keeps earlier
 * moments as their own tokens, so a clip found for one reason can point at an earlier moment that
 * fits the question better: a short event whose own clips the index ranked low, because it filled
 * only part of them. Each such span is returned once, with the best score any memory gave it.
 */
export function memoryPointers(candidates: readonly Candidate[], query: Float32Array): MemoryPointer[] {
  const bySpan = new Map<string, MemoryPointer>();
  for (const candidate of candidates) {
    const remembered = candidate.tokens.filter((t) => !coversClip(t, candidate));
    const scores = remembered.map((t) => dot(t.vector, query));
    const best = Math.max(0, ...scores);
    if (!(best > candidate.score)) continue;
    remembered.forEach((t, i) => {
      if (scores[i] < FOCUS_RATIO * best || scores[i] <= candidate.score) return;
      const key = `${candidate.videoId}:${t.start}:${t.end}`;
      if ((bySpan.get(key)?.score ?? -Infinity) >= scores[i]) return;
      bySpan.set(key, { videoId: candidate.videoId, start: t.start, end: t.end, score: scores[i], from: candidate.index });
    });
  }
  return [...bySpan.values()].sort((a, b) => b.score - a.score);
}

import type { RankedClip } from '../core/clips.js';
import type { MemoryReader } from '../core/ports/memory-reader.js';
import { dot } from '../core/vector-math.js';
import { candidatePool } from './candidate-pool.js';
import { memoryPointers } from './memory-pointers.js';
import { scoreCandidate, type Candidate, type ScoringOptions } from './score-candidates.js';
import type { Decision } from './selection.js';
import type { Runs } from './temporal-nms.js';

export interface CandidateOptions extends ScoringOptions {
  /** Only this video's memories. */
  readonly videoId?: number;
  /** Clips read and scored: distinct ones (see candidate-pool). */
  readonly candidates: number;
  /** Hits taken from the index, thinned to `candidates` distinct ones (see candidate-pool). */
  readonly indexHits: number;
  /** Index score difference under which neighbouring clips count as near copies. */
  readonly copyTolerance: number;
}

export interface Candidates {
  /** Candidates that match something of the question, best first. */
  readonly ranked: readonly Candidate[];
  /** The near copies each read candidate stands for. */
  readonly runs: Runs;
  /** Candidates that match nothing of it. */
  readonly unmatched: readonly Decision[];
  /** Hits the index gave before they were thinned. */
  readonly indexHits: number;
  /** Distinct moments the index found past the candidates, best first, by indicator score. */
  readonly unread: readonly RankedClip[];
  /** The index gave all the hits asked for: there may be more past them. */
  readonly indexFull: boolean;
}

/**
 * Clips read through memory pointers, at most. The clips of a long remembered scene that fits the
 * question are mostly candidates already (their indicators fit too); pointers earn their keep on
 * short events, which span a clip or two. The cap bounds a question's reads either way.
 */
const MAX_FOLLOWED = 16;

/** Best first; on a tie, the clip that shows the match before one that only remembers it. */
export function rank(a: Candidate, b: Candidate): number {
  return b.score - a.score || b.indicatorScore - a.indicatorScore;
}

/**
 * The clips the candidates' memories point at, scored in their own right (see memory-pointers).
 * Clips the index gave already (read, or set aside as near copies) need no second look.
 */
function followPointers(reader: MemoryReader, found: readonly Candidate[], known: ReadonlySet<number>, query: Float32Array, options: ScoringOptions): Candidate[] {
  const via = new Map<number, number>();
  for (const pointer of memoryPointers(found, query)) {
    for (const clip of reader.clipsOverlapping(pointer.videoId, pointer.start, pointer.end)) {
      if (!known.has(clip.clipId) && !via.has(clip.clipId)) via.set(clip.clipId, pointer.from);
    }
    if (via.size >= MAX_FOLLOWED) break;
  }
  const followed = [...via].slice(0, MAX_FOLLOWED);
  const clips = reader.clipMemories(followed.map(([clipId]) => clipId));
  return followed.flatMap(([clipId, from]) => {
    const clip = clips.get(clipId);
    return clip ? [scoreCandidate(clip, dot(clip.indicator, query), query, options, from)] : [];
  });
}

/**
 * The clips a question about a moment is decided among, the same for search and for answers:
 * the index's nearest clips thinned to distinct ones, read and scored by indicator and memory
 * tokens, plus the earlier clips their memories point at.
 */
export function findCandidates(reader: MemoryReader, query: Float32Array, options: CandidateOptions): Candidates {
  const asked = Math.max(options.indexHits, options.candidates);
  const nearest = reader.nearestClips(query, { top: asked, videoId: options.videoId });
  const { pool, runs, unread } = candidatePool(nearest, options.candidates, options.copyTolerance);
  const clips = reader.clipMemories(pool.map((h) => h.clipId));
  const found = pool.flatMap((h) => {
    const clip = clips.get(h.clipId);
    return clip ? [scoreCandidate(clip, h.score, query, options)] : [];
  });
  const known = new Set(nearest.map((h) => h.clipId));
  const scored = options.useMemory ? [...found, ...followPointers(reader, found, known, query, options)] : found;
  return {
    ranked: scored.filter((c) => c.score > 0).sort(rank),
    runs,
    unmatched: scored
      .filter((c) => !(c.score > 0))
      .map((candidate) => ({ candidate, verdict: 'no-match', reason: 'score ≤ 0: nothing of what was asked' })),
    indexHits: nearest.length,
    unread,
    indexFull: nearest.length === asked,
  };
}

import type { ClipText, TextChannel } from '../core/clip-text.js';
import type { RankedClip } from '../core/clips.js';
import type { TimeWindow } from '../core/moments.js';
import type { MemoryReader, ReadScope } from '../core/ports/memory-reader.js';
import { dot } from '../core/vector-math.js';
import { candidatePool } from './candidate-pool.js';
import { memoryPointers } from './memory-pointers.js';
import { queryTerms } from './query-terms.js';
import { scoreCandidate, type Candidate, type ScoringOptions } from './score-candidates.js';
import type { Decision } from './selection.js';
import type { Runs } from './temporal-nms.js';

export interface CandidateOptions extends ScoringOptions {
  /** Only this video's memories. */
  readonly videoId?: number;
  /** Only memories of live sources within this wall-clock window. */
  readonly within?: TimeWindow;
  /** Clips read and scored: distinct ones (see candidate-pool). */
  readonly candidates: number;
  /** Hits taken from the index, thinned to `candidates` distinct ones (see candidate-pool). */
  readonly indexHits: number;
  /** Index score difference under which neighbouring clips count as near copies. */
  readonly copyTolerance: number;
}

/** The part of the options that says which memories may be read. */
export function scopeOf(options: Pick<CandidateOptions, 'videoId' | 'within'>): ReadScope {
  return { ...(options.videoId !== undefined ? { videoId: options.videoId } : {}), ...(options.within ? { within: options.within } : {}) };
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

/** Clips found by their text that are read besides the index's. */
const TEXT_CANDIDATES = 16;

/**
 * How much a channel's words count. Slide text ranks above what was said: published
 * lecture-search work found it the more precise channel, and a transcript holds every passing word.
 */
const CHANNEL_WEIGHT: Record<TextChannel, number> = { slide: 1, subtitle: 0.9, detector: 0.9, speech: 0.8 };

/** The best-matching piece of text of each clip, channel weighed in, best first. */
function textScores(reader: MemoryReader, question: string, options: CandidateOptions): Map<number, { score: number; piece: ClipText; hit: RankedClip }> {
  const terms = queryTerms(question);
  const best = new Map<number, { score: number; piece: ClipText; hit: RankedClip }>();
  if (terms.length === 0) return best;
  for (const match of reader.textMatches(terms, { top: TEXT_CANDIDATES * 4, ...scopeOf(options) })) {
    const score = match.score * CHANNEL_WEIGHT[match.text.channel];
    if (score <= (best.get(match.clipId)?.score ?? 0)) continue;
    const { clipId, videoId, index, start, end } = match;
    best.set(clipId, { score, piece: match.text, hit: { clipId, videoId, index, start, end, score: 0 } });
  }
  return new Map([...best].sort(([, a], [, b]) => b.score - a.score).slice(0, TEXT_CANDIDATES));
}

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
 * the index's nearest clips thinned to distinct ones, and the clips whose text holds the
 * question's words (full-text search fused with the vectors before anything is selected), read
 * and scored by indicator, memory tokens and text, plus the earlier clips their memories point at.
 */
export function findCandidates(reader: MemoryReader, question: { readonly text: string; readonly vector: Float32Array }, options: CandidateOptions): Candidates {
  const query = question.vector;
  const asked = Math.max(options.indexHits, options.candidates);
  const nearest = reader.nearestClips(query, { top: asked, ...scopeOf(options) });
  const { pool, runs, unread } = candidatePool(nearest, options.candidates, options.copyTolerance);
  const byText = textScores(reader, question.text, options);
  const inPool = new Set(pool.map((h) => h.clipId));
  const read = [...pool, ...[...byText.values()].map((t) => t.hit).filter((h) => !inPool.has(h.clipId))];
  const clips = reader.clipMemories(read.map((h) => h.clipId));
  const found = read.flatMap((h) => {
    const clip = clips.get(h.clipId);
    if (!clip) return [];
    // A clip found by its text alone has no index score yet: its indicator gives it.
    const indicatorScore = inPool.has(h.clipId) ? h.score : dot(clip.indicator, query);
    return [scoreCandidate(clip, indicatorScore, query, options, null, byText.get(h.clipId) ?? null)];
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

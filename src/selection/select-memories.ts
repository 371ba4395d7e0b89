import { formatRange } from '../cli/format.js';
import { UserError } from '../errors.js';
import type { ClipSummary, MemoryStore } from '../../storage/memory-store.js';
import { dot } from '../vector-math.js';
import { adaptiveSelection } from './adaptive-selection.js';
import { candidatePool } from './candidate-pool.js';
import { memoryPointers } from './memory-pointers.js';
import { questionKind } from './question-kind.js';
import { scoreCandidate, type Candidate } from './score-candidates.js';
import type { Decision, Selection } from './selection.js';
import { temporalNms } from './temporal-nms.js';
import { allocatePicks, spreadOverTimeline } from './timeline-selection.js';

export interface SelectOptions {
  /** Only this video's memories. */
  readonly videoId?: number;
  /** Memory tokens the decoder may receive (the paper's 256: 32 clips of 8 tokens). */
  readonly budget: number;
  /** Clips read and scored: as many as the budget holds, distinct ones (see candidate-pool). */
  readonly candidates: number;
  /** Hits taken from the index, thinned to `candidates` distinct ones (see candidate-pool). */
  readonly indexHits: number;
  /** Index score difference under which neighbouring clips count as near copies. */
  readonly copyTolerance: number;
  /**
   * Score clips by their memory tokens as well as their indicators, and follow what their memories
   * remember to earlier clips; false ranks by indicators alone.
   */
  readonly useMemory: boolean;
  /** Softmax temperature over the moments' scores (see adaptive-selection). */
  readonly temperature: number;
  /** Share of the softmax's mass the kept moments must hold. */
  readonly mass: number;
  /** A neighbour scoring at least this fraction of a moment's best clip is part of the same event. */
  readonly joinRatio: number;
}

export const DEFAULT_SELECT: SelectOptions = {
  budget: 256,
  candidates: 32,
  indexHits: 256,
  copyTolerance: 0.005,
  useMemory: true,
  temperature: 0.01,
  mass: 0.9,
  joinRatio: 0.9,
};

export interface Question {
  readonly text: string;
  /** The question's text embedding, from the store's model. */
  readonly vector: Float32Array;
}

/** Best first; on a tie, the clip that shows the match before one that only remembers it. */
function rank(a: Candidate, b: Candidate): number {
  return b.score - a.score || b.indicatorScore - a.indicatorScore;
}

/**
 * Clips read through memory pointers, at most. The clips of a long remembered scene that fits the
 * question are mostly candidates already (their indicators fit too); pointers earn their keep on
 * short events, which span a clip or two. The cap bounds a question's reads either way.
 */
const MAX_FOLLOWED = 16;

/**
 * The clips the candidates' memories point at, scored in their own right (see memory-pointers).
 * Clips the index gave already (read, or set aside as near copies) need no second look.
 */
function followPointers(
  store: MemoryStore,
  found: readonly Candidate[],
  known: ReadonlySet<number>,
  query: Float32Array,
  options: SelectOptions,
): Candidate[] {
  const via = new Map<number, number>();
  for (const pointer of memoryPointers(found, query)) {
    for (const clip of store.clipsOverlapping(pointer.videoId, pointer.start, pointer.end)) {
      if (!known.has(clip.id) && !via.has(clip.id)) via.set(clip.id, pointer.from);
    }
    if (via.size >= MAX_FOLLOWED) break;
  }
  const followed = [...via].slice(0, MAX_FOLLOWED);
  const clips = store.clipMemories(followed.map(([clipId]) => clipId));
  return followed.flatMap(([clipId, from]) => {
    const clip = clips.get(clipId);
    return clip ? [scoreCandidate(clip, dot(clip.indicator, query), query, options, from)] : [];
  });
}

/** Candidates from the index, scored, suppressed and cut down to what the question needs. */
function selectMoments(store: MemoryStore, question: Question, options: SelectOptions): Selection {
  if (question.vector.every((x) => x === 0)) {
    throw new UserError(`model '${store.model()?.name}' knows none of the words in "${question.text}"`);
  }
  const nearest = store.nearestClips(question.vector, { top: Math.max(options.indexHits, options.candidates), videoId: options.videoId });
  const { pool, runs } = candidatePool(nearest, options.candidates, options.copyTolerance);
  const clips = store.clipMemories(pool.map((h) => h.clipId));
  const found = pool.flatMap((h) => {
    const clip = clips.get(h.clipId);
    return clip ? [scoreCandidate(clip, h.score, question.vector, options)] : [];
  });
  const known = new Set(nearest.map((h) => h.clipId));
  const scored = options.useMemory ? [...found, ...followPointers(store, found, known, question.vector, options)] : found;
  const ranked = scored.filter((c) => c.score > 0).sort(rank);
  const nms = temporalNms(ranked, options.joinRatio, runs);
  const adaptive = adaptiveSelection(nms.moments, options);
  const unmatched: Decision[] = scored
    .filter((c) => !(c.score > 0))
    .map((candidate) => ({ candidate, verdict: 'no-match', reason: 'score ≤ 0: nothing of what was asked' }));
  return {
    kind: 'moment',
    selected: [...adaptive.selected].sort((a, b) => a.clip.videoId - b.clip.videoId || a.start - b.start),
    decisions: [...adaptive.decisions, ...nms.decisions, ...unmatched].sort((a, b) => rank(a.candidate, b.candidate)),
    indexHits: nearest.length,
    tokensUsed: adaptive.tokensUsed,
    budget: options.budget,
  };
}

/**
 * Evenly spread memories for a question about the whole video, as many as the budget holds. The
 * number of clips follows the tokens the longest video's last clip holds (what a full memory
 * holds); should the picks hold more, the spread is redone with one clip fewer.
 */
function selectTimeline(store: MemoryStore, question: Question, options: SelectOptions): Selection {
  const clipsOf = new Map<number, ClipSummary[]>();
  const timeline = (videoId: number): ClipSummary[] => {
    if (!clipsOf.has(videoId)) clipsOf.set(videoId, store.clipsOf(videoId));
    return clipsOf.get(videoId)!;
  };
  const videos = (
    options.videoId === undefined
      ? store.listVideos().map((v) => ({ id: v.id, clips: v.clips }))
      : [{ id: options.videoId, clips: timeline(options.videoId).length }]
  ).filter((v) => v.clips > 0);
  const longest = videos.reduce<(typeof videos)[number] | undefined>((a, v) => (a && a.clips >= v.clips ? a : v), undefined);
  const perClip = Math.max(1, longest ? (store.lastClip(longest.id)?.tokens.length ?? 1) : 1);
  const total = videos.reduce((n, v) => n + v.clips, 0);
  for (let count = Math.min(total, Math.floor(options.budget / perClip)); count > 0; count--) {
    const allocation = allocatePicks(videos.map((v) => v.clips), count);
    const picks = videos.flatMap((v, i) =>
      allocation[i] > 0 ? spreadOverTimeline(timeline(v.id), allocation[i]).map((pick) => ({ videoId: v.id, ...pick })) : [],
    );
    const stored = store.clipMemories(picks.map((p) => p.clip.id));
    const tokensUsed = picks.reduce((n, p) => n + (stored.get(p.clip.id)?.tokens.length ?? 0), 0);
    if (tokensUsed > options.budget) continue;
    const selected = picks.flatMap((pick) => {
      const memory = stored.get(pick.clip.id);
      if (!memory) return [];
      const clip = scoreCandidate(memory, dot(memory.indicator, question.vector), question.vector, options);
      const reason = pick.last
        ? `last clip of video ${pick.videoId}: its memory covers the whole video`
        : `end of the slice ${formatRange(pick.sliceStart, pick.sliceEnd)} of video ${pick.videoId}: its memory covers that slice and before`;
      return [{ selected: { clip, start: clip.start, end: clip.end, score: clip.score }, decision: { candidate: clip, verdict: 'kept' as const, reason } }];
    });
    return {
      kind: 'whole-video',
      selected: selected.map((s) => s.selected),
      decisions: selected.map((s) => s.decision),
      indexHits: 0,
      tokensUsed,
      budget: options.budget,
    };
  }
  return { kind: 'whole-video', selected: [], decisions: [], indexHits: 0, tokensUsed: 0, budget: options.budget };
}

/**
 * Adaptive memory selection. A question about a moment is compared with the candidates' indicators
 * and memory tokens; temporal NMS makes each event one moment; the softmax of the moments' scores
 * decides how many are needed, and the token budget caps them. A question about the whole video
 * gets memories spread over the timeline instead.
 */
export function selectMemories(store: MemoryStore, question: Question, options: SelectOptions = DEFAULT_SELECT): Selection {
  if (options.videoId !== undefined && !store.getVideo(options.videoId)) {
    throw new UserError(`store ${store.dir} has no video ${options.videoId} (\`vidmem videos\` lists them)`);
  }
  return questionKind(question.text) === 'whole-video'
    ? selectTimeline(store, question, options)
    : selectMoments(store, question, options);
}

import type { ClipRef } from '../core/clips.js';
import type { MemoryReader } from '../core/ports/memory-reader.js';
import { formatRange } from '../core/time-format.js';
import { dot } from '../core/vector-math.js';
import { adaptiveSelection } from './adaptive-selection.js';
import { ALIKE } from '../core/moments.js';
import { findCandidates, rank, type Candidates } from './find-candidates.js';
import { questionKind } from './question-kind.js';
import { DEFAULT_SELECT, type SelectOptions } from './select-options.js';
import { scoreCandidate } from './score-candidates.js';
import type { Decision, SelectedMemory, Selection } from './selection.js';
import { temporalNms } from './temporal-nms.js';
import { allocatePicks, spreadOverTimeline } from './timeline-selection.js';

const NONE_MORE: Selection['moreAlike'] = { count: 0, atLeast: false };

export interface Question {
  readonly text: string;
  /** The question's text embedding, from the store's model; not all zero. */
  readonly vector: Float32Array;
}

/** Candidates scored, suppressed and cut down to what the question needs. */
function selectMoments(reader: MemoryReader, question: Question, options: SelectOptions): Selection {
  const candidates = findCandidates(reader, question, options);
  const nms = temporalNms(candidates.ranked, options.joinRatio, candidates.runs);
  const adaptive = adaptiveSelection(nms.moments, options);
  return {
    kind: 'moment',
    selected: [...adaptive.selected].sort((a, b) => a.clip.videoId - b.clip.videoId || a.start - b.start),
    decisions: [...adaptive.decisions, ...nms.decisions, ...candidates.unmatched].sort((a, b) => rank(a.candidate, b.candidate)),
    indexHits: candidates.indexHits,
    tokensUsed: adaptive.tokensUsed,
    budget: options.budget,
    moreAlike: moreAlike(adaptive.selected, adaptive.decisions, candidates),
  };
}

/** What was left out that scores like the weakest moment kept (see Selection.moreAlike). */
function moreAlike(selected: readonly SelectedMemory[], decisions: readonly Decision[], candidates: Candidates): Selection['moreAlike'] {
  if (selected.length === 0) return NONE_MORE;
  const weakest = selected.reduce((a, b) => (b.clip.score < a.clip.score ? b : a)).clip;
  const leftOut = decisions.filter((d) => d.verdict === 'over-budget' && d.candidate.score >= weakest.score - ALIKE).length;
  // Unread moments are known by their indicators only; the weakest kept one's indicator is the fair comparison.
  const unread = candidates.unread.filter((hit) => hit.score >= weakest.indicatorScore - ALIKE);
  const last = unread.at(-1);
  return { count: leftOut + unread.length, atLeast: candidates.indexFull && last !== undefined && last === candidates.unread.at(-1) };
}

/**
 * Evenly spread memories for a question about the whole video, as many as the budget holds. The
 * number of clips follows the tokens the longest video's last clip holds (what a full memory
 * holds); should the picks hold more, the spread is redone with one clip fewer.
 */
function selectTimeline(reader: MemoryReader, question: Question, options: SelectOptions): Selection {
  const { within } = options;
  const counts = reader.clipCounts();
  const started = new Map(counts.map((v) => [v.videoId, v.startedAt]));
  const inWindow = (videoId: number, clip: ClipRef): boolean => {
    const at = started.get(videoId);
    return !within || (at != null && at + clip.end > within.from && at + clip.start < within.to);
  };
  // Read only for the videos that get picks: a store may hold thousands.
  const timelines = new Map<number, ClipRef[]>();
  const timeline = (videoId: number): ClipRef[] => {
    if (!timelines.has(videoId)) timelines.set(videoId, reader.clipsOf(videoId).filter((clip) => inWindow(videoId, clip)));
    return timelines.get(videoId)!;
  };
  const videos = counts
    .filter((v) => (options.videoId === undefined || v.videoId === options.videoId) && (!within || v.startedAt !== null))
    .map((v) => (within ? { ...v, clips: timeline(v.videoId).length } : v))
    .filter((v) => v.clips > 0);
  const longest = videos.reduce<(typeof videos)[number] | undefined>((a, v) => (a && a.clips >= v.clips ? a : v), undefined);
  const lastOfLongest = longest && timeline(longest.videoId).at(-1);
  const perClip = Math.max(1, lastOfLongest ? (reader.clipMemories([lastOfLongest.clipId]).get(lastOfLongest.clipId)?.tokens.length ?? 1) : 1);
  const total = videos.reduce((n, v) => n + v.clips, 0);
  for (let count = Math.min(total, Math.floor(options.budget / perClip)); count > 0; count--) {
    const allocation = allocatePicks(videos.map((v) => v.clips), count);
    const picks = videos.flatMap((v, i) =>
      allocation[i]! > 0 ? spreadOverTimeline(timeline(v.videoId), allocation[i]!).map((pick) => ({ videoId: v.videoId, ...pick })) : [],
    );
    const stored = reader.clipMemories(picks.map((p) => p.clip.clipId));
    const tokensUsed = picks.reduce((n, p) => n + (stored.get(p.clip.clipId)?.tokens.length ?? 0), 0);
    if (tokensUsed > options.budget) continue;
    const selected = picks.flatMap((pick) => {
      const memory = stored.get(pick.clip.clipId);
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
      moreAlike: NONE_MORE,
    };
  }
  return { kind: 'whole-video', selected: [], decisions: [], indexHits: 0, tokensUsed: 0, budget: options.budget, moreAlike: NONE_MORE };
}

/**
 * Adaptive memory selection. A question about a moment is compared with the candidates' indicators
 * and memory tokens; temporal NMS makes each event one moment; the softmax of the moments' scores
 * decides how many are needed, and the token budget caps them. A question about the whole video
 * gets memories spread over the timeline instead.
 */
export function selectMemories(reader: MemoryReader, question: Question, options: SelectOptions = DEFAULT_SELECT): Selection {
  return questionKind(question.text) === 'whole-video' ? selectTimeline(reader, question, options) : selectMoments(reader, question, options);
}

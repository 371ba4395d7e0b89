import type { Candidate } from './score-candidates.js';
import type { Decision } from './selection.js';

/** One event: the best clip of a stretch of neighbouring clips that match about as well. */
export interface NmsMoment {
  readonly lead: Candidate;
  readonly members: readonly Candidate[];
  readonly start: number;
  readonly end: number;
  /** Clips the moment spans: lead, members and the near copies they stand for. */
  readonly clips: number;
}

export interface NmsResult {
  /** Best first. */
  readonly moments: readonly NmsMoment[];
  /** The merged and suppressed candidates; leads are decided later (mass, budget). */
  readonly decisions: readonly Decision[];
}

/** Near copies of a candidate that the index found but nobody read (see candidate-pool). */
export type Runs = ReadonlyMap<number, ReadonlyArray<{ readonly index: number; readonly start: number; readonly end: number }>>;

/** Clips in a video, first to last index, and the time they cover. */
interface Extent {
  videoId: number;
  first: number;
  last: number;
  start: number;
  end: number;
  clips: number;
}

/** A candidate with the near copies it stands for. */
function extentOf(candidate: Candidate, runs: Runs): Extent {
  const extent = {
    videoId: candidate.videoId, first: candidate.index, last: candidate.index,
    start: candidate.focusStart, end: candidate.focusEnd, clips: 1,
  };
  for (const copy of runs.get(candidate.clipId) ?? []) {
    grow(extent, { videoId: candidate.videoId, first: copy.index, last: copy.index, start: copy.start, end: copy.end, clips: 1 });
  }
  return extent;
}

function grow(extent: Extent, by: Extent): void {
  extent.first = Math.min(extent.first, by.first);
  extent.last = Math.max(extent.last, by.last);
  extent.start = Math.min(extent.start, by.start);
  extent.end = Math.max(extent.end, by.end);
  extent.clips += by.clips;
}

/** Clips of a video follow each other without gaps or overlaps: touching means adjacent indices. */
function touches(a: Extent, b: Extent): boolean {
  return a.videoId === b.videoId && a.first <= b.last + 1 && b.first <= a.last + 1;
}

const label = (c: Candidate): string => `clip ${c.index} of video ${c.videoId}`;

/**
 * Temporal non-maximum suppression, so that one event does not fill the budget. Best first, each
 * clip either leads a new moment or belongs to one already found: a clip that leads absorbs the
 * clips next to it (and next to those, and so on) that score at least `joinRatio` of it, so a long
 * scene is one moment covering all of it; a clip next to a moment that is not nearly as good is
 * suppressed. Only clips of the same video interact.
 */
export function temporalNms(ranked: readonly Candidate[], joinRatio: number, runs: Runs = new Map()): NmsResult {
  const extents = new Map(ranked.map((c) => [c.clipId, extentOf(c, runs)]));
  const decided = new Set<number>();
  const decisions: Decision[] = [];
  const moments: Array<{ lead: Candidate; members: Candidate[]; extent: Extent }> = [];

  for (const candidate of ranked) {
    if (decided.has(candidate.clipId)) continue;
    decided.add(candidate.clipId);
    const own = extents.get(candidate.clipId)!;
    const near = moments.find((m) => touches(m.extent, own));
    if (near) {
      decisions.push({ candidate, verdict: 'suppressed', reason: `next to the better moment led by ${label(near.lead)}` });
      continue;
    }
    const moment = { lead: candidate, members: [] as Candidate[], extent: { ...own } };
    for (let grew = true; grew; ) {
      grew = false;
      for (const neighbour of ranked) {
        if (decided.has(neighbour.clipId) || neighbour.score < joinRatio * candidate.score) continue;
        const theirs = extents.get(neighbour.clipId)!;
        if (!touches(moment.extent, theirs)) continue;
        decided.add(neighbour.clipId);
        moment.members.push(neighbour);
        grow(moment.extent, theirs);
        decisions.push({
          candidate: neighbour,
          verdict: 'merged',
          reason: `same event as ${label(candidate)} (scores ≥ ${Math.round(joinRatio * 100)}% of it)`,
        });
        grew = true;
      }
    }
    moments.push(moment);
  }
  return {
    moments: moments.map(({ lead, members, extent }) => ({ lead, members, start: extent.start, end: extent.end, clips: extent.clips })),
    decisions,
  };
}

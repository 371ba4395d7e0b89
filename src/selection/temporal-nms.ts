import type { Candidate } from './score-candidates.js';
import type { Decision } from './selection.js';

/** One event: the best clip of a run of neighbouring clips that match about as well. */
export interface NmsMoment {
  readonly lead: Candidate;
  readonly members: readonly Candidate[];
  readonly start: number;
  readonly end: number;
}

export interface NmsResult {
  /** Best first. */
  readonly moments: readonly NmsMoment[];
  /** The merged and suppressed candidates; leads are decided later (mass, budget). */
  readonly decisions: readonly Decision[];
}

interface Building {
  readonly lead: Candidate;
  readonly members: Candidate[];
  first: number;
  last: number;
  start: number;
  end: number;
}

/** Spans that overlap or touch: the clips of one continuous stretch. */
function touches(aStart: number, aEnd: number, bStart: number, bEnd: number): boolean {
  return aStart <= bEnd && bStart <= aEnd;
}

/**
 * Temporal non-maximum suppression, so that one event does not fill the budget. Best first, each
 * clip either leads a new moment or belongs to one already found: a clip that leads absorbs its
 * neighbours (and theirs, and so on) that score at least `joinRatio` of it, so a long scene is one
 * moment covering all of it; a clip next to or overlapping a moment that is not nearly as good is
 * suppressed. Only clips of the same video interact.
 */
export function temporalNms(ranked: readonly Candidate[], joinRatio: number): NmsResult {
  const byPosition = new Map<string, Candidate>(ranked.map((c) => [`${c.videoId}:${c.index}`, c]));
  const decided = new Set<number>();
  const decisions: Decision[] = [];
  const moments: Building[] = [];
  const label = (c: Candidate): string => `clip ${c.index} of video ${c.videoId}`;

  for (const candidate of ranked) {
    if (decided.has(candidate.clipId)) continue;
    decided.add(candidate.clipId);
    const near = moments.find(
      (m) =>
        m.lead.videoId === candidate.videoId &&
        ((candidate.index >= m.first - 1 && candidate.index <= m.last + 1) ||
          touches(candidate.focusStart, candidate.focusEnd, m.start, m.end)),
    );
    if (near) {
      decisions.push({ candidate, verdict: 'suppressed', reason: `next to or overlapping the better moment led by ${label(near.lead)}` });
      continue;
    }
    const moment: Building = {
      lead: candidate, members: [], first: candidate.index, last: candidate.index,
      start: candidate.focusStart, end: candidate.focusEnd,
    };
    for (let grew = true; grew; ) {
      grew = false;
      for (const position of [moment.first - 1, moment.last + 1]) {
        const neighbour = byPosition.get(`${candidate.videoId}:${position}`);
        if (!neighbour || decided.has(neighbour.clipId) || neighbour.score < joinRatio * candidate.score) continue;
        decided.add(neighbour.clipId);
        moment.members.push(neighbour);
        moment.first = Math.min(moment.first, position);
        moment.last = Math.max(moment.last, position);
        moment.start = Math.min(moment.start, neighbour.focusStart);
        moment.end = Math.max(moment.end, neighbour.focusEnd);
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
    moments: moments.map(({ lead, members, start, end }) => ({ lead, members, start, end })),
    decisions,
  };
}

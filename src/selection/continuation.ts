import type { CitedMoment } from '../core/moments.js';
import type { MemoryReader } from '../core/ports/memory-reader.js';
import { formatRange } from '../core/time-format.js';
import { dot } from '../core/vector-math.js';
import type { Direction } from './follow-up.js';
import { scoreCandidate } from './score-candidates.js';
import type { Selection } from './selection.js';

/** A continuation covers this many clips after (or before) the anchor: the next stretch, not the rest of the video. */
const CONTINUATION_CLIPS = 4;
/** A clip that overlaps the anchor counts only for at least this much video outside it (seconds). */
const MIN_OUTSIDE_SEC = 0.5;

/**
 * The memories for "and after that?": the clips right after (or before) the anchor in its video,
 * cut to the part outside it, in time order. What comes next is rarely what matched the earlier
 * question, so the timeline picks them, not similarity; each is still scored against the query so
 * the decoder can tell how well it fits the conversation.
 */
export function selectContinuation(reader: MemoryReader, query: Float32Array, anchor: CitedMoment, direction: Direction, budget: number): Selection {
  const clips = reader.clipsOf(anchor.videoId);
  const adjacent =
    direction === 'after'
      ? clips.filter((c) => c.end >= anchor.end + MIN_OUTSIDE_SEC).slice(0, CONTINUATION_CLIPS)
      : clips.filter((c) => c.start <= anchor.start - MIN_OUTSIDE_SEC).slice(-CONTINUATION_CLIPS);
  const stored = reader.clipMemories(adjacent.map((c) => c.clipId));
  const where = `${direction} the previous answer's moment ${formatRange(anchor.start, anchor.end)} of video ${anchor.videoId}`;
  let tokensUsed = 0;
  const chosen = adjacent.flatMap((c) => {
    const memory = stored.get(c.clipId);
    if (!memory || tokensUsed + memory.tokens.length > budget) return [];
    tokensUsed += memory.tokens.length;
    const clip = scoreCandidate(memory, dot(query, memory.indicator), query, { useMemory: true });
    const start = direction === 'after' ? Math.max(c.start, anchor.end) : c.start;
    const end = direction === 'before' ? Math.min(c.end, anchor.start) : c.end;
    return [{ selected: { clip, start, end, score: clip.indicatorScore }, reason: `${formatRange(start, end)} comes right ${where}` }];
  });
  return {
    kind: 'continuation',
    selected: chosen.map((c) => c.selected),
    decisions: chosen.map(({ selected, reason }) => ({ candidate: selected.clip, verdict: 'kept', reason })),
    indexHits: 0,
    tokensUsed,
    budget,
    moreAlike: { count: 0, atLeast: false },
  };
}

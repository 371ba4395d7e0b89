import type { Moment } from '../core/moments.js';
import type { MemoryReader } from '../core/ports/memory-reader.js';
import { findCandidates } from './find-candidates.js';
import type { SelectOptions } from './select-options.js';
import { temporalNms } from './temporal-nms.js';

/**
 * Search: the moments that match a query, best first — the candidates and temporal NMS an answer
 * is selected from, without the adaptive cut. A moment's range comes from the candidates alone,
 * which do not depend on how many moments are listed, so `top` only decides where the list ends.
 */
export function rankMoments(reader: MemoryReader, question: { readonly text: string; readonly vector: Float32Array }, top: number, options: SelectOptions): Moment[] {
  const candidates = findCandidates(reader, question, { ...options, candidates: Math.max(options.candidates, top) });
  const { moments } = temporalNms(candidates.ranked, options.joinRatio, candidates.runs);
  return moments.slice(0, top).map(({ lead, members, start, end }) => ({
    videoId: lead.videoId,
    videoPath: lead.videoPath,
    startedAt: lead.startedAt,
    start,
    end,
    score: lead.score,
    thumbnail: lead.thumbnail,
    // The snippets that matched: the lead's first, then those of the clips merged into the moment.
    text: [lead, ...members].flatMap((c) => (c.textMatch ? [c.textMatch] : [])),
  }));
}

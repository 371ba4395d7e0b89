import type { TextEncoder } from '../encoders/encoder.js';
import { UserError } from '../errors.js';
import type { MemoryToken, Moment } from '../types.js';
import { dot, norm } from '../vector-math.js';
import type { MemoryStore } from '../../storage/memory-store.js';

/** A search result: the moment and the clips it joins (its thumbnail is the best clip's). */
export interface FoundMoment extends Moment {
  readonly clipIds: number[];
}

export interface FindOptions {
  readonly top: number;
  readonly videoId?: number;
  /** Neighbouring clips scoring at least this fraction of a moment's best join it. */
  readonly joinRatio?: number;
}

/**
 * The part of a clip the query is about. Memory tokens record the span they summarize, so within
 * a clip the tokens that match best narrow its range (a clip that starts red and turns blue
 * answers "blue" with its blue part only).
 */
function narrow(
  range: { start: number; end: number; score: number },
  tokens: readonly MemoryToken[],
  query: Float32Array,
): { start: number; end: number; focus: number } {
  const inside = tokens.filter((t) => t.end > range.start && t.start < range.end);
  const scores = inside.map((t) => dot(t.vector, query));
  const best = Math.max(...scores);
  if (!(best > range.score)) return { start: range.start, end: range.end, focus: range.score };
  const matching = inside.filter((_, i) => scores[i] >= 0.9 * best);
  return {
    start: Math.max(range.start, Math.min(...matching.map((t) => t.start))),
    end: Math.min(range.end, Math.max(...matching.map((t) => t.end))),
    focus: best,
  };
}

/**
 * Text → moments: nearest clip indicators from the index, narrowed to the matching tokens' span;
 * neighbouring clips of the same video whose matching part scores nearly as well are joined, so one event is reported once with its whole range
 * instead of filling the list with its pieces.
 */
export async function findMoments(store: MemoryStore, text: TextEncoder, query: string, options: FindOptions): Promise<FoundMoment[]> {
  const [vector] = await text.encodeTexts([query]);
  if (norm(vector) === 0) {
    throw new UserError(`model '${text.identity.name}' knows none of the words in "${query}"`);
  }
  // A zero or negative cosine means the clip has nothing of what was asked.
  const hits = store.search(vector, { top: options.top * 4, videoId: options.videoId }).filter((h) => h.score > 0);
  const joinRatio = options.joinRatio ?? 0.95;
  const moments: Array<{ -readonly [K in keyof FoundMoment]: FoundMoment[K] } & { first: number; last: number; focus: number }> = [];
  for (const hit of hits) {
    const { start, end, focus } = narrow(hit, store.clipMemory(hit.clipId)?.tokens ?? [], vector);
    const moment = moments.find(
      (m) => m.videoId === hit.videoId && (hit.index === m.first - 1 || hit.index === m.last + 1) && focus >= m.focus * joinRatio,
    );
    if (moment) {
      moment.first = Math.min(moment.first, hit.index);
      moment.last = Math.max(moment.last, hit.index);
      moment.start = Math.min(moment.start, start);
      moment.end = Math.max(moment.end, end);
      moment.clipIds.push(hit.clipId);
      continue;
    }
    moments.push({
      videoId: hit.videoId, videoPath: hit.videoPath, start, end, score: hit.score,
      thumbnail: hit.thumbnail, clipIds: [hit.clipId], first: hit.index, last: hit.index, focus,
    });
  }
  return moments.slice(0, options.top).map(({ first: _f, last: _l, focus: _s, ...m }) => m);
}

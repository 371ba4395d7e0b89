import type { ClipText, TextMatch } from '../clip-text.js';
import type { ClipRef, RankedClip, RememberedClip } from '../clips.js';
import type { TimeWindow } from '../moments.js';

/** Which memories a question may see: one video's, and only those of live sources within a time window. */
export interface ReadScope {
  readonly videoId?: number;
  readonly within?: TimeWindow;
}

/**
 * What selection reads of a store: the few questions it asks, so that it depends on them and not
 * on the store that answers them.
 */
export interface MemoryReader {
  /**
   * Clips whose indicator is closest to the query, best first, known by position only (no SQL):
   * cheap enough to look deep into the index and decide which hits deserve a closer look.
   */
  nearestClips(query: Float32Array, options: ReadScope & { readonly top: number }): RankedClip[];
  /** Many clips with their places and memories in one read, keyed by clip id; ids no longer stored are absent. */
  clipMemories(clipIds: readonly number[]): Map<number, RememberedClip>;
  /** A video's clips in order. */
  clipsOf(videoId: number): ClipRef[];
  /** A video's clips that share some time with start–end, in order. */
  clipsOverlapping(videoId: number, start: number, end: number): ClipRef[];
  /** Every video that has clips, with how many and when it began (live segments; null for files), in id order. */
  clipCounts(): Array<{ readonly videoId: number; readonly clips: number; readonly startedAt: number | null }>;
  /** Text rows holding some of `terms` (lowercase words of a query), best first. */
  textMatches(terms: readonly string[], options: ReadScope & { readonly top: number }): TextMatch[];
  /** What is known of the clips as text, keyed by clip id, in time order. */
  clipTexts(clipIds: readonly number[]): Map<number, ClipText[]>;
}

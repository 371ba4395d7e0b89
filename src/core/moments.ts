import type { ClipText } from './clip-text.js';

/**
 * Scores (cosine) this close are the same match: the same scene twice, or compression noise,
 * moves a score by less. Moments that score alike are all kept or all counted, never ranked.
 */
export const ALIKE = 0.005;

/** A stretch of one stored video that matched something: what search and answers report. */
export interface Moment {
  readonly videoId: number;
  readonly videoPath: string;
  /** UTC seconds at which the video began, for a live source's segment (see formatMomentTime); null for a file. */
  readonly startedAt: number | null;
  /** Seconds from the start of the video. */
  readonly start: number;
  readonly end: number;
  /** Relevance (cosine-like, higher is better). */
  readonly score: number;
  /** Keyframe JPEG of the moment, absolute path, when the store has one. */
  readonly thumbnail: string | null;
  /**
   * What is known of the moment as text (slide lines, subtitles, speech, detections): for a search
   * hit the pieces that matched, for an answer's evidence everything, the matching pieces first.
   */
  readonly text: readonly ClipText[];
}

/** A stretch of wall-clock time, UTC seconds: what `--since`, `--from/--to` and "in the last 5 minutes" keep a question to. */
export interface TimeWindow {
  readonly from: number;
  readonly to: number;
}

/** The window `since` (seconds back from now), `from` and `to` (UTC seconds) describe, if any: `since` ends now, `from` alone runs to now. */
export function timeWindow(scope: { since?: number; from?: number; to?: number }, now = Date.now() / 1000): TimeWindow | undefined {
  if (scope.since !== undefined) return { from: now - scope.since, to: now };
  if (scope.from === undefined && scope.to === undefined) return undefined;
  return { from: scope.from ?? 0, to: scope.to ?? now };
}

/** One selected moment, as a decoder sees it. */
export type Evidence = Moment;

/** What a chat turn keeps of each moment it cited. */
export type CitedMoment = Pick<Moment, 'videoId' | 'start' | 'end' | 'score'>;

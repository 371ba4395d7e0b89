/**
 * Scores (cosine) this close are the same match: the same scene twice, or compression noise,
 * moves a score by less. Moments that score alike are all kept or all counted, never ranked.
 */
export const ALIKE = 0.005;

/** A stretch of one stored video that matched something: what search and answers report. */
export interface Moment {
  readonly videoId: number;
  readonly videoPath: string;
  /** Seconds from the start of the video. */
  readonly start: number;
  readonly end: number;
  /** Relevance (cosine-like, higher is better). */
  readonly score: number;
  /** Keyframe JPEG of the moment, absolute path, when the store has one. */
  readonly thumbnail: string | null;
}

/** One selected moment, as a decoder sees it. */
export interface Evidence extends Moment {
  /** What is known about the moment as text (on-screen text, subtitles, speech), when text channels exist. */
  readonly text: readonly string[];
}

/** What a chat turn keeps of each moment it cited. */
export type CitedMoment = Pick<Moment, 'videoId' | 'start' | 'end' | 'score'>;

/**
 * Calibration of a similarity score against the source's own recent scores: how far the score of
 * a new clip lies above the median of the last clips', in units of their spread (the median
 * absolute deviation, scaled to match a standard deviation). Raw text-to-image cosines drift
 * between cameras and models and bunch together; a robust z-score means the same everywhere,
 * and one appearance (a few clips) moves neither the median nor the MAD.
 */

export interface BaselineOptions {
  /** How many recent scores the baseline holds. */
  readonly window: number;
  /** Scores needed before any clip is scored: a baseline of two clips says nothing. */
  readonly minHistory: number;
  /**
   * The least spread a baseline is taken to have, in score units: a picture that never changes
   * has a MAD of 0, and any flicker of compression would be infinitely many sigmas.
   */
  readonly minSpread: number;
}

/** 120 clips (8 minutes of 4-second clips); 6 before the first score; cosine differences under 0.01 are noise for CLIP-family models. */
export const DEFAULT_BASELINE: BaselineOptions = { window: 120, minHistory: 6, minSpread: 0.01 };

/** 1.4826 × MAD estimates the standard deviation of normally distributed scores. */
const MAD_TO_SIGMA = 1.4826;

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The robust z-score of `score` against `history` (the scores before it); null while the history is too short. */
export function robustZ(history: readonly number[], score: number, options: BaselineOptions = DEFAULT_BASELINE): number | null {
  if (history.length < options.minHistory) return null;
  const center = median(history);
  const mad = median(history.map((h) => Math.abs(h - center)));
  return (score - center) / Math.max(MAD_TO_SIGMA * mad, options.minSpread);
}

/** The history with `score` added, the oldest dropped past the window. */
export function remember(history: readonly number[], score: number, options: BaselineOptions = DEFAULT_BASELINE): number[] {
  const next = [...history, score];
  return next.length > options.window ? next.slice(next.length - options.window) : next;
}

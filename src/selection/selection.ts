/** What memory selection decides, kept whole so every answer can show why it used what it used. */
import type { Candidate } from './score-candidates.js';

/**
 * How the memories were found: by similarity to a moment, spread over the timeline for a
 * question about the whole video, or along the timeline from the previous answer (a follow-up
 * such as "and after that?").
 */
export type SelectionKind = 'moment' | 'whole-video' | 'continuation';

export type Verdict =
  /** Selected: its memory goes to the decoder. */
  | 'kept'
  /** Part of a kept or ranked moment that a better clip next to it leads. */
  | 'merged'
  /** Next to a better moment, without being nearly as good. */
  | 'suppressed'
  /** The moments ranked above it already hold most of the probability mass. */
  | 'below-mass'
  /** Its tokens would not fit in the budget. */
  | 'over-budget'
  /** Nothing of what was asked (score ≤ 0). */
  | 'no-match';

export interface Decision {
  readonly candidate: Candidate;
  readonly verdict: Verdict;
  readonly reason: string;
}

/** One selected moment: the clip whose memory is used, and the stretch of video it stands for. */
export interface SelectedMemory {
  readonly clip: Candidate;
  readonly start: number;
  readonly end: number;
  readonly score: number;
}

export interface Selection {
  readonly kind: SelectionKind;
  /** Selected moments in time order (video by video). */
  readonly selected: readonly SelectedMemory[];
  /** Every clip considered, best first for a moment question, in time order otherwise. */
  readonly decisions: readonly Decision[];
  /** Hits the index gave before they were thinned to the candidates (0 when the index was not asked). */
  readonly indexHits: number;
  readonly tokensUsed: number;
  readonly budget: number;
  /**
   * Moments that score alike the weakest selected one but were left out (the budget, or more
   * distinct moments than were read), so that an answer can say how many more there are.
   * `atLeast` when the index may hold still more of them.
   */
  readonly moreAlike: { readonly count: number; readonly atLeast: boolean };
}

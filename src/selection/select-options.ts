import { DEFAULTS } from '../core/config.js';
import { ALIKE } from '../core/moments.js';
import type { CandidateOptions } from './find-candidates.js';

/** How memories are selected for a question: the candidates, the cut, the budget. */
export interface SelectOptions extends CandidateOptions {
  /** Memory tokens the decoder may receive. */
  readonly budget: number;
  /** Softmax temperature over the moments' scores (see adaptive-selection). */
  readonly temperature: number;
  /** Share of the softmax's mass the kept moments must hold. */
  readonly mass: number;
  /** A neighbour scoring at least this fraction of a moment's best clip is part of the same event. */
  readonly joinRatio: number;
}

export const DEFAULT_SELECT: SelectOptions = {
  budget: DEFAULTS.budget,
  // As many clips as the budget holds at 8 tokens each.
  candidates: 32,
  indexHits: 256,
  copyTolerance: ALIKE,
  useMemory: true,
  temperature: 0.01,
  mass: 0.9,
  joinRatio: 0.9,
};

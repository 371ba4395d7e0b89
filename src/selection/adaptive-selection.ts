import { ALIKE } from '../core/moments.js';
import type { Decision, SelectedMemory } from './selection.js';
import type { NmsMoment } from './temporal-nms.js';

export interface AdaptiveOptions {
  /**
   * Softmax temperature over cosine scores. 0.01 is CLIP's own (logit scale 100): a cosine gap of
   * 0.01 is a factor e between two moments, so a clear winner takes the mass alone and near-ties
   * share it.
   */
  readonly temperature: number;
  /** Keep the smallest set of best moments holding at least this much of the softmax's mass. */
  readonly mass: number;
  /** Memory tokens the decoder may receive in all. */
  readonly budget: number;
}

export interface AdaptiveResult {
  readonly selected: readonly SelectedMemory[];
  readonly decisions: readonly Decision[];
  readonly tokensUsed: number;
}

/** Softmax of `scores / temperature`, computed from the maximum so large logits cannot overflow. */
function softmax(scores: readonly number[], temperature: number): number[] {
  const top = Math.max(...scores);
  const weights = scores.map((s) => Math.exp((s - top) / temperature));
  const sum = weights.reduce((a, b) => a + b, 0);
  return weights.map((w) => w / sum);
}

const percent = (p: number): string => `${(p * 100).toFixed(p < 0.001 ? 2 : 1)}%`;

/**
 * How many moments a question gets depends on how its scores are spread: one moment far ahead of
 * the rest takes the whole mass and is used alone; several close ones are all used. Moments that
 * score alike the one that completed the mass are used too, however many: twelve equal red scenes
 * are twelve answers, not the eleven that happen to hold 90%. The token budget caps the set,
 * counting each clip's real tokens (early clips of a video hold fewer).
 */
export function adaptiveSelection(moments: readonly NmsMoment[], options: AdaptiveOptions): AdaptiveResult {
  if (moments.length === 0) return { selected: [], decisions: [], tokensUsed: 0 };
  const probabilities = softmax(moments.map((m) => m.lead.score), options.temperature);
  const selected: SelectedMemory[] = [];
  const decisions: Decision[] = [];
  let tokensUsed = 0;
  let held = 0;
  /** The score of the moment that brought the mass past its share. */
  let boundary = Infinity;
  moments.forEach((moment, i) => {
    const candidate = moment.lead;
    const p = probabilities[i]!;
    const pastMass = held >= options.mass;
    if (pastMass && candidate.score < boundary - ALIKE) {
      const above = i === 1 ? 'the moment above holds' : `the ${i} moments above hold`;
      decisions.push({ candidate, verdict: 'below-mass', reason: `${above} ${percent(held)} of the probability mass; this one ${percent(p)}` });
      return;
    }
    held += p;
    if (held >= options.mass && boundary === Infinity) boundary = candidate.score;
    const tokens = candidate.tokens.length;
    if (tokensUsed + tokens > options.budget) {
      decisions.push({
        candidate,
        verdict: 'over-budget',
        reason: `its ${tokens} tokens would pass the ${options.budget}-token budget (${tokensUsed} used)`,
      });
      return;
    }
    tokensUsed += tokens;
    selected.push({ clip: candidate, start: moment.start, end: moment.end, score: candidate.score });
    const merged = moment.clips > 1 ? `; covers ${moment.clips} clips` : '';
    const alike = pastMass ? '; scores alike the moments above' : '';
    decisions.push({
      candidate,
      verdict: 'kept',
      reason: `probability ${percent(p)}${alike}${merged}; ${tokens} tokens (${tokensUsed}/${options.budget} used)`,
    });
  });
  return { selected, decisions, tokensUsed };
}

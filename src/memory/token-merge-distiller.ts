import type { Clip, MemoryToken } from '../types.js';
import { dot, weightedMean } from '../vector-math.js';
import type { Distiller, DistilledClip } from './distiller.js';

export interface TokenMergeOptions {
  /** Memory tokens kept per clip (K). */
  readonly tokens: number;
  /** Weight kept by older memory each clip, so recent content dominates a merge without erasing the past. */
  readonly decay: number;
  /** Similarity given up per clip-length of time between two tokens: nearby moments merge first. */
  readonly timePenalty: number;
}

export const DEFAULT_TOKEN_MERGE: TokenMergeOptions = { tokens: 8, decay: 0.9, timePenalty: 0.02 };

/** Seconds between two spans (0 when they overlap or touch). */
function gap(a: MemoryToken, b: MemoryToken): number {
  return Math.max(0, Math.max(a.start, b.start) - Math.min(a.end, b.end));
}

function merge(a: MemoryToken, b: MemoryToken): MemoryToken {
  return {
    vector: weightedMean([a.vector, b.vector], [a.weight, b.weight]),
    start: Math.min(a.start, b.start),
    end: Math.max(a.end, b.end),
    weight: a.weight + b.weight,
  };
}

/**
 * Training-free memory propagation: ToMe-style greedy merging of (decayed previous memory ∪ the
 * clip's frame tokens) down to K tokens. The most similar pair merges first, with a small penalty
 * for time between them, so distinct content from long ago survives as its own token until
 * something closer has to share a slot.
 */
export class TokenMergeDistiller implements Distiller {
  readonly name = 'token-merge';
  readonly tokens: number;

  constructor(private readonly options: TokenMergeOptions = DEFAULT_TOKEN_MERGE) {
    this.tokens = options.tokens;
  }

  distill(previous: readonly MemoryToken[], clip: Clip): DistilledClip {
    const own = clipTokens(clip);
    const indicator = weightedMean(
      own.map((t) => t.vector),
      own.map((t) => t.weight),
    );
    const pool: MemoryToken[] = [
      ...previous.map((t) => ({ ...t, weight: t.weight * this.options.decay })),
      ...own,
    ];
    const clipLength = Math.max(clip.end - clip.start, 1e-6);
    while (pool.length > this.options.tokens) {
      let best = -Infinity;
      let bi = 0;
      let bj = 1;
      for (let i = 0; i < pool.length; i++) {
        for (let j = i + 1; j < pool.length; j++) {
          const score = dot(pool[i].vector, pool[j].vector) - (this.options.timePenalty * gap(pool[i], pool[j])) / clipLength;
          if (score > best) {
            best = score;
            bi = i;
            bj = j;
          }
        }
      }
      const merged = merge(pool[bi], pool[bj]);
      pool.splice(bj, 1);
      pool[bi] = merged;
    }
    pool.sort((a, b) => a.start - b.start || a.end - b.end);
    return { tokens: pool, indicator };
  }
}

/** One token per encoded frame, spanning until the next one, weighted by the seconds it covers. */
function clipTokens(clip: Clip): MemoryToken[] {
  return clip.frames.map((frame, i) => {
    const end = i + 1 < clip.frames.length ? clip.frames[i + 1].time : clip.end;
    return { vector: frame.embedding, start: frame.time, end, weight: Math.max(end - frame.time, 1e-3) };
  });
}

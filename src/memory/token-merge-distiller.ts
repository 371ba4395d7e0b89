import type { Clip, ClipMemory, MemoryToken } from '../core/clips.js';
import type { Distiller } from '../core/ports/distiller.js';
import { dot, weightedMean } from '../core/vector-math.js';

export interface TokenMergeOptions {
  /** Memory tokens kept per clip (K). */
  readonly tokens: number;
  /** Weight older memory keeps each clip: how fast the past yields its slots to the present (default 0.9). */
  readonly decay?: number;
  /** False distills each clip from its own frames only: the ablation that shows what propagation adds. */
  readonly propagate?: boolean;
}

const DECAY = 0.9;

/**
 * Ward's linkage on unit vectors: the spread a merge adds, w₁w₂/(w₁+w₂)·‖v₁−v₂‖². Near-duplicates
 * and light tokens (old, decayed memory) are cheap to merge; heavy, distinct ones are not, so a
 * short new event keeps a token of its own while the distant past is consolidated.
 */
function mergeCost(a: MemoryToken, b: MemoryToken): number {
  return ((a.weight * b.weight) / (a.weight + b.weight)) * Math.max(0, 2 - 2 * dot(a.vector, b.vector));
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
 * Training-free memory propagation: the decayed previous memory and the clip's frame tokens are
 * merged greedily (cheapest merge first) down to K tokens, so each clip's memory summarizes the
 * video up to its end, with time-aware weights deciding what of the past survives.
 */
export class TokenMergeDistiller implements Distiller {
  readonly name = 'token-merge';
  readonly tokens: number;
  private readonly decay: number;
  private readonly propagate: boolean;

  constructor(options: TokenMergeOptions) {
    this.tokens = options.tokens;
    this.decay = options.decay ?? DECAY;
    this.propagate = options.propagate ?? true;
  }

  distill(previous: readonly MemoryToken[], clip: Clip): ClipMemory {
    const own = clipTokens(clip);
    const indicator = weightedMean(
      own.map((t) => t.vector),
      own.map((t) => t.weight),
    );
    const past = this.propagate ? previous : [];
    const pool: MemoryToken[] = [
      ...past.map((t) => ({ ...t, weight: t.weight * this.decay })),
      ...own,
    ];
    while (pool.length > this.tokens) {
      let cheapest = Infinity;
      let bi = 0;
      let bj = 1;
      for (let i = 0; i < pool.length; i++) {
        for (let j = i + 1; j < pool.length; j++) {
          const cost = mergeCost(pool[i], pool[j]);
          if (cost < cheapest) {
            cheapest = cost;
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

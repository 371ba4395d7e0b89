/**
 * The steps of memory selection and the distiller on constructed inputs: no store, no model,
 * milliseconds each. The end-to-end suites check the same behaviour on real video.
 */
import { describe, expect, it } from 'vitest';
import type { Clip, EncodedFrame, MemoryToken, RankedClip } from '../src/core/clips.js';
import { dot, normalize } from '../src/core/vector-math.js';
import { TokenMergeDistiller } from '../src/memory/token-merge-distiller.js';
import { adaptiveSelection } from '../src/selection/adaptive-selection.js';
import { candidatePool } from '../src/selection/candidate-pool.js';
import { memoryPointers } from '../src/selection/memory-pointers.js';
import { questionParts } from '../src/selection/question-parts.js';
import type { Candidate } from '../src/selection/score-candidates.js';
import { temporalNms, type NmsMoment } from '../src/selection/temporal-nms.js';

const DIM = 4;
const axis = (i: number, length = 1): Float32Array => Float32Array.from({ length: DIM }, (_, d) => (d === i ? length : 0));

function token(start: number, end: number, vector = axis(0), weight = end - start): MemoryToken {
  return { vector, start, end, weight };
}

/** A 4-second clip of video `videoId` scored `score`, holding `tokens` memory tokens. */
function candidate(videoId: number, index: number, score: number, tokens = 8): Candidate {
  const start = index * 4;
  return {
    clipId: videoId * 1000 + index, videoId, index, start, end: start + 4, videoPath: `/v${videoId}.mp4`, startedAt: null, thumbnail: null,
    indicatorScore: score, memoryScore: score, textScore: 0, textMatch: null, score, focusStart: start, focusEnd: start + 4,
    tokens: Array.from({ length: tokens }, () => token(start, start + 4)), via: null,
  };
}

const ranked = (...candidates: Candidate[]): Candidate[] => [...candidates].sort((a, b) => b.score - a.score);

describe('temporal NMS', () => {
  it('makes neighbours that score nearly as well one moment covering all of them', () => {
    const { moments, decisions } = temporalNms(ranked(candidate(1, 5, 0.5), candidate(1, 6, 0.48), candidate(1, 7, 0.46)), 0.9);
    expect(moments).toHaveLength(1);
    expect(moments[0]).toMatchObject({ start: 20, end: 32, clips: 3 });
    expect(moments[0]!.lead.index).toBe(5);
    expect(decisions.map((d) => d.verdict)).toEqual(['merged', 'merged']);
  });

  it('suppresses a weaker neighbour, and lets clips of other videos or far away stand alone', () => {
    const { moments, decisions } = temporalNms(ranked(candidate(1, 5, 0.5), candidate(1, 6, 0.3), candidate(2, 6, 0.45), candidate(1, 9, 0.44)), 0.9);
    expect(moments.map((m) => [m.lead.videoId, m.lead.index])).toEqual([[1, 5], [2, 6], [1, 9]]);
    expect(decisions).toEqual([expect.objectContaining({ verdict: 'suppressed', reason: 'next to the better moment led by clip 5 of video 1' })]);
  });

  it('stretches a moment over the near copies its clips stand for', () => {
    const lead = candidate(1, 10, 0.5);
    const runs = new Map([[lead.clipId, [11, 12].map((index) => ({ index, start: index * 4, end: index * 4 + 4 }))]]);
    const { moments } = temporalNms([lead, candidate(1, 13, 0.49)], 0.9, runs);
    expect(moments[0]).toMatchObject({ start: 40, end: 56, clips: 4 });
  });
});

function moment(score: number, tokens = 8, index = 0): NmsMoment {
  const lead = candidate(1, index, score, tokens);
  return { lead, members: [], start: lead.start, end: lead.end, clips: 1 };
}

describe('softmax mass and token budget', () => {
  const options = { temperature: 0.01, mass: 0.9, budget: 256 };

  it('uses a clear winner alone', () => {
    const { selected, decisions } = adaptiveSelection([moment(0.5), moment(0.45, 8, 1), moment(0.3, 8, 2)], options);
    expect(selected).toHaveLength(1);
    expect(decisions.map((d) => d.verdict)).toEqual(['kept', 'below-mass', 'below-mass']);
  });

  it('keeps near ties until they hold the mass', () => {
    const { selected } = adaptiveSelection([moment(0.5), moment(0.499, 8, 1), moment(0.498, 8, 2), moment(0.4, 8, 3)], options);
    expect(selected.map((s) => s.clip.index)).toEqual([0, 1, 2]);
  });

  it('counts each clip\'s real tokens against the budget', () => {
    const ties = [moment(0.5, 8), moment(0.5, 30, 1), moment(0.5, 8, 2)];
    const { selected, decisions, tokensUsed } = adaptiveSelection(ties, { ...options, budget: 20 });
    expect(selected.map((s) => s.clip.index)).toEqual([0, 2]);
    expect(tokensUsed).toBe(16);
    expect(decisions[1]).toMatchObject({ verdict: 'over-budget', reason: 'its 30 tokens would pass the 20-token budget (8 used)' });
  });

  it('selects nothing from nothing', () => {
    expect(adaptiveSelection([], options)).toEqual({ selected: [], decisions: [], tokensUsed: 0 });
  });
});

describe('candidate pool', () => {
  const hit = (videoId: number, index: number, score: number): RankedClip => ({
    clipId: videoId * 1000 + index, videoId, index, start: index * 4, end: index * 4 + 4, score,
  });

  it('reads one clip of a run of near copies, and lends it the others', () => {
    const hits = [hit(1, 3, 0.5), hit(1, 4, 0.502), hit(1, 5, 0.501), hit(1, 7, 0.49), hit(2, 4, 0.45)];
    const { pool, runs } = candidatePool(hits, 10, 0.005);
    expect(pool.map((h) => [h.videoId, h.index])).toEqual([[1, 4], [1, 7], [2, 4]]);
    expect(runs.get(1004)!.map((h) => h.index)).toEqual([3, 5]);
    expect(runs.get(1007)).toEqual([]);
  });

  it('ends a run where scores spread past the tolerance, and keeps the best `size` heads', () => {
    const hits = [hit(1, 0, 0.5), hit(1, 1, 0.497), hit(1, 2, 0.49), hit(1, 3, 0.3)];
    const { pool } = candidatePool(hits, 2, 0.005);
    expect(pool.map((h) => h.index)).toEqual([0, 2]);
  });
});

describe('memory pointers', () => {
  it('points from a clip to the earlier span its memory matches better than the clip itself', () => {
    const later = { ...candidate(1, 10, 0.2), tokens: [token(8, 12, axis(1)), token(40, 44, axis(2))] };
    const query = normalize(Float32Array.of(0, 1, 0.1, 0));
    expect(memoryPointers([later], query)).toEqual([expect.objectContaining({ videoId: 1, start: 8, end: 12, from: 10 })]);
    // A clip whose own score is better than anything it remembers points nowhere.
    expect(memoryPointers([{ ...later, score: 0.999 }], query)).toEqual([]);
  });
});

/** A clip of one frame per second with these embeddings, starting at `start`. */
function clipOf(index: number, start: number, embeddings: readonly Float32Array[]): Clip {
  const frames: EncodedFrame[] = embeddings.map((embedding, i) => ({
    index: start + i, time: start + i, embedding, repeat: false, rgb: null, width: 1, height: 1,
  }));
  return { index, start, end: start + embeddings.length, frames, repeatFrames: 0 };
}

describe('token-merge distiller', () => {
  it('keeps at most K tokens in time order, and an indicator that is the clip\'s own mean', () => {
    const distiller = new TokenMergeDistiller({ tokens: 2 });
    const clip = clipOf(0, 0, [axis(0), axis(0), axis(1), axis(1)]);
    const { tokens, indicator } = distiller.distill([], clip);
    expect(tokens.map((t) => [t.start, t.end, t.weight])).toEqual([[0, 2, 2], [2, 4, 2]]);
    expect(dot(tokens[0]!.vector, axis(0))).toBeCloseTo(1);
    expect(Array.from(indicator)).toEqual(Array.from(normalize(Float32Array.of(1, 1, 0, 0))));
  });

  it('carries the past forward, decayed, until something new needs its slot; without propagation it forgets', () => {
    const distiller = new TokenMergeDistiller({ tokens: 3 });
    const first = distiller.distill([], clipOf(0, 0, [axis(0), axis(0), axis(0), axis(0)]));
    const second = distiller.distill(first.tokens, clipOf(1, 4, [axis(1), axis(1), axis(2), axis(2)]));
    expect(second.tokens.map((t) => [t.start, t.end])).toEqual([[0, 4], [4, 6], [6, 8]]);
    expect(second.tokens[0]!.weight).toBeCloseTo(4 * 0.9);
    // The red past (axis 0) is in the memory, not in the clip's own key.
    expect(dot(second.indicator, axis(0))).toBe(0);
    const forgetful = new TokenMergeDistiller({ tokens: 3, propagate: false }).distill(first.tokens, clipOf(1, 4, [axis(1), axis(2)]));
    expect(forgetful.tokens.every((t) => t.start >= 4)).toBe(true);
  });

  it('consolidates old, faded memory before it lets a short new event lose its own token', () => {
    const distiller = new TokenMergeDistiller({ tokens: 3 });
    const faded = [token(0, 40, axis(0), 0.04), token(40, 80, axis(1), 0.04)];
    const { tokens } = distiller.distill(faded, clipOf(20, 80, [axis(2), axis(2), axis(2), axis(3)]));
    expect(tokens.map((t) => [t.start, t.end])).toEqual([[0, 80], [80, 83], [83, 84]]);
    expect(dot(tokens[2]!.vector, axis(3))).toBeCloseTo(1);
  });
});

describe('question parts', () => {
  // One token a word, plus a start and an end token, as a CLIP tokenizer counts plain words.
  const count = (text: string) => 2 + (text.trim() ? text.trim().split(/\s+/).length : 0);

  it('leaves a question that fits whole', () => {
    expect(questionParts('when is it  red?', { count, limit: 10, maxParts: 4 })).toEqual({ parts: ['when is it red?'], wordsLeftOut: 0 });
  });

  it('cuts at sentences, then clauses, then words, each part fitting', () => {
    const question = 'One two three. Four five six seven eight nine ten, and eleven twelve. Thirteen';
    const { parts, wordsLeftOut } = questionParts(question, { count, limit: 7, maxParts: 10 });
    // The long sentence is cut at its clause, and the clause that is still too long by words.
    expect(parts).toEqual(['One two three.', 'Four five six seven eight', 'nine ten,', 'and eleven twelve.', 'Thirteen']);
    expect(parts.join(' ')).toBe(question);
    expect(wordsLeftOut).toBe(0);
  });

  it('counts the words left out past the last part allowed', () => {
    const { parts, wordsLeftOut } = questionParts(Array(100).fill('w').join(' '), { count, limit: 12, maxParts: 3 });
    expect(parts).toHaveLength(3);
    expect(wordsLeftOut).toBe(100 - 30);
  });
});

/**
 * The offline decoder: an answer phrased only from the evidence — which moments, when, how
 * confidently, the text known about them and their keyframes. It has no language model, so it
 * says nothing about what a moment shows beyond what the store recorded.
 */
import { basename } from 'node:path';
import { ALIKE, type Evidence } from '../core/moments.js';
import type { DecodeRequest, Decoder } from '../core/ports/decoder.js';
import { quote } from '../core/quote.js';
import { formatMomentRange, formatMomentTime } from '../core/time-format.js';

/** Score relative to the best moment's → how a moment that does not tie with it is described. */
const CONFIDENCE: ReadonlyArray<readonly [ratio: number, words: string]> = [
  [0.95, 'about as strong a match'],
  [0.85, 'a close match'],
  [0.7, 'a partial match'],
  [0, 'a weak match'],
];

function confidence(score: number, best: number, tiedForBest: number): string {
  if (score >= best - ALIKE) return tiedForBest > 1 ? 'one of the best matches' : 'the best match';
  const ratio = best > 0 ? score / best : 0;
  return CONFIDENCE.find(([min]) => ratio >= min)![1];
}

function where(e: Evidence): string {
  return `[${formatMomentRange(e)}] ${basename(e.videoPath)}`;
}

/** Pieces of text quoted under a moment, at most: the matching ones come first. */
const QUOTED = 4;

/** `[12:40] slide: "The Calvin cycle fixes carbon dioxide"`: what a channel knew, and when. */
function* details(e: Evidence, keyframes: boolean): Generator<string> {
  for (const piece of e.text.slice(0, QUOTED)) yield `    [${formatMomentTime(e.startedAt, piece.start)}] ${piece.channel}: ${quote(piece.text, 120)}\n`;
  if (e.text.length > QUOTED) yield `    … ${e.text.length - QUOTED} more pieces of text\n`;
  if (keyframes && e.thumbnail) yield `    keyframe: ${e.thumbnail}\n`;
}

/** "; 4 more match as well but are not listed (--budget shows more)", when the budget left some out. */
function unlisted(request: DecodeRequest): string {
  const more = request.moreAlike;
  if (!more || more.count === 0) return '';
  const count = `${more.atLeast ? 'at least ' : ''}${more.count}`;
  return `; ${count} more match${more.count === 1 && !more.atLeast ? 'es' : ''} as well but ${more.count === 1 && !more.atLeast ? 'is' : 'are'} not listed (a larger --budget lists more)`;
}

function* momentAnswer(request: DecodeRequest, keyframes: boolean): Generator<string> {
  const { evidence, question } = request;
  if (evidence.length === 0) {
    yield `No stored memory matches ${quote(question)}.\n`;
    return;
  }
  const best = evidence.reduce((a, b) => (b.score > a.score ? b : a));
  const tied = evidence.filter((e) => e.score >= best.score - ALIKE).length;
  const more = unlisted(request);
  if (evidence.length === 1) {
    yield `The moment that matches ${quote(question)} is ${where(best)} (score ${best.score.toFixed(3)})${more}.\n`;
    yield* details(best, keyframes);
    return;
  }
  if (tied === evidence.length) {
    yield `${evidence.length} moments match ${quote(question)} equally well (score ${best.score.toFixed(3)})${more}. In time order:\n`;
    for (const e of evidence) {
      yield `  ${where(e)}\n`;
      yield* details(e, keyframes);
    }
    return;
  }
  const lead = tied === 1 ? `the best is ${where(best)}` : `the best ${tied} score ${best.score.toFixed(3)}`;
  yield `${evidence.length} moments match ${quote(question)}${more}; ${lead}${tied === 1 ? ` (score ${best.score.toFixed(3)})` : ''}. In time order:\n`;
  for (const e of evidence) {
    yield `  ${where(e)}: ${confidence(e.score, best.score, tied)} (score ${e.score.toFixed(3)})\n`;
    yield* details(e, keyframes);
  }
}

function* timelineAnswer(request: DecodeRequest, keyframes: boolean): Generator<string> {
  const videos = new Map<number, Evidence[]>();
  for (const e of request.evidence) videos.set(e.videoId, [...(videos.get(e.videoId) ?? []), e]);
  if (videos.size === 0) {
    yield 'No memories are stored for this video yet.\n';
    return;
  }
  for (const moments of videos.values()) {
    const name = basename(moments[0].videoPath);
    const end = formatMomentTime(moments[0].startedAt, Math.max(...moments.map((e) => e.end)));
    // One pick per video is always its last clip.
    const memories =
      moments.length === 1
        ? 'its last memory, which covers all of it'
        : `${moments.length} memories spread over its timeline (each covers the video up to its end)`;
    yield `Overview of ${name} up to ${end}, from ${memories}:\n`;
    for (const e of moments) {
      yield `  [${formatMomentRange(e)}]\n`;
      yield* details(e, keyframes);
    }
  }
  yield 'The built-in answerer knows when these moments are and what was recorded about them, not what they show; an LLM (--llm) can describe them.\n';
}

export interface GroundedOptions {
  /**
   * Name each moment's keyframe file (default), which a terminal's user can open; a web page or
   * an agent is given the keyframes as evidence, and a path on the server's disk means nothing there.
   */
  readonly keyframePaths?: boolean;
}

export class GroundedAnswerer implements Decoder {
  readonly name = 'grounded';
  readonly listsEvidence = true;
  private readonly keyframes: boolean;

  constructor(options: GroundedOptions = {}) {
    this.keyframes = options.keyframePaths ?? true;
  }

  async *answer(request: DecodeRequest, signal?: AbortSignal): AsyncIterable<string> {
    for (const piece of request.wholeVideo ? timelineAnswer(request, this.keyframes) : momentAnswer(request, this.keyframes)) {
      signal?.throwIfAborted();
      yield piece;
    }
  }
}

/**
 * The decoder contract: selected memories in, a streamed answer out. The built-in grounded
 * answerer and OpenAI-compatible chat servers both implement it, so `ask` and `chat` never know
 * which one is answering.
 */

import type { Moment } from '../types.js';

/** One selected moment, as the decoder sees it. */
export interface Evidence extends Moment {
  /** What is known about the moment as text (OCR, subtitles, speech), when text channels exist. */
  readonly text: readonly string[];
}

export interface ChatTurn {
  readonly role: 'user' | 'assistant';
  readonly content: string;
}

export interface DecodeRequest {
  readonly question: string;
  /** Selected moments, in time order. */
  readonly evidence: readonly Evidence[];
  /** True when the question is about the whole video (summaries), not a particular moment. */
  readonly wholeVideo: boolean;
  /** Earlier turns of a chat session, oldest first. */
  readonly history: readonly ChatTurn[];
}

export interface Decoder {
  readonly name: string;
  /** Streams the answer in pieces; the concatenation is the whole answer. */
  answer(request: DecodeRequest, signal?: AbortSignal): AsyncIterable<string>;
}

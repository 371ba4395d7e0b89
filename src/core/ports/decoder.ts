/**
 * The decoder contract: selected memories in, a streamed answer out. The built-in grounded
 * answerer and OpenAI-compatible chat servers both implement it, so `ask` and `chat` never know
 * which one is answering.
 */
import type { Evidence } from '../moments.js';

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
  /** Moments that match as well as the weakest one given but are not given (the token budget); `atLeast`: maybe more. */
  readonly moreAlike?: { readonly count: number; readonly atLeast: boolean };
}

export interface Decoder {
  readonly name: string;
  /** The answer itself lists every moment it rests on (the built-in answerer), so a front end need not. */
  readonly listsEvidence: boolean;
  /** Streams the answer in pieces; the concatenation is the whole answer. */
  answer(request: DecodeRequest, signal?: AbortSignal): AsyncIterable<string>;
}

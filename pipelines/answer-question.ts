import { concat, concatMap, defer, map, Observable, of } from 'rxjs';
import type { ChatTurn, DecodeRequest, Decoder, Evidence } from '../src/decoders/decoder.js';
import type { TextEncoder } from '../src/encoders/encoder.js';
import { streamAnswer } from '../src/operators/stream-answer.js';
import { DEFAULT_SELECT, selectMemories, type SelectOptions } from '../src/selection/select-memories.js';
import type { Selection } from '../src/selection/selection.js';
import { toEvidence } from '../src/selection/to-evidence.js';
import type { MemoryStore } from '../storage/memory-store.js';

export interface AnswerContext {
  readonly store: MemoryStore;
  /** The store's model's text side. */
  readonly text: TextEncoder;
  readonly decoder: Decoder;
}

export interface AnswerOptions extends Partial<SelectOptions> {
  /** Earlier turns of a chat, oldest first. */
  readonly history?: readonly ChatTurn[];
}

export type AnswerEvent =
  /** First: what was selected, before the decoder says anything. */
  | { readonly type: 'selection'; readonly selection: Selection; readonly evidence: readonly Evidence[] }
  /** Then the answer, piece by piece as the decoder streams it. */
  | { readonly type: 'text'; readonly text: string };

/**
 * Question answering as one pipeline: encode the question once → select memories (candidates from
 * the index, scored, suppressed, cut to the budget) → the decoder's streamed answer. Re-asking
 * only re-selects; the video is never touched again. Unsubscribing aborts the decoder.
 */
export function answerQuestion(question: string, context: AnswerContext, options: AnswerOptions = {}): Observable<AnswerEvent> {
  const { history = [], ...selecting } = options;
  return defer(() => context.text.encodeTexts([question])).pipe(
    map(([vector]) => selectMemories(context.store, { text: question, vector }, { ...DEFAULT_SELECT, ...selecting })),
    concatMap((selection) => {
      const evidence = toEvidence(selection);
      const request: DecodeRequest = { question, evidence, wholeVideo: selection.kind === 'whole-video', history };
      return concat(
        of<AnswerEvent>({ type: 'selection', selection, evidence }),
        of(request).pipe(
          streamAnswer(context.decoder),
          map((text): AnswerEvent => ({ type: 'text', text })),
        ),
      );
    }),
  );
}

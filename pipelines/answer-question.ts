import { concat, map, type Observable, of } from 'rxjs';
import type { Evidence } from '../src/core/moments.js';
import type { ChatTurn, DecodeRequest, Decoder } from '../src/core/ports/decoder.js';
import type { MemoryReader } from '../src/core/ports/memory-reader.js';
import { streamAnswer } from '../src/decoders/stream-answer.js';
import type { Selection } from '../src/selection/selection.js';
import { toEvidence } from '../src/selection/to-evidence.js';

export type { Decision, Selection, Verdict } from '../src/selection/selection.js';

export type AnswerEvent =
  /** First: what was selected, before the decoder says anything. */
  | { readonly type: 'selection'; readonly selection: Selection; readonly evidence: readonly Evidence[] }
  /** Then the answer, piece by piece as the decoder streams it. */
  | { readonly type: 'text'; readonly text: string };

/**
 * The answer to a question from the memories selected for it: the selection first, then the
 * decoder's streamed answer. `ask` and chat turns both answer this way, whatever strategy
 * selected the memories. Unsubscribing aborts the decoder.
 */
export function answerFrom(question: string, selection: Selection, reader: MemoryReader, decoder: Decoder, history: readonly ChatTurn[] = []): Observable<AnswerEvent> {
  const evidence = toEvidence(selection, reader.clipTexts(selection.selected.map((s) => s.clip.clipId)));
  const request: DecodeRequest = { question, evidence, wholeVideo: selection.kind === 'whole-video', history, moreAlike: selection.moreAlike };
  return concat(
    of<AnswerEvent>({ type: 'selection', selection, evidence }),
    of(request).pipe(
      streamAnswer(decoder),
      map((text): AnswerEvent => ({ type: 'text', text })),
    ),
  );
}

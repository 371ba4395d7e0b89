/**
 * One turn of a chat session: the turns before it decide how its memories are selected (see
 * src/selection/follow-up.ts), the answer streams as `ask`'s does, and the turn is recorded once
 * its answer is complete (an answer cut short leaves nothing behind). A store that cannot be
 * written here keeps nothing: the turn is handed back unsaved, and the caller passes it in again
 * as history of the next.
 */
import { concat, concatMap, defer, from, type Observable, of, tap } from 'rxjs';
import type { CitedMoment } from '../src/core/moments.js';
import type { ChatTurn, Decoder } from '../src/core/ports/decoder.js';
import { selectContinuation } from '../src/selection/continuation.js';
import { planTurn } from '../src/selection/follow-up.js';
import { questionKind } from '../src/selection/question-kind.js';
import { selectMemories } from '../src/selection/select-memories.js';
import type { SelectOptions } from '../src/selection/select-options.js';
import type { Selection } from '../src/selection/selection.js';
import type { ChatTurnRecord, MemoryStore, NewChatTurn } from '../storage/memory-store.js';
import { answerFrom, type AnswerEvent } from './answer-question.js';

/** Earlier turns the decoder sees: enough for "that" to mean something, few enough to leave an LLM room. */
const HISTORY_TURNS = 6;

export interface ChatContext {
  readonly store: MemoryStore;
  readonly decoder: Decoder;
  /** The session, or for a new one what it is about (it is created with its first turn). */
  readonly session: number | { readonly videoId: number | null };
  /** Turns of this conversation after the stored ones that the store could not keep, oldest first. */
  readonly unsaved: readonly NewChatTurn[];
  /** The session's scope (`videoId`) and the selection's tuning. */
  readonly select: SelectOptions;
  /** The text memories are selected with, as the store's model's vector; refused without a word the model knows when `needsWords`. */
  readonly encode: (text: string, needsWords: boolean) => Promise<Float32Array>;
}

export type ChatEvent =
  | AnswerEvent
  | { readonly type: 'recorded'; readonly turn: ChatTurnRecord }
  | { readonly type: 'unsaved'; readonly turn: NewChatTurn };

async function prepare(ctx: ChatContext, question: string) {
  const stored = typeof ctx.session === 'number' ? ctx.store.chats.turns(ctx.session, HISTORY_TURNS) : [];
  const recent: NewChatTurn[] = [...stored, ...ctx.unsaved].slice(-HISTORY_TURNS);
  const plan = planTurn(question, recent.at(-1));
  // A continuation is found along the timeline and a summary spread over it; only a moment needs words.
  const vector = await ctx.encode(plan.query, !plan.continuation && questionKind(question) === 'moment');
  const selection: Selection = plan.continuation
    ? selectContinuation(ctx.store.videos, vector, plan.continuation.anchor, plan.continuation.direction, ctx.select.budget)
    : // Matched by the joined query; whether it asks about the whole video is the question's own affair.
      selectMemories(ctx.store.videos, { text: question, vector }, ctx.select);
  const history: ChatTurn[] = recent.flatMap((t) => [
    { role: 'user' as const, content: t.question },
    { role: 'assistant' as const, content: t.answer },
  ]);
  return { query: plan.query, selection, history };
}

export function chatTurn(ctx: ChatContext, question: string): Observable<ChatEvent> {
  return from(prepare(ctx, question)).pipe(
    concatMap(({ query, selection, history }) => {
      let answer = '';
      let cited: CitedMoment[] = [];
      const answered$ = answerFrom(question, selection, ctx.store.videos, ctx.decoder, history).pipe(
        tap((event) => {
          if (event.type === 'text') answer += event.text;
          else cited = event.evidence.map(({ videoId, start, end, score }) => ({ videoId, start, end, score }));
        }),
      );
      const recorded$ = defer(() => {
        const turn: NewChatTurn = { question, query, answer, decoder: ctx.decoder.name, evidence: cited };
        return of<ChatEvent>(ctx.store.writable ? { type: 'recorded', turn: ctx.store.chats.addTurn(ctx.session, turn) } : { type: 'unsaved', turn });
      });
      return concat(answered$, recorded$);
    }),
  );
}
